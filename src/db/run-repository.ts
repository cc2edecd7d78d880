import type { PreviousCluster } from '../graph/lineage.js';
import { isRecommendation, type Recommendation } from '../vocabulary/index.js';
import { NotFoundError } from '../util/errors.js';
import { neo4j, toNum, type Neo4jClient } from './neo4j-client.js';

/**
 * Every query on `(:LinkageRun)` nodes (docs/neo4j-model.md, "Linkage runs"). A run is written
 * header first and `finishedAt` last, so a run without `finishedAt` is still being written or
 * crashed. There is one meaning of `latest`: the newest *finished* run (by `finishedAt`, ties by
 * id). Readers (export, report, evaluate, clusters, explain, lineage, cookbook) all resolve through
 * here, so none of them can pick a half-written run.
 */

/** The run ref every CLI command takes: `latest` or a run id. */
export const LATEST = 'latest';

export interface RunInfo {
  readonly id: string;
  /** ISO-8601 UTC. */
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

export interface RunHeader {
  readonly id: string;
  readonly startedAt: number;
  readonly seed: number;
  readonly params: Record<string, unknown>;
}

/** Neo4j DateTime (or ISO string / null) to an ISO-8601 UTC string. */
export function isoTime(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return new Date(v).toISOString();
  if (typeof (v as { toStandardDate?: unknown }).toStandardDate === 'function') {
    return (v as { toStandardDate(): Date }).toStandardDate().toISOString();
  }
  return new Date(String(v)).toISOString();
}

/**
 * The Cypher fragment that binds `run` to the run named by `$run` (`latest` or an id), finished
 * runs only. The cookbook queries in queries/ inline the same text; test/analyst/cookbook.test.ts
 * holds them to it.
 */
export const RUN_MATCH = `MATCH (run:LinkageRun)
WHERE run.finishedAt IS NOT NULL AND ($run = 'latest' OR run.id = $run)
WITH run ORDER BY run.finishedAt DESC, run.id DESC LIMIT 1`;

/** Write the run header (`finishedAt` cleared: the run is incomplete until finishRun). */
export async function startRun(client: Neo4jClient, run: RunHeader): Promise<void> {
  await client.query(
    `MERGE (r:LinkageRun {id: $id})
     SET r.startedAt = datetime({epochMillis: $startedAt}), r.seed = $seed, r.params = $params, r.finishedAt = null`,
    { id: run.id, startedAt: neo4j.int(run.startedAt), seed: neo4j.int(run.seed), params: JSON.stringify(run.params) },
  );
}

/** Mark a run finished: after this, `latest` may resolve to it. */
export async function finishRun(client: Neo4jClient, id: string, stats: unknown, finishedAt = Date.now()): Promise<void> {
  await client.query('MATCH (r:LinkageRun {id: $id}) SET r.finishedAt = datetime({epochMillis: $finishedAt}), r.stats = $stats', {
    id,
    finishedAt: neo4j.int(finishedAt),
    stats: JSON.stringify(stats),
  });
}

/** Finished runs, newest first. */
export async function listRuns(client: Neo4jClient): Promise<Array<{ id: string; startedAt: string; finishedAt: string; stats: string }>> {
  const res = await client.query(
    `MATCH (r:LinkageRun) WHERE r.finishedAt IS NOT NULL
     RETURN r.id AS id, toString(r.startedAt) AS startedAt, toString(r.finishedAt) AS finishedAt, r.stats AS stats
     ORDER BY r.finishedAt DESC, r.id DESC`,
    {},
    'READ',
  );
  return res.records.map((r) => r.toObject() as { id: string; startedAt: string; finishedAt: string; stats: string });
}

/**
 * Resolve `latest` or a run id to a finished run. Throws NotFoundError when there is no finished
 * run, when the id does not exist, or when that run has not finished (a reader must never see a
 * half-written cluster list).
 */
export async function resolveRun(client: Neo4jClient, run: string = LATEST): Promise<RunInfo> {
  const res = await client.query(
    `${RUN_MATCH}
     RETURN run.id AS id, run.startedAt AS startedAt, run.finishedAt AS finishedAt`,
    { run },
    'READ',
  );
  const rec = res.records[0];
  if (rec) return { id: String(rec.get('id')), startedAt: isoTime(rec.get('startedAt')), finishedAt: isoTime(rec.get('finishedAt')) };
  if (run === LATEST) throw new NotFoundError('no finished linkage run in the database (run `ringscope detect` first)');
  const exists = await client.query('MATCH (r:LinkageRun {id: $id}) RETURN count(r) AS n', { id: run }, 'READ');
  if (toNum(exists.records[0]?.get('n')) > 0) throw new NotFoundError(`linkage run ${run} has not finished (still running, or it crashed)`);
  throw new NotFoundError(`linkage run ${run} not found`);
}

/** The newest finished run's id, or undefined when there is none (the previous run of lineage). */
export async function latestFinishedRunId(client: Neo4jClient): Promise<string | undefined> {
  return (await listRuns(client))[0]?.id;
}

/** True when the linkage run exists and has finished writing. */
export async function runFinished(client: Neo4jClient, runId: string): Promise<boolean> {
  const res = await client.query('MATCH (r:LinkageRun {id: $runId}) WHERE r.finishedAt IS NOT NULL RETURN count(r) AS n', { runId }, 'READ');
  return toNum(res.records[0]?.get('n')) > 0;
}

export interface RecentRun {
  readonly id: string;
  readonly startedAt: string | null;
  /** null: still running, or crashed. */
  readonly finishedAt: string | null;
  readonly clusters: number;
  readonly enforce: number;
  readonly review: number;
}

/** The newest runs by start, finished or not (what `ringscope status` shows). */
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

/**
 * Clusters of a run with their members, for lineage: the clusters the run includes (IN_RUN), carried
 * ones too, each with the members it was detected with. One streamed query: a run can hold 100k clusters.
 */
export async function readRunClusters(client: Neo4jClient, runId: string): Promise<PreviousCluster[]> {
  const out: PreviousCluster[] = [];
  const session = client.session('READ');
  try {
    const result = session.run(
      `MATCH (:LinkageRun {id: $runId})<-[:IN_RUN]-(k:Cluster)
       RETURN k.id AS id, k.recommendation AS recommendation, COLLECT { MATCH (a:Account)-[:MEMBER_OF]->(k) RETURN a.id } AS members`,
      { runId },
    );
    for await (const r of result) {
      const rec = String(r.get('recommendation'));
      out.push({
        id: r.get('id') as string,
        recommendation: (isRecommendation(rec) ? rec : 'monitor') as Recommendation,
        members: r.get('members') as string[],
      });
    }
  } finally {
    await session.close();
  }
  return out.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

/** How many clusters a run includes (carried ones too). */
export async function countRunClusters(client: Neo4jClient, runId: string): Promise<number> {
  const res = await client.query('MATCH (:LinkageRun {id: $runId})<-[:IN_RUN]-(k:Cluster) RETURN count(k) AS n', { runId }, 'READ');
  return toNum(res.records[0]?.get('n'));
}

/** Clusters no run includes (a run node deleted by hand, an IN_RUN removed): deleted with their links. */
async function sweepUnincludedClusters(client: Neo4jClient): Promise<void> {
  const s = client.session('WRITE');
  try {
    const loose = 'MATCH (k:Cluster) WHERE NOT EXISTS { (k)-[:IN_RUN]->(:LinkageRun) }';
    await s.run(`${loose} CALL (k) { MATCH (k)<-[:MEMBER_OF]-(a:Account)-[l:LINKED]->() WHERE l.runId = k.runId DELETE l } IN TRANSACTIONS OF 500 ROWS`);
    await s.run(`${loose} CALL (k) { DETACH DELETE k } IN TRANSACTIONS OF 500 ROWS`);
  } finally {
    await s.close();
  }
}

/**
 * Delete finished runs older than the newest `keep` (and unfinished ones started before the oldest
 * kept), with the clusters no remaining run includes (their memberships and links), and any cluster
 * no run includes at all. A cluster detected by a pruned run but carried into a kept one stays.
 * Returns the pruned ids.
 */
export async function pruneRuns(client: Neo4jClient, keep: number): Promise<string[]> {
  const runs = await listRuns(client);
  const old = runs.slice(Math.max(0, keep)).map((r) => r.id);
  // A run left unfinished (its process died) that started before the oldest kept run will not be
  // resumed: it goes too, or the carried clusters it includes would never be pruned.
  const oldestKept = runs[Math.max(0, keep) - 1];
  if (keep > 0 && oldestKept && runs.length > keep) {
    const stale = await client.query(
      `MATCH (k:LinkageRun {id: $id}) MATCH (r:LinkageRun) WHERE r.finishedAt IS NULL AND r.startedAt < k.startedAt
       RETURN r.id AS id ORDER BY r.startedAt DESC, r.id DESC`,
      { id: oldestKept.id },
      'READ',
    );
    old.push(...stale.records.map((r) => String(r.get('id'))));
  }
  for (const id of old) {
    const s = client.session('WRITE');
    try {
      // Implicit transactions: CALL { } IN TRANSACTIONS bounds memory on big runs.
      // Clusters only this run includes; the run node goes last, so a prune cut short is redone by the next.
      const orphans = `MATCH (:LinkageRun {id: $id})<-[:IN_RUN]-(k:Cluster)
         WHERE NOT EXISTS { (k)-[:IN_RUN]->(o:LinkageRun) WHERE o.id <> $id }`;
      await s.run(
        `${orphans}
         CALL (k) { MATCH (k)<-[:MEMBER_OF]-(a:Account)-[l:LINKED]->() WHERE l.runId = k.runId DELETE l } IN TRANSACTIONS OF 500 ROWS`,
        { id },
      );
      await s.run(`${orphans} CALL (k) { DETACH DELETE k } IN TRANSACTIONS OF 500 ROWS`, { id });
      await s.run('MATCH (r:LinkageRun {id: $id}) DETACH DELETE r', { id });
    } finally {
      await s.close();
    }
  }
  if (old.length > 0) await sweepUnincludedClusters(client);
  return old;
}
