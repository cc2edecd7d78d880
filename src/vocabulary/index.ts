/**
 * Public surface of the shared vocabulary: the closed sets of names that several modules agree on.
 * Each is a const array with its type derived from it, defined once.
 */
export { RECOMMENDATIONS, RECOMMENDATION_RANK, isRecommendation, recommendationsAtLeast, strongerRecommendation, type Recommendation } from './recommendations.js';
