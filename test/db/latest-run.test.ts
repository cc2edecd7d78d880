import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCookbookQuery } from '../../src/analyst/index.js';
import { listClusters, loadRunAssignments, neo4j, resolveRun, type Neo4jClient } from '../../src/db/index.js';
import { exportRun } from '../../src/export/index.js';
import { writeReport } from '../../src/report/index.js';
import { NotFoundError } from '../../src/util/errors.js';
import { freshNeo4j } from '../helpers/services.js';
import { RUN2, seedTwoRuns } from '../helpers/seed-run.js';

/**
 * One meaning of `latest`, the newest finished run (src/db/run-repository.ts): a detection that is
 * still writing, or crashed, started after RUN2 and wrote a cluster, but has no finishedAt. Every
 * reader must ignore it.
 */
const UNFINISHED = 'run-2026-01-03-crashed';

describe('`latest` after an unfinished run', () => {
  let client: Neo4jClient;
  let out: string;
  beforeAll(async () => {
    client = await freshNeo4j();
    await seedTwoRuns(client);
    await client.query(
      `CREATE (r:LinkageRun {id: $id, startedAt: datetime('2026-01-03T02:00:00Z'), seed: $seed, params: '{}'})
       CREATE (k:Cluster {uid: $id + '/half', id: 'half', runId: $id, score: 0.99, recommendation: 'enforce', size: 1, reasons: ['half-written'], features: '{}', lineage: 'new'})-[:IN_RUN]->(r)
       WITH k MATCH (a:Account) WITH k, a LIMIT 1 CREATE (a)-[:MEMBER_OF {runId: $id, respawn: false}]->(k)`,
      { id: UNFINISHED, seed: neo4j.int(1) },
    );
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-latest-'));
  });
  afterAll(async () => {
    await client?.close();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('the run repository resolves latest to the newest finished run and refuses the unfinished one by id', async () => {
    expect((await resolveRun(client, 'latest')).id).toBe(RUN2);
    await expect(resolveRun(client, UNFINISHED)).rejects.toBeInstanceOf(NotFoundError);
    await expect(resolveRun(client, UNFINISHED)).rejects.toThrow(/has not finished/);
    await expect(resolveRun(client, 'no-such-run')).rejects.toThrow(/not found/);
  });

  it('export takes the finished run', async () => {
    const r = await exportRun(client, { run: 'latest', format: 'csv', out: path.join(out, 'ring.csv'), minRecommendation: 'monitor' });
    expect(r.export.run.id).toBe(RUN2);
    expect(r.export.clusters.map((c) => c.cluster_id)).not.toContain('half');
    expect(fs.readFileSync(path.join(out, 'ring.csv'), 'utf8')).not.toContain(UNFINISHED);
  });

  it('report takes the finished run', async () => {
    const r = await writeReport(client, path.join(out, 'report'), { run: 'latest' });
    expect(r.runId).toBe(RUN2);
  });

  it('evaluate reads the finished run', async () => {
    const r = await loadRunAssignments(client, 'latest');
    expect(r.runId).toBe(RUN2);
    expect([...r.predictions.values()].some((p) => p.clusterId === 'half')).toBe(false);
  });

  it('the cookbook and `clusters` take the finished run', async () => {
    const top = await runCookbookQuery(client, 'top-clusters', {});
    expect(new Set(top.rows.map((r) => r.run))).toEqual(new Set([RUN2]));
    const listed = await listClusters(client, (await resolveRun(client)).id, 'monitor');
    expect(listed.every((c) => c.runId === RUN2)).toBe(true);
  });
});
