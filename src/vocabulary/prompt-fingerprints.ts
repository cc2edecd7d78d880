/**
 * Prompt-fingerprint kinds and elicitation markers (docs/data-contract.md, docs/fingerprints.md).
 * The order of FINGERPRINT_KINDS is the order of per-kind counters in the projection and the bulk
 * importer; MARKERS' order is the order ingest stores them in.
 */
export const FINGERPRINT_KINDS = ['template', 'minhash', 'system', 'scaffold'] as const;
export type FingerprintKind = (typeof FINGERPRINT_KINDS)[number];

/** Elicitation markers named by the public reports as distillation signals. */
export const PROMPT_MARKERS = ['cot', 'rubric'] as const;
export type PromptMarker = (typeof PROMPT_MARKERS)[number];
