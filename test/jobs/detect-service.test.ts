import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectAndWrite, type Neo4jClient } from '../../src/db/index.js';
import { DEFAULTS as GENERATOR_DEFAULTS } from '../../src/generator/index.js';
import { dropFlowIds, JOB, openQueues, startWorkers, type DropFlowIds, type PipelineQueues, type WorkerPool } from '../../src/jobs/index.js';
import { openDrop } from '../../src/loaders/index.js';
import { freshNeo4j } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';
import { jobsConfig, partitionChecksum, quietLog, smallDrop } from './helpers.js';

/**
 * One detection service (src/db/detect-service.ts): the nightly pipeline and `ringscope detect`
 * call it with the same options, so a scheduled run honours the release date, and the same drop
 * with default options gives the same clusters whichever path ran it.
 */
const RELEASE = GENERATOR_DEFAULTS.releaseDate;

describe('the pipeline and the CLI share one detection service', () => {
  const config = jobsConfig('service', { RINGSCOPE_RELEASE_DATE: RELEASE });
  let client: Neo4jClient;
  let q: PipelineQueues;
  let pool: WorkerPool;
  let drop: string;
  let ids: DropFlowIds;
  let runId: string;

  beforeAll(async () => {
    client = await freshNeo4j(config);
    q = await openQueues(config);
    pool = await startWorkers(config, quietLog, { concurrency: 2 });
    drop = await smallDrop('service', 300, 4);
    ids = dropFlowIds(await openDrop(drop));
    runId = ids.runId;
  });
  afterAll(async () => {
    await pool?.close();
    await q?.close();
    await client?.close();
  });

  it('a scheduled tick runs detection with the configured release date, and the traffic shift is scored', async () => {
    // What the job scheduler enqueues at each tick (src/jobs/scheduler.ts).
    await q.queues.ingest.add(JOB.scan, { drops: drop, schedulerId: 'nightly' });
    await waitFor(
      'the scheduled flow to export',
      async () => (await (await q.queues.export.getJob(ids.exportJobId))?.getState()) === 'completed',
      240_000,
      250,
    );
    const r = await client.query('MATCH (r:LinkageRun {id: $runId}) RETURN r.params AS params', { runId }, 'READ');
    const params = JSON.parse(String(r.records[0]!.get('params'))) as { releaseDate: string | null; seed: number; resolution: number };
    expect(params.releaseDate).toBe(new Date(RELEASE).toISOString());
    const shifts = await client.query(`MATCH (k:Cluster {runId: $runId}) RETURN k.features AS f`, { runId }, 'READ');
    const measured = shifts.records.filter((x) => typeof (JSON.parse(String(x.get('f'))) as { releaseShift?: unknown }).releaseShift === 'number');
    expect(measured.length).toBeGreaterThan(0);
  });

  it('`ringscope detect` defaults give the same clusters as the pipeline run of the same drop', async () => {
    const direct = await detectAndWrite(client, { runId: 'direct-defaults', releaseDate: Date.parse(RELEASE), keepRuns: 0 });
    const rp = await client.query('MATCH (r:LinkageRun) WHERE r.id IN [$a, $b] RETURN r.id AS id, r.params AS params', { a: runId, b: direct.runId }, 'READ');
    const seeds = new Map(rp.records.map((x) => [String(x.get('id')), (JSON.parse(String(x.get('params'))) as { seed: number }).seed]));
    expect(seeds.get(runId)).toBe(seeds.get(direct.runId));
    const [piped, cli] = [await partitionChecksum(client, runId), await partitionChecksum(client, direct.runId)];
    expect(piped.clusters).toBeGreaterThan(0);
    expect(cli).toEqual(piped);
  });
});
