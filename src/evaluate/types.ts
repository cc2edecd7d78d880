/** Shapes shared by evaluate, the baselines and the run reader. */

import { RECOMMENDATION_RANK, isRecommendation, type Recommendation } from '../vocabulary/index.js';

/** Recommendation levels, weakest first. An account is flagged at level L if its cluster's level ≥ L. */
export { RECOMMENDATIONS, isRecommendation, type Recommendation } from '../vocabulary/index.js';

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

/**
 * Flag level of a prediction: `none` (or anything unknown) = 0, then the shared rank + 1
 * (monitor 1, review 2, enforce 3), so "unflagged" sorts below every recommendation.
 */
export function flagLevel(r: string): number {
  return isRecommendation(r) ? RECOMMENDATION_RANK[r] + 1 : 0;
}
