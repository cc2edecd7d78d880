/**
 * The export schema (docs/export-format.md). Bump SCHEMA_VERSION's major on any breaking change
 * (renamed/removed field, changed meaning); add fields with a minor bump.
 */
export const SCHEMA_VERSION = '1.1';

import type { Recommendation } from '../vocabulary/index.js';
export { RECOMMENDATION_RANK, isRecommendation, type Recommendation } from '../vocabulary/index.js';

export type ExportFormat = 'csv' | 'ndjson' | 'json' | 'stix';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'ndjson', 'json', 'stix'];

/** The run an export was taken from. Times are ISO-8601 UTC strings (the run's own, never "now"). */
export interface RunInfo {
  readonly id: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

/** One row per (account, cluster) membership of the run. */
export interface AccountRow {
  readonly schema_version: string;
  readonly account_id: string;
  readonly cluster_id: string;
  readonly run_id: string;
  readonly score: number;
  readonly recommendation: Recommendation;
  readonly lineage: string;
  /** Joined a cluster that the previous run recommended `enforce`. */
  readonly respawn: boolean;
  readonly top_reasons: readonly string[];
  /**
   * Since 1.1: the account's own recommendation. Equal to the cluster's `recommendation` or below it:
   * a member held in an `enforce` cluster by one kind of evidence only is `review`.
   */
  readonly member_recommendation: Recommendation;
  /** Since 1.1: the reasons for the member's own recommendation (its attachment by kind). */
  readonly member_reasons: readonly string[];
}

/** One row per cluster: its result plus the identifiers used by ≥ 2 of its members (bounded lists). */
export interface ClusterRow {
  readonly schema_version: string;
  readonly run_id: string;
  readonly cluster_id: string;
  readonly score: number;
  readonly recommendation: Recommendation;
  readonly size: number;
  readonly lineage: string;
  readonly previous_id: string | null;
  readonly weakest_link: number | null;
  readonly top_reasons: readonly string[];
  readonly payment_fingerprints: readonly string[];
  readonly payment_fingerprints_total: number;
  readonly ips: readonly string[];
  readonly ips_total: number;
  readonly subnets: readonly string[];
  readonly subnets_total: number;
  readonly prompt_fingerprints: readonly string[];
  readonly prompt_fingerprints_total: number;
}

export const ACCOUNT_COLUMNS = [
  'schema_version',
  'account_id',
  'cluster_id',
  'run_id',
  'score',
  'recommendation',
  'lineage',
  'respawn',
  'top_reasons',
  'member_recommendation',
  'member_reasons',
] as const satisfies ReadonlyArray<keyof AccountRow>;

export const CLUSTER_COLUMNS = [
  'schema_version',
  'run_id',
  'cluster_id',
  'score',
  'recommendation',
  'size',
  'lineage',
  'previous_id',
  'weakest_link',
  'top_reasons',
  'payment_fingerprints',
  'payment_fingerprints_total',
  'ips',
  'ips_total',
  'subnets',
  'subnets_total',
  'prompt_fingerprints',
  'prompt_fingerprints_total',
] as const satisfies ReadonlyArray<keyof ClusterRow>;

export type SharedKind = 'payment' | 'ip' | 'subnet' | 'prompt';

/** An identifier used by ≥ 2 members of one cluster. */
export interface SharedIdentifier {
  readonly kind: SharedKind;
  readonly key: string;
  /** Members of the cluster that used it. */
  readonly members: number;
  /**
   * Of those, members whose own verdict is below the cluster's (held by too few kinds of evidence,
   * such as a bystander whose home IP is one of the ring's proxy exits). Runs before 1.1 stored no
   * member verdicts: 0.
   */
  readonly lowered: number;
  /** All accounts in the database that used it (a CGNAT IP has many more than the cluster). */
  readonly accounts: number;
  /** IP and subnet only: 4 or 6. */
  readonly version: number | null;
}

/** Everything one export needs, loaded once from Neo4j. */
export interface RunExport {
  readonly run: RunInfo;
  readonly minRecommendation: Recommendation;
  /** Sorted: score desc, cluster_id asc. */
  readonly clusters: readonly ClusterRow[];
  /** Sorted like clusters, then account_id asc. */
  readonly accounts: readonly AccountRow[];
  /** Every shared identifier per cluster id, sorted members desc then key asc (unbounded). */
  readonly shared: ReadonlyMap<string, readonly SharedIdentifier[]>;
}
