/**
 * Reads a linkage run's cluster assignments back from Neo4j (docs/neo4j-model.md, "Linkage runs"),
 * for `ringscope evaluate`. Read-only; the run is resolved by the run repository (finished runs only).
 */
import type { Prediction } from '../evaluate/types.js';
import { isRecommendation } from '../vocabulary/index.js';
import type { Neo4jClient } from './neo4j-client.js';
import { LATEST, resolveRun } from './run-repository.js';

export interface RunAssignments {
  readonly runId: string;
  readonly predictions: Map<string, Prediction>;
}

/**
 * Every membership of a cluster the run includes (`(:Cluster)-[:IN_RUN]->(run)`), as account → {clusterId,
 * recommendation} with each member's own recommendation. Streams the result (a run can hold a million memberships).
 */
export async function loadRunAssignments(client: Neo4jClient, run: string = LATEST): Promise<RunAssignments> {
  const { id: runId } = await resolveRun(client, run);
  const predictions = new Map<string, Prediction>();
  const session = client.session('READ');
  try {
    const result = session.run(
      // The member's own recommendation; runs written before member verdicts carry the cluster's only.
      'MATCH (:LinkageRun {id: $runId})<-[:IN_RUN]-(c:Cluster)<-[m:MEMBER_OF]-(a:Account) RETURN a.id AS account, c.id AS cluster, coalesce(m.recommendation, c.recommendation) AS rec',
      { runId },
    );
    for await (const rec of result) {
      const r = rec.get('rec') as unknown;
      predictions.set(rec.get('account') as string, { clusterId: String(rec.get('cluster')), recommendation: isRecommendation(r) ? r : 'none' });
    }
  } finally {
    await session.close();
  }
  return { runId, predictions };
}
