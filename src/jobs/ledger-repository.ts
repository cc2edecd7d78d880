import { neo4j, toNum, type Neo4jClient } from '../db/index.js';

/**
 * Read-only look-ups of the drop ledger and linkage runs (docs/neo4j-model.md) that the pipeline
 * needs to decide what to enqueue. Writes to the ledger belong to the loaders (finalizeDrop).
 */
export async function ingestedDrops(client: Neo4jClient, sha256s: readonly string[]): Promise<Set<string>> {
  if (sha256s.length === 0) return new Set();
  const res = await client.query('MATCH (d:Drop) WHERE d.sha256 IN $shas RETURN d.sha256 AS sha', { shas: [...sha256s] }, 'READ');
  return new Set(res.records.map((r) => String(r.get('sha'))));
}

/** True when the linkage run exists and has finished writing (finishedAt is set last). */
export async function runFinished(client: Neo4jClient, runId: string): Promise<boolean> {
  const res = await client.query(
    'MATCH (r:LinkageRun {id: $runId}) WHERE r.finishedAt IS NOT NULL RETURN count(r) AS n',
    { runId },
    'READ',
  );
  return toNum(res.records[0]?.get('n')) > 0;
}

export interface RecentRun {
  readonly id: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly clusters: number;
  readonly enforce: number;
  readonly review: number;
}

export async function recentRuns(client: Neo4jClient, limit = 5): Promise<RecentRun[]> {
  const res = await client.query(
    `MATCH (r:LinkageRun)
     WITH r ORDER BY r.startedAt DESC, r.id DESC LIMIT $limit
     OPTIONAL MATCH (c:Cluster)-[:IN_RUN]->(r)
     WITH r, count(c) AS clusters,
          sum(CASE WHEN c.recommendation = 'enforce' THEN 1 ELSE 0 END) AS enforce,
          sum(CASE WHEN c.recommendation = 'review' THEN 1 ELSE 0 END) AS review
     RETURN r.id AS id, toString(r.startedAt) AS startedAt, toString(r.finishedAt) AS finishedAt, clusters, enforce, review
     ORDER BY r.startedAt DESC, r.id DESC`,
    { limit: neo4j.int(Math.max(1, Math.floor(limit))) },
    'READ',
  );
  return res.records.map((r) => ({
    id: String(r.get('id')),
    startedAt: (r.get('startedAt') as string | null) ?? null,
    finishedAt: (r.get('finishedAt') as string | null) ?? null,
    clusters: toNum(r.get('clusters')),
    enforce: toNum(r.get('enforce')),
    review: toNum(r.get('review')),
  }));
}

export async function countRuns(client: Neo4jClient): Promise<number> {
  const res = await client.query('MATCH (r:LinkageRun) RETURN count(r) AS n', {}, 'READ');
  return toNum(res.records[0]?.get('n'));
}
