import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectAndWrite } from '../../src/db/linkage-pipeline.js';
import type { Neo4jClient } from '../../src/db/index.js';
import { project, runDetection } from '../../src/graph/index.js';
import { batchPayload, followFlow, mergeResults, openQueues, planBatches, startWorkers, submitDrop, type PipelineQueues, type WorkerPool } from '../../src/jobs/index.js';
import { detectBatch } from '../../src/jobs/processors/detect-sandbox.js';
import { readDropAsLinkageInput } from '../../src/loaders/index.js';
import { freshNeo4j } from '../helpers/services.js';
import { jobsConfig, partitionChecksum, quietLog, smallDrop, tmpDir } from './helpers.js';

const SEED = 5;

describe('per-component fan-out', () => {
  let drop: string;
  beforeAll(async () => {
    drop = await smallDrop('fanout', 400, 2);
  });

  it('batches of components give the same communities as one runDetection call (pure)', async () => {
    const input = await readDropAsLinkageInput(drop);
    const graph = project(input, { seed: SEED });
    const batches = planBatches(graph, 25);
    expect(batches.length).toBeGreaterThan(2);
    // Batches are disjoint and cover every account that has a link.
    const covered = batches.flat();
    expect(new Set(covered).size).toBe(covered.length);
    const spec = { runId: 'r', seed: SEED };
    // Out of order on purpose: a batch's result cannot depend on which worker ran first.
    const results = [...batches.keys()].reverse().map((i) => detectBatch(batchPayload(graph, batches[i]!, spec, i)));
    const fanned = mergeResults(results);
    const single = (await runDetection(input, { seed: SEED })).assignment;
    expect(fanned.size).toBe(single.size);
    for (const [account, community] of single) expect(fanned.get(account)).toBe(community);
  });

  describe('through the detect queue (real Redis + Neo4j)', () => {
    const config = jobsConfig('fanout');
    let client: Neo4jClient;
    let q: PipelineQueues;
    let pool: WorkerPool;

    beforeAll(async () => {
      client = await freshNeo4j(config);
      q = await openQueues(config);
      // Two detect jobs in flight: the parent waits for its children without holding the only slot.
      pool = await startWorkers(config, quietLog, { concurrency: 2 });
    });
    afterAll(async () => {
      await pool?.close();
      await q?.close();
      await client?.close();
    });

    it('a fanned-out run writes the same clusters as a single-process run with the same seed', async () => {
      const r = await submitDrop(q, client, drop, config.stateDir, { outDir: tmpDir('fanout-out'), seed: SEED, fanOut: { batchAccounts: 25, minAccounts: 1 } });
      await followFlow(q, r);
      const detect = await q.queues.detect.getJob(r.detectJobId);
      expect(detect!.returnvalue.fannedOut).toBeGreaterThan(2);
      const children = await q.queues.detect.getJobs(['completed'], 0, -1);
      expect(children.filter((j) => j.name === 'detect-components').length).toBe(detect!.returnvalue.fannedOut);

      await detectAndWrite(client, { runId: 'single-process', seed: SEED, keepRuns: 0 });
      const fanned = await partitionChecksum(client, r.runId);
      const single = await partitionChecksum(client, 'single-process');
      expect(fanned.clusters).toBeGreaterThan(0);
      expect(fanned).toEqual(single);
    });
  });
});
