/**
 * Public surface of the shared vocabulary: the closed sets of names that several modules agree on.
 * Each is a const array with its type derived from it, defined once. Capability labels are open
 * (any provider's): CAPABILITIES are the built-in ones, and capabilityLabel the rule for any label.
 */
export {
  RECOMMENDATIONS,
  RECOMMENDATION_RANK,
  isRecommendation,
  recommendationsAtLeast,
  strongerRecommendation,
  type Recommendation,
} from './recommendations.js';
export { FINGERPRINT_KINDS, PROMPT_MARKERS, type FingerprintKind, type PromptMarker } from './prompt-fingerprints.js';
export { CAPABILITIES, DEFAULT_TARGET_CAPABILITIES, MAX_CAPABILITY_LENGTH, capabilityLabel, type BuiltInCapability } from './capabilities.js';
