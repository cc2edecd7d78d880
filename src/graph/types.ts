import type { FingerprintKind, PromptMarker } from '../vocabulary/index.js';
/**
 * The in-memory shapes that detection algorithms consume. They are produced either from Neo4j
 * (src/db/linkage-source.ts, paged) or straight from a drop's files (for baselines and
 * quick experiments). Algorithms never do I/O: they take these and options, and return results.
 *
 * Times are epoch milliseconds (UTC). Hours are epoch hours: Math.floor(ms / 3_600_000).
 */

/** Account attributes from `accounts` (all optional but the id: observations may precede the account row). */
export interface AccountAttrs {
  readonly id: string;
  readonly createdAt?: number;
  readonly emailDomain?: string;
  readonly country?: string;
  readonly verified?: boolean;
  readonly plan?: string;
}

/** The kinds of shared identifier that link accounts. */
export type IdentifierKind = 'payment' | 'ip' | 'subnet' | 'prompt';

/** One account's use of one identifier. */
export interface Membership {
  readonly account: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Observations / requests / prompt count behind this use (≥ 1). */
  readonly count: number;
}

export type { FingerprintKind, PromptMarker } from '../vocabulary/index.js';

/**
 * Capability label of a prompt fingerprint: any provider's label, normalised by capabilityLabel
 * (src/vocabulary/capabilities.ts); the built-in ones are CAPABILITIES there.
 */
export type Capability = string;

/** One identifier (a card, an IP, a /24 or /64, a prompt fingerprint) and every account that used it. */
export interface IdentifierGroup {
  readonly kind: IdentifierKind;
  readonly key: string;
  readonly members: readonly Membership[];
  /** IP only: hosting/proxy flag and ASN when the drop gave them. */
  readonly isProxy?: boolean;
  readonly asn?: string;
  /** Prompt fingerprints only. */
  readonly capability?: Capability;
  readonly fpKind?: FingerprintKind;
  readonly markers?: readonly PromptMarker[];
}

/** Hourly activity of one account: parallel arrays sorted by hour, one entry per hour (ingest merges an hour seen twice). */
export interface ActivitySeries {
  readonly hours: Int32Array;
  readonly requests: Float64Array;
}

/**
 * One account's prompt fingerprints that no other account sent, as totals. Such a fingerprint links
 * no pair; it only counts in the account's prompt mass (projection) and prompt volume (features).
 * Most fingerprints are of this kind (99.6% of 924,205 in the 70k mixed scenario), so readers may fold them
 * here instead of holding an IdentifierGroup each: at 1M accounts that is ~12M objects fewer.
 */
export interface SoloPrompts {
  /** Distinct solo fingerprints, by fingerprint kind (absent kind = template). */
  readonly fingerprints: Partial<Record<FingerprintKind, number>>;
  /** Prompt volume (summed membership counts), by capability (absent capability = other). */
  readonly volume: Partial<Record<Capability, number>>;
  /** Volume on fingerprints that carry a marker (cot, rubric). */
  readonly markedVolume: number;
  /**
   * Volume on scaffold fingerprints, which `volume` and `markedVolume` leave out: they are a second
   * view of prompts already counted through their whole-prompt fingerprints. Absent = 0.
   */
  readonly scaffoldVolume?: number;
}

/** Everything detection needs. */
export interface LinkageInput {
  readonly accounts: ReadonlyMap<string, AccountAttrs>;
  /** Shared identifiers; single-account prompt fingerprints may be here or in `soloPrompts`, with the same results. */
  readonly identifiers: readonly IdentifierGroup[];
  readonly activity: ReadonlyMap<string, ActivitySeries>;
  readonly soloPrompts?: ReadonlyMap<string, SoloPrompts>;
}

/** A partition of accounts into clusters (cluster ids are opaque strings). */
export type Assignment = ReadonlyMap<string, string>;
