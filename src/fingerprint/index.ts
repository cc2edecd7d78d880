/**
 * Prompt fingerprinting (issues #7, #17): raw prompt logs → template / MinHash-LSH / scaffold /
 * system-prompt fingerprints with capability tags and elicitation markers. Raw text never leaves this module.
 * See docs/fingerprints.md.
 */
export {
  Fingerprinter,
  fingerprintPrompt,
  formatId,
  DEFAULTS,
  ID_TEMPLATE,
  ID_SYSTEM,
  ID_SCAFFOLD,
  type FingerprintOptions,
  type FingerprintOverrides,
  type PromptFingerprint,
} from './fingerprinter.js';
export { fingerprintLog, LOG_DEFAULTS, type FingerprintLogOptions, type FingerprintLogSummary, type RejectedLine } from './fingerprint-log.js';
export { FingerprintAggregator, CSV_HEADER, csvLine, IsoCache, CAPABILITY_ORDER, type FingerprintRow } from './aggregate.js';
export { DEFAULT_RULES, type FingerprintRules, type CapabilityRule, type KeywordGroup } from './rules.js';
export { normalise, PLACEHOLDERS } from './tokens.js';
export { sCurve, MinHasher } from './minhash.js';
export { ScaffoldWinnower, SCAFFOLD_DEFAULTS, STOPWORDS, type ScaffoldOptions } from './scaffold.js';
export { PromptSynth, seededRandom, type PromptFamily, type VariantOptions } from './prompt-synth.js';
