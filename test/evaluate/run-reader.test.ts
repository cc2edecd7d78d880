import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRunAssignments, type Neo4jClient } from '../../src/db/index.js';
import { evaluate } from '../../src/evaluate/index.js';
import { NotFoundError } from '../../src/util/errors.js';
import { freshNeo4j } from '../helpers/services.js';

describe('loadRunAssignments (real Neo4j)', () => {
  let client: Neo4jClient;
  beforeAll(async () => {
    client = await freshNeo4j();
  });
  afterAll(async () => {
    await client?.close();
  });

  it('refuses when there is no run', async () => {
    await expect(loadRunAssignments(client, 'latest')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reads the newest finished run, or a named run, as account → cluster and recommendation', async () => {
    await client.query(`
      CREATE (old:LinkageRun {id: 'run-b', startedAt: datetime('2026-03-01T00:00:00Z'), finishedAt: datetime('2026-03-01T00:05:00Z')}),
             (new:LinkageRun {id: 'run-a', startedAt: datetime('2026-03-02T00:00:00Z'), finishedAt: datetime('2026-03-02T00:05:00Z')}),
             (a1:Account {id: 'a1'}), (a2:Account {id: 'a2'}), (i1:Account {id: 'i1'}),
             (c1:Cluster {uid: 'run-a/c1', id: 'c1', runId: 'run-a', recommendation: 'enforce'})-[:IN_RUN]->(new),
             (c2:Cluster {uid: 'run-a/c2', id: 'c2', runId: 'run-a', recommendation: 'monitor'})-[:IN_RUN]->(new),
             (c9:Cluster {uid: 'run-b/c9', id: 'c9', runId: 'run-b', recommendation: 'review'})-[:IN_RUN]->(old),
             (a1)-[:MEMBER_OF {runId: 'run-a', respawn: false}]->(c1),
             (a2)-[:MEMBER_OF {runId: 'run-a', respawn: false}]->(c1),
             (i1)-[:MEMBER_OF {runId: 'run-a', respawn: false}]->(c2),
             (a1)-[:MEMBER_OF {runId: 'run-b', respawn: false}]->(c9),
             (i1)-[:MEMBER_OF {runId: 'run-b', respawn: false}]->(c9)`);
    const latest = await loadRunAssignments(client, 'latest');
    expect(latest.runId).toBe('run-a');
    expect(latest.predictions).toEqual(
      new Map([
        ['a1', { clusterId: 'c1', recommendation: 'enforce' }],
        ['a2', { clusterId: 'c1', recommendation: 'enforce' }],
        ['i1', { clusterId: 'c2', recommendation: 'monitor' }],
      ]),
    );
    const older = await loadRunAssignments(client, 'run-b');
    expect([...older.predictions.keys()].sort()).toEqual(['a1', 'i1']);
    const e = evaluate(
      [
        { accountId: 'a1', label: 'ring', group: 'ring:hydra-1' },
        { accountId: 'a2', label: 'ring', group: 'ring:hydra-1' },
        { accountId: 'i1', label: 'legit_individual', group: '' },
      ],
      older.predictions,
    );
    expect(e.scores).toMatchObject({ flagged: 2, truePositives: 1, precision: 0.5, recall: 0.5 });
    await expect(loadRunAssignments(client, 'run-zzz')).rejects.toBeInstanceOf(NotFoundError);
  });
});
