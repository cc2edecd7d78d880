/**
 * Reads a linkage run's cluster assignments back from Neo4j (docs/neo4j-model.md, "Linkage runs"),
 * for `ringscope evaluate`. Read-only.
 */
import type { Prediction } from '../evaluate/types.js';
import { isRecommendation } from '../evaluate/types.js';
import { NotFoundError } from '../util/errors.js';
import { toNum, type Neo4jClient } from './neo4j-client.js';

export interface RunAssignments {
  readonly runId: string;
  readonly predictions: Map<string, Prediction>;
}

/** The id of the run with the latest `startedAt`. Throws NotFoundError when there is none. */
export async function latestRunId(client: Neo4jClient): Promise<string> {
  const r = await client.query('MATCH (r:LinkageRun) RETURN r.id AS id ORDER BY r.startedAt DESC, r.id DESC LIMIT 1', {}, 'READ');
  const id = r.records[0]?.get('id') as string | undefined;
  if (id === undefined) throw new NotFoundError('no linkage run in the database (run `ringscope detect` first)');
  return id;
}

/**
 * Every `(:Account)-[:MEMBER_OF {runId}]->(:Cluster {runId})` of a run, as account → {clusterId,
 * recommendation} with each member's own recommendation. Streams the result (a run can hold a million memberships).
 */
export async function loadRunAssignments(client: Neo4jClient, run: string | 'latest'): Promise<RunAssignments> {
  const runId = run === 'latest' ? await latestRunId(client) : run;
  const exists = await client.query('MATCH (r:LinkageRun {id: $runId}) RETURN count(r) AS n', { runId }, 'READ');
  if (toNum(exists.records[0]?.get('n')) === 0) throw new NotFoundError(`linkage run ${runId} does not exist`);
  const predictions = new Map<string, Prediction>();
  const session = client.session('READ');
  try {
    const result = session.run(
      // The member's own recommendation; runs written before member verdicts carry the cluster's only.
      'MATCH (a:Account)-[m:MEMBER_OF {runId: $runId}]->(c:Cluster {runId: $runId}) RETURN a.id AS account, c.id AS cluster, coalesce(m.recommendation, c.recommendation) AS rec',
      { runId },
    );
    for await (const rec of result) {
      const r = String(rec.get('rec') ?? 'none');
      predictions.set(rec.get('account') as string, { clusterId: String(rec.get('cluster')), recommendation: isRecommendation(r) ? r : 'none' });
    }
  } finally {
    await session.close();
  }
  return { runId, predictions };
}
