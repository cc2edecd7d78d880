/** Shapes shared by evaluate, the baselines and the run reader. */

/** Recommendation levels, weakest first. An account is flagged at level L if its cluster's level ≥ L. */
export const RECOMMENDATIONS = ['monitor', 'review', 'enforce'] as const;
export type Recommendation = (typeof RECOMMENDATIONS)[number];

/** One account's predicted cluster. Accounts absent from a predictions map are unflagged. */
export interface Prediction {
  readonly clusterId: string;
  /** `none` (or anything unknown) means "in a cluster, but not flagged at any level". */
  readonly recommendation: Recommendation | 'none';
}

export type Predictions = ReadonlyMap<string, Prediction>;

/** One row of truth.csv. `group` is '' for independent accounts. */
export interface TruthRow {
  readonly accountId: string;
  readonly label: string;
  readonly group: string;
}

/** Rank of a recommendation: none = 0, monitor = 1, review = 2, enforce = 3. */
export function recommendationRank(r: string): number {
  return RECOMMENDATIONS.indexOf(r as Recommendation) + 1;
}

export function isRecommendation(r: string): r is Recommendation {
  return (RECOMMENDATIONS as readonly string[]).includes(r);
}
