import type { DetectedCluster, DetectionStats } from '../graph/run-detection.js';
import type { MemberAttachment } from '../graph/member-verdict.js';
import { recommendationsAtLeast, type Recommendation } from '../vocabulary/index.js';
import { NotFoundError } from '../util/errors.js';
import { neo4j, toNum, type Neo4jClient } from './neo4j-client.js';
import { finishRun, startRun, type RunHeader } from './run-repository.js';

/**
 * Write-back of a linkage run's clusters, memberships and links (docs/neo4j-model.md, "Linkage
 * runs"), and the cluster reads the CLI needs. The run node itself belongs to run-repository.ts. Constant Cypher, data only as parameters, batched UNWIND writes that MERGE
 * on keys (so a retried transaction or a re-run of a half-written run is idempotent).
 *
 * A Cluster node belongs to the run that detected it (`runId`, `uid` = `<runId>/<id>`), and so do its
 * MEMBER_OF and LINKED relationships (their `runId`). A run includes a cluster through
 * `(:Cluster)-[:IN_RUN {lineage, previousId}]->(:LinkageRun)`: an incremental run includes the
 * clusters it carries over by one more IN_RUN (lineage `unchanged`), so readers reach a run's
 * clusters through IN_RUN and a cluster's members and links through the cluster.
 */
export interface WriteOptions {
  /** Rows per UNWIND transaction. @defaultValue 5000 */
  readonly batchSize: number;
  /**
   * Concurrent write transactions. Batches follow cluster order, so two of them share at most the
   * cluster cut at their boundary (a deadlock there is retried by the driver). @defaultValue 2
   */
  readonly writers: number;
  /** Called after each batch (phase, rows written, total). @defaultValue undefined */
  readonly onProgress: ((phase: string, done: number, total: number) => void) | undefined;
  /**
   * Clusters an incremental run carries over from the previous run (docs/incremental.md): the
   * previous run's Cluster nodes join this run by an IN_RUN relationship (lineage `unchanged`);
   * their members, verdicts and links are not rewritten. @defaultValue undefined
   */
  readonly carry: { readonly fromRunId: string; readonly clusterIds: readonly string[] } | undefined;
}

export const WRITE_DEFAULTS: WriteOptions = { batchSize: 5000, writers: 2, onProgress: undefined, carry: undefined };

export type RunRecord = RunHeader;

const Q_CLUSTERS = `
UNWIND $rows AS c
MERGE (k:Cluster {uid: c.uid})
SET k.id = c.id, k.runId = $runId, k.score = c.score, k.recommendation = c.recommendation, k.size = c.size,
    k.reasons = c.reasons, k.features = c.features, k.lineage = c.lineage, k.previousId = c.previousId,
    k.weakestLink = c.weakestLink
WITH k, c
MATCH (r:LinkageRun {id: $runId})
MERGE (k)-[i:IN_RUN]->(r)
SET i.lineage = c.lineage, i.previousId = c.previousId`;

const Q_MEMBERS = `
UNWIND $rows AS m
MATCH (a:Account {id: m.account})
MATCH (k:Cluster {uid: m.uid})
MERGE (a)-[x:MEMBER_OF {runId: $runId}]->(k)
SET x.respawn = m.respawn, x.recommendation = m.recommendation, x.reasons = m.reasons, x.kinds = m.kinds, x.attachment = m.attachment`;

const Q_LINKS = `
UNWIND $rows AS l
MATCH (a:Account {id: l.a})
MATCH (b:Account {id: l.b})
MERGE (a)-[x:LINKED {runId: $runId}]->(b)
SET x.weight = l.weight, x.evidence = l.evidence, x.cluster = l.cluster`;

// A carried cluster is found by its stable id (index cluster_id: one node per run that detected it)
// among those the previous run includes; it may have been detected several runs back.
const Q_CARRY = `
UNWIND $rows AS id
MATCH (k:Cluster {id: id})-[:IN_RUN]->(:LinkageRun {id: $fromRunId})
MATCH (r:LinkageRun {id: $runId})
MERGE (k)-[i:IN_RUN]->(r)
SET i.lineage = 'unchanged', i.previousId = k.id
RETURN count(k) AS n`;

async function batched<T>(
  client: Neo4jClient,
  cypher: string,
  rows: readonly T[],
  params: Record<string, unknown>,
  o: WriteOptions,
  phase: string,
): Promise<void> {
  let next = 0;
  let done = 0;
  // Every statement MERGEs on keys, so batches may commit in any order with the same result.
  const writer = async (): Promise<void> => {
    while (next < rows.length) {
      const slice = rows.slice(next, (next += o.batchSize));
      await client.write((tx) => tx.run(cypher, { ...params, rows: slice }));
      done += slice.length;
      o.onProgress?.(phase, done, rows.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.writers) }, writer));
}

/** Write one run: the LinkageRun node first, clusters, memberships, links; finishedAt last (a run without it is incomplete). */
export async function writeRun(
  client: Neo4jClient,
  run: RunRecord,
  clusters: readonly DetectedCluster[],
  stats: DetectionStats | Record<string, unknown>,
  options: Partial<WriteOptions> = {},
): Promise<void> {
  const o = { ...WRITE_DEFAULTS, ...options };
  await startRun(client, run);
  const uid = (c: DetectedCluster): string => `${run.id}/${c.id}`;
  const clusterRows = clusters.map((c) => ({
    uid: uid(c),
    id: c.id,
    score: c.score,
    recommendation: c.recommendation,
    size: neo4j.int(c.size),
    reasons: [...c.reasons],
    features: JSON.stringify({ ...c.features, contributions: c.contributions }),
    lineage: c.lineage,
    previousId: c.previousId ?? null,
    weakestLink: c.weakestLink?.weight ?? 0,
  }));
  await batched(client, Q_CLUSTERS, clusterRows, { runId: run.id }, { ...o, batchSize: Math.min(o.batchSize, 1000) }, 'clusters');
  const memberRows: Array<{ account: string; uid: string; respawn: boolean; recommendation: string; reasons: string[]; kinds: string[]; attachment: string }> =
    [];
  for (const c of clusters) {
    const re = new Set(c.respawn);
    c.members.forEach((a, i) => {
      // The member's own verdict (member-verdict.ts): recommendation, reasons, attachment by kind.
      const v = c.memberVerdicts[i]!;
      const attachment = JSON.stringify({ bits: v.bits, links: v.links, strongestLink: v.strongestLink, weakestLink: v.weakestLink });
      memberRows.push({
        account: a,
        uid: uid(c),
        respawn: re.has(a),
        recommendation: v.recommendation,
        reasons: [...v.reasons],
        kinds: [...v.kinds],
        attachment,
      });
    });
  }
  await batched(client, Q_MEMBERS, memberRows, { runId: run.id }, o, 'members');
  const linkRows = clusters.flatMap((c) =>
    c.links.map((l) => ({ a: l.a, b: l.b, weight: l.weight, evidence: JSON.stringify(l.evidence), cluster: c.id })),
  );
  await batched(client, Q_LINKS, linkRows, { runId: run.id }, o, 'links');
  if (o.carry && o.carry.clusterIds.length) await carryClusters(client, run.id, o.carry, o);
  await finishRun(client, run.id, stats);
}

/**
 * Include the previous run's carried clusters in this run. Every one must be found: a cluster the
 * snapshot names but the store no longer has stops the run unfinished, with NotFoundError, rather
 * than finish it with clusters missing (the service checks the count first: docs/incremental.md).
 */
async function carryClusters(client: Neo4jClient, runId: string, carry: NonNullable<WriteOptions['carry']>, o: WriteOptions): Promise<void> {
  const ids = carry.clusterIds;
  let found = 0;
  for (let i = 0; i < ids.length; i += o.batchSize) {
    const rows = ids.slice(i, i + o.batchSize);
    const res = await client.write((tx) => tx.run(Q_CARRY, { rows, runId, fromRunId: carry.fromRunId }));
    found += toNum(res.records[0]?.get('n'));
    o.onProgress?.('carry', Math.min(i + rows.length, ids.length), ids.length);
  }
  if (found !== ids.length) {
    throw new NotFoundError(`run ${runId}: ${ids.length - found} of ${ids.length} carried clusters are not in run ${carry.fromRunId}; run \`ringscope detect --full\``);
  }
}

export interface ClusterSummary {
  readonly id: string;
  readonly runId: string;
  readonly score: number;
  readonly recommendation: Recommendation;
  readonly size: number;
  readonly lineage: string;
  readonly previousId: string | null;
  readonly weakestLink: number;
  readonly respawns: number;
  readonly reasons: readonly string[];
}

/** Clusters of a run at or above a recommendation, best score first. */
export async function listClusters(client: Neo4jClient, runId: string, minRecommendation: Recommendation = 'monitor'): Promise<ClusterSummary[]> {
  const allowed = recommendationsAtLeast(minRecommendation);
  const res = await client.query(
    `MATCH (:LinkageRun {id: $runId})<-[i:IN_RUN]-(k:Cluster) WHERE k.recommendation IN $allowed
     CALL (k) { OPTIONAL MATCH (a:Account)-[m:MEMBER_OF {respawn: true}]->(k) WHERE k.runId = $runId RETURN count(a) AS respawns }
     RETURN k.id AS id, $runId AS runId, k.score AS score, k.recommendation AS recommendation, k.size AS size,
            coalesce(i.lineage, k.lineage) AS lineage, CASE WHEN i.lineage IS NULL THEN k.previousId ELSE i.previousId END AS previousId,
            k.weakestLink AS weakestLink, respawns, k.reasons AS reasons
     ORDER BY k.score DESC, k.size DESC, k.id`,
    { runId, allowed },
    'READ',
  );
  return res.records.map((r) => ({
    id: r.get('id') as string,
    runId: r.get('runId') as string,
    score: toNum(r.get('score')),
    recommendation: r.get('recommendation') as Recommendation,
    size: toNum(r.get('size')),
    lineage: r.get('lineage') as string,
    previousId: (r.get('previousId') as string | null) ?? null,
    weakestLink: toNum(r.get('weakestLink')),
    respawns: toNum(r.get('respawns')),
    reasons: r.get('reasons') as string[],
  }));
}

export interface MemberDetail {
  readonly id: string;
  readonly respawn: boolean;
  readonly recommendation: Recommendation;
  readonly reasons: readonly string[];
  readonly kinds: readonly string[];
  /** Bits into the cluster by kind, links, strongest and weakest link; undefined for older runs. */
  readonly attachment: MemberAttachment | undefined;
}

export interface ClusterDetail extends ClusterSummary {
  readonly features: Record<string, unknown>;
  /** Members with their own verdict (`recommendation` is the cluster's for runs written before member verdicts). */
  readonly members: ReadonlyArray<MemberDetail>;
  readonly links: ReadonlyArray<{ a: string; b: string; weight: number; evidence: Record<string, number> }>;
}

/** One cluster of a run with members and its written links. Throws NotFoundError. */
export async function getCluster(client: Neo4jClient, runId: string, clusterId: string): Promise<ClusterDetail> {
  const res = await client.query(
    `MATCH (:LinkageRun {id: $runId})<-[i:IN_RUN]-(k:Cluster {id: $clusterId})
     CALL (k) { MATCH (a:Account)-[m:MEMBER_OF]->(k)
                RETURN collect({id: a.id, respawn: coalesce(m.respawn, false) AND k.runId = $runId, recommendation: coalesce(m.recommendation, k.recommendation),
                                reasons: coalesce(m.reasons, []), kinds: coalesce(m.kinds, []), attachment: m.attachment}) AS members }
     CALL (k) { MATCH (a:Account)-[:MEMBER_OF]->(k), (a)-[l:LINKED]->(b:Account) WHERE l.runId = k.runId
                RETURN collect({a: a.id, b: b.id, weight: l.weight, evidence: l.evidence}) AS links }
     RETURN k, coalesce(i.lineage, k.lineage) AS lineage, CASE WHEN i.lineage IS NULL THEN k.previousId ELSE i.previousId END AS previousId, members, links`,
    { clusterId, runId },
    'READ',
  );
  const rec = res.records[0];
  if (!rec) throw new NotFoundError(`cluster ${clusterId} not found in run ${runId}`);
  const k = (rec.get('k') as { properties: Record<string, unknown> }).properties;
  const members = (rec.get('members') as Array<Omit<MemberDetail, 'attachment'> & { attachment: string | null }>)
    .map((m) => ({ ...m, attachment: m.attachment ? (JSON.parse(m.attachment) as MemberDetail['attachment']) : undefined }))
    .sort((x, y) => (x.id < y.id ? -1 : 1));
  const links = (rec.get('links') as Array<{ a: string; b: string; weight: unknown; evidence: string }>)
    .map((l) => ({ a: l.a, b: l.b, weight: toNum(l.weight), evidence: JSON.parse(l.evidence) as Record<string, number> }))
    .sort((x, y) => y.weight - x.weight);
  return {
    id: k.id as string,
    runId,
    score: toNum(k.score),
    recommendation: k.recommendation as Recommendation,
    size: toNum(k.size),
    lineage: rec.get('lineage') as string,
    previousId: (rec.get('previousId') as string | null) ?? null,
    weakestLink: toNum(k.weakestLink),
    respawns: members.filter((m) => m.respawn).length,
    reasons: k.reasons as string[],
    features: JSON.parse(k.features as string) as Record<string, unknown>,
    members,
    links,
  };
}
