import { resolveRun, toNum, type Neo4jClient } from '../db/index.js';
import { RECOMMENDATION_RANK, recommendationsAtLeast } from '../vocabulary/index.js';
import { byString } from '../util/compare.js';
import {
  SCHEMA_VERSION,
  isRecommendation,
  type AccountRow,
  type ClusterRow,
  type Recommendation,
  type RunExport,
  type SharedIdentifier,
  type SharedKind,
} from './schema.js';

export interface LoadExportOptions {
  /** `latest` or a run id. @defaultValue 'latest' */
  readonly run?: string;
  /** Clusters below this recommendation are left out. @defaultValue 'review' */
  readonly minRecommendation?: Recommendation;
  /** Longest list of shared identifiers of one kind in a cluster row (the `_total` field keeps the full count). @defaultValue 50 */
  readonly maxIdentifiersPerKind?: number;
  /** Reasons copied into each row (the cluster's reasons are stored strongest first). @defaultValue 3 */
  readonly topReasons?: number;
}

export const DEFAULTS: Required<LoadExportOptions> = {
  run: 'latest',
  minRecommendation: 'review',
  maxIdentifiersPerKind: 50,
  topReasons: 3,
};

const LABEL_KIND: Record<string, SharedKind> = { PaymentMethod: 'payment', IP: 'ip', Subnet: 'subnet', PromptFingerprint: 'prompt' };

/** Identifiers used by ≥ 2 members of each cluster of the run ("shared"), with global use counts. */
const SHARED_CYPHER = `
MATCH (run:LinkageRun {id: $runId})<-[:IN_RUN]-(c:Cluster)
WHERE c.id IN $clusterIds
CALL (c) {
  MATCH (c)<-[m:MEMBER_OF]-(a:Account)-[:PAID_WITH|CONNECTED_FROM|SENT]->(i)
  WITH i, count(DISTINCT a) AS members, count(DISTINCT CASE WHEN m.recommendation <> c.recommendation THEN a END) AS lowered
  WHERE members >= 2
  RETURN labels(i)[0] AS label, coalesce(i.id, i.address) AS key, members, lowered, i.version AS version,
         COUNT { MATCH (i)<-[:PAID_WITH|CONNECTED_FROM|SENT]-(x:Account) RETURN DISTINCT x } AS accounts
  UNION ALL
  MATCH (c)<-[m:MEMBER_OF]-(a:Account)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(s:Subnet)
  WITH s, count(DISTINCT a) AS members, count(DISTINCT CASE WHEN m.recommendation <> c.recommendation THEN a END) AS lowered
  WHERE members >= 2
  RETURN 'Subnet' AS label, s.cidr AS key, members, lowered, s.version AS version,
         COUNT { MATCH (s)<-[:IN_SUBNET]-(:IP)<-[:CONNECTED_FROM]-(x:Account) RETURN DISTINCT x } AS accounts
}
RETURN c.id AS cluster, label, key, members, lowered, accounts, version`;

/** A member's own recommendation, never above its cluster's (runs before 1.1 stored none: the cluster's). */
function memberRecommendation(v: string, cluster: Recommendation): Recommendation {
  return isRecommendation(v) && RECOMMENDATION_RANK[v] <= RECOMMENDATION_RANK[cluster] ? v : cluster;
}

function sortShared(list: SharedIdentifier[]): SharedIdentifier[] {
  return list.sort((a, b) => b.members - a.members || byString(a.key, b.key));
}

/** Load one run's results (clusters at or above the minimum recommendation) for export. Read-only. */
export async function loadRunExport(client: Neo4jClient, options: LoadExportOptions = {}): Promise<RunExport> {
  const o = { ...DEFAULTS, ...options };
  const run = await resolveRun(client, o.run);
  const recs = recommendationsAtLeast(o.minRecommendation);

  const clusterRes = await client.query(
    // Lineage is the run's (on IN_RUN: `unchanged` for a carried cluster); older runs kept it on the node only.
    `MATCH (:LinkageRun {id: $runId})<-[i:IN_RUN]-(c:Cluster)
     WHERE c.recommendation IN $recs
     RETURN c.id AS id, c.score AS score, c.recommendation AS recommendation, c.size AS size, coalesce(i.lineage, c.lineage) AS lineage,
            CASE WHEN i.lineage IS NULL THEN c.previousId ELSE i.previousId END AS previousId, c.weakestLink AS weakestLink,
            coalesce(c.reasons, []) AS reasons`,
    { runId: run.id, recs },
    'READ',
  );
  const base = clusterRes.records.map((r) => {
    const rec = String(r.get('recommendation'));
    return {
      id: String(r.get('id')),
      score: toNum(r.get('score')),
      recommendation: (isRecommendation(rec) ? rec : 'monitor') as Recommendation,
      size: toNum(r.get('size')),
      lineage: String(r.get('lineage') ?? 'new'),
      previousId: r.get('previousId') === null ? null : String(r.get('previousId')),
      weakestLink: r.get('weakestLink') === null ? null : toNum(r.get('weakestLink')),
      reasons: (r.get('reasons') as unknown[]).map(String).slice(0, o.topReasons),
    };
  });
  base.sort((a, b) => b.score - a.score || byString(a.id, b.id));
  const clusterIds = base.map((c) => c.id);

  const shared = new Map<string, SharedIdentifier[]>(clusterIds.map((id) => [id, []]));
  if (clusterIds.length > 0) {
    const res = await client.query(SHARED_CYPHER, { runId: run.id, clusterIds }, 'READ');
    for (const r of res.records) {
      const kind = LABEL_KIND[String(r.get('label'))];
      if (!kind) continue;
      shared.get(String(r.get('cluster')))?.push({
        kind,
        key: String(r.get('key')),
        members: toNum(r.get('members')),
        lowered: toNum(r.get('lowered')),
        accounts: toNum(r.get('accounts')),
        version: r.get('version') === null ? null : toNum(r.get('version')),
      });
    }
    for (const list of shared.values()) sortShared(list);
  }

  const clusters: ClusterRow[] = base.map((c) => {
    const list = shared.get(c.id) ?? [];
    const of = (k: SharedKind) => list.filter((s) => s.kind === k).map((s) => s.key);
    const [pay, ips, subnets, prompts] = (['payment', 'ip', 'subnet', 'prompt'] as const).map(of) as [string[], string[], string[], string[]];
    return {
      schema_version: SCHEMA_VERSION,
      run_id: run.id,
      cluster_id: c.id,
      score: c.score,
      recommendation: c.recommendation,
      size: c.size,
      lineage: c.lineage,
      previous_id: c.previousId,
      weakest_link: c.weakestLink,
      top_reasons: c.reasons,
      payment_fingerprints: pay.slice(0, o.maxIdentifiersPerKind),
      payment_fingerprints_total: pay.length,
      ips: ips.slice(0, o.maxIdentifiersPerKind),
      ips_total: ips.length,
      subnets: subnets.slice(0, o.maxIdentifiersPerKind),
      subnets_total: subnets.length,
      prompt_fingerprints: prompts.slice(0, o.maxIdentifiersPerKind),
      prompt_fingerprints_total: prompts.length,
    };
  });

  const memberRes = await client.query(
    `MATCH (:LinkageRun {id: $runId})<-[:IN_RUN]-(c:Cluster)<-[m:MEMBER_OF]-(a:Account)
     WHERE c.id IN $clusterIds
     // A respawn joined in the run that detected the cluster; a carried cluster's members are not respawns again.
     RETURN a.id AS account, c.id AS cluster, coalesce(m.respawn, false) AND c.runId = $runId AS respawn,
            coalesce(m.recommendation, c.recommendation) AS memberRecommendation, coalesce(m.reasons, []) AS memberReasons`,
    { runId: run.id, clusterIds },
    'READ',
  );
  const byId = new Map(base.map((c, i) => [c.id, { c, i }]));
  const accounts: Array<AccountRow & { order: number }> = memberRes.records.map((r) => {
    const { c, i } = byId.get(String(r.get('cluster')))!;
    return {
      order: i,
      schema_version: SCHEMA_VERSION,
      account_id: String(r.get('account')),
      cluster_id: c.id,
      run_id: run.id,
      score: c.score,
      recommendation: c.recommendation,
      lineage: c.lineage,
      respawn: r.get('respawn') === true,
      top_reasons: c.reasons,
      member_recommendation: memberRecommendation(String(r.get('memberRecommendation')), c.recommendation),
      member_reasons: (r.get('memberReasons') as unknown[]).map(String),
    };
  });
  accounts.sort((a, b) => a.order - b.order || byString(a.account_id, b.account_id));
  return {
    run,
    minRecommendation: o.minRecommendation,
    clusters,
    accounts: accounts.map(({ order: _order, ...row }) => row),
    shared,
  };
}
