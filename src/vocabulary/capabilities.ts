/**
 * The capability vocabulary. A drop may carry any provider's own labels (`analysis`, `math`,
 * `long-horizon-planning`…): a label is descriptive, so it is normalised and kept, never a reason
 * to reject a row (docs/data-contract.md). Which labels count as distillation targets is
 * configuration (RINGSCOPE_TARGET_CAPABILITIES, src/config/); every other label is ordinary use.
 */

/** The built-in labels: the fingerprinter's rules tag prompts with these, and the generator writes them. */
export const CAPABILITIES = ['coding', 'agentic', 'cyber', 'reasoning', 'writing', 'other'] as const;
export type BuiltInCapability = (typeof CAPABILITIES)[number];

/** The capabilities the public distillation reports name as targets (default of RINGSCOPE_TARGET_CAPABILITIES). */
export const DEFAULT_TARGET_CAPABILITIES = ['coding', 'agentic', 'cyber', 'reasoning'] as const satisfies readonly BuiltInCapability[];

/** Longest capability label, in UTF-16 code units after trimming. */
export const MAX_CAPABILITY_LENGTH = 64;

// C0/C1 control characters, DEL, and unpaired surrogates: the same characters the loaders refuse in any text value.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u;

// The labels most rows carry, answered without normalising (the loaders call this once per prompt row).
const BUILT_IN = new Map<string, { readonly label: string }>(CAPABILITIES.map((c) => [c, Object.freeze({ label: c })]));

/**
 * A capability label normalised (trimmed, lower case), or the reason it is not one: 1–64
 * characters, no control characters.
 */
export function capabilityLabel(raw: string): { readonly label: string } | { readonly error: string } {
  const known = BUILT_IN.get(raw);
  if (known) return known;
  const label = raw.trim().toLowerCase();
  if (label.length === 0) return { error: 'is empty' };
  if (label.length > MAX_CAPABILITY_LENGTH) return { error: `longer than ${MAX_CAPABILITY_LENGTH} characters` };
  if (FORBIDDEN.test(label)) return { error: 'contains control characters' };
  return { label };
}
