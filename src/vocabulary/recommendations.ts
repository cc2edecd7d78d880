/**
 * The recommendation levels of a cluster or account, weakest first. The one definition: the
 * graph's scoring, the run repository, exports, evaluate and the report all take it from here.
 */
export const RECOMMENDATIONS = ['monitor', 'review', 'enforce'] as const;
export type Recommendation = (typeof RECOMMENDATIONS)[number];

/** monitor 0, review 1, enforce 2: a level passes `--min-recommendation L` when its rank ≥ L's. */
export const RECOMMENDATION_RANK: Readonly<Record<Recommendation, number>> = Object.freeze({ monitor: 0, review: 1, enforce: 2 });

export function isRecommendation(v: unknown): v is Recommendation {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(RECOMMENDATION_RANK, v);
}

/** The levels at or above `min`, weakest first. */
export function recommendationsAtLeast(min: Recommendation): Recommendation[] {
  return RECOMMENDATIONS.filter((r) => RECOMMENDATION_RANK[r] >= RECOMMENDATION_RANK[min]);
}

/** The stronger of two levels. */
export function strongerRecommendation(a: Recommendation, b: Recommendation): Recommendation {
  return RECOMMENDATION_RANK[a] >= RECOMMENDATION_RANK[b] ? a : b;
}
