import { FINGERPRINT_KINDS, PROMPT_MARKERS } from '../vocabulary/index.js';
import { z } from 'zod';
import { capabilityLabel } from '../vocabulary/capabilities.js';
import type { Capability, FingerprintKind, PromptMarker } from '../graph/types.js';
import type { FileKind } from './file-kinds.js';
import { canonicalIp } from './ip.js';
import { epochHour, parseTimestamp } from './timestamp.js';

/**
 * Per-row validation (zod), one schema per file kind. Input values are strings (CSV cells, or NDJSON
 * scalars turned into strings); an empty string means "absent". Output rows are normalised:
 * times in epoch ms (UTC), IPs canonical, integers as safe JS integers.
 */

/** Longest identifier or text value accepted, in UTF-16 code units. Longer values reject the row. */
export const MAX_VALUE_LENGTH = 512;

// C0 and C1 control characters and DEL: invisible in exports, and a classic way to smuggle look-alike ids.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// A lone UTF-16 surrogate (only NDJSON \ud800 escapes can produce one) is not valid Unicode text.
const LONE_SURROGATE = /\p{Cs}/u;

const required = { error: 'is required' } as const;

/**
 * Why a text value (an id, a label) is not acceptable, or undefined: the same rules as the row
 * schemas' `text`, for producers of drop files outside the loaders (`ringscope fingerprint`), so
 * what they write is what ingest accepts.
 */
export function textProblem(s: string): string | undefined {
  if (s.length === 0) return 'is required';
  if (s.length > MAX_VALUE_LENGTH) return `longer than ${MAX_VALUE_LENGTH} characters`;
  if (CONTROL.test(s)) return 'contains control characters';
  if (LONE_SURROGATE.test(s)) return 'contains an unpaired UTF-16 surrogate';
  return undefined;
}

const text = z
  .string(required)
  .min(1, 'is required')
  .max(MAX_VALUE_LENGTH, `longer than ${MAX_VALUE_LENGTH} characters`)
  .refine((s) => !CONTROL.test(s), 'contains control characters')
  .refine((s) => !LONE_SURROGATE.test(s), 'contains an unpaired UTF-16 surrogate');

const timestamp = z.string(required).transform((s, ctx) => {
  const t = parseTimestamp(s);
  if (typeof t === 'string') {
    ctx.addIssue({ code: 'custom', message: t });
    return z.NEVER;
  }
  return t;
});

const integer = z.string(required).transform((s, ctx) => {
  if (!/^\d+$/.test(s)) {
    ctx.addIssue({ code: 'custom', message: s.startsWith('-') ? 'must not be negative' : 'not a non-negative integer' });
    return z.NEVER;
  }
  const n = Number(s);
  if (!Number.isSafeInteger(n)) {
    ctx.addIssue({ code: 'custom', message: 'integer too large' });
    return z.NEVER;
  }
  return n;
});

const boolean = z.string().transform((s, ctx) => {
  const v = s.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  ctx.addIssue({ code: 'custom', message: 'not a boolean (true, false, 1, 0)' });
  return z.NEVER;
});

const ip = z.string(required).transform((s, ctx) => {
  const r = canonicalIp(s);
  if (typeof r === 'string') {
    ctx.addIssue({ code: 'custom', message: r });
    return z.NEVER;
  }
  return r;
});

// Any provider's label is accepted and kept, normalised (src/vocabulary/capabilities.ts).
const capability = z.string().transform((s, ctx) => {
  const r = capabilityLabel(s);
  if ('error' in r) {
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  }
  return r.label;
});
const FP_KINDS: readonly FingerprintKind[] = FINGERPRINT_KINDS;
const MARKERS: readonly PromptMarker[] = PROMPT_MARKERS;

const markers = z.string().transform((s, ctx) => {
  const parts = s
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const p of parts) {
    if (!(MARKERS as readonly string[]).includes(p)) {
      ctx.addIssue({ code: 'custom', message: `unknown marker (expected ${MARKERS.join(', ')})` });
      return z.NEVER;
    }
  }
  return [...new Set(parts)].sort() as PromptMarker[];
});

const seen = { first_seen: timestamp, last_seen: timestamp };

function seenOrder(v: { first_seen: number; last_seen: number }, ctx: z.RefinementCtx): void {
  if (v.last_seen < v.first_seen) ctx.addIssue({ code: 'custom', path: ['last_seen'], message: 'before first_seen' });
}

export const ROW_SCHEMAS = {
  accounts: z.object({
    account_id: text,
    created_at: timestamp,
    email_domain: text.optional(),
    country: text.optional(),
    verified: boolean.optional(),
    plan: text.optional(),
  }),
  payment_methods: z
    .object({ account_id: text, payment_fingerprint: text, ...seen, card_bin: text.optional(), card_country: text.optional() })
    .superRefine(seenOrder),
  ip_addresses: z
    .object({ account_id: text, ip, ...seen, requests: integer.optional(), asn: text.optional(), is_proxy: boolean.optional() })
    .superRefine(seenOrder),
  prompt_fingerprints: z
    .object({
      account_id: text,
      fingerprint: text,
      ...seen,
      count: integer.optional(),
      capability: capability.optional(),
      kind: z.enum(FP_KINDS, { error: `not one of ${FP_KINDS.join(', ')}` }).optional(),
      markers: markers.optional(),
    })
    .superRefine(seenOrder),
  activity: z.object({ account_id: text, hour: timestamp, requests: integer }),
} as const;

export interface AccountRow {
  readonly kind: 'accounts';
  readonly accountId: string;
  readonly createdAt: number;
  readonly emailDomain?: string;
  readonly country?: string;
  readonly verified?: boolean;
  readonly plan?: string;
}
export interface PaymentRow {
  readonly kind: 'payment_methods';
  readonly accountId: string;
  readonly key: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly cardBin?: string;
  readonly cardCountry?: string;
}
export interface IpRow {
  readonly kind: 'ip_addresses';
  readonly accountId: string;
  readonly key: string;
  readonly version: 4 | 6;
  readonly subnet: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Absent in the file means 1: a row is at least one request. */
  readonly requests: number;
  readonly asn?: string;
  readonly isProxy?: boolean;
}
export interface PromptRow {
  readonly kind: 'prompt_fingerprints';
  readonly accountId: string;
  readonly key: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Absent in the file means 1. */
  readonly count: number;
  readonly capability?: Capability;
  /** Absent in the file: the node keeps its kind (`template` when new). */
  readonly fpKind?: FingerprintKind;
  /** Markers accumulate on the fingerprint (union): a row without markers removes none. */
  readonly markers: readonly PromptMarker[];
}
export interface ActivityRow {
  readonly kind: 'activity';
  readonly accountId: string;
  /** Epoch hour (the minutes of `hour` are truncated). */
  readonly hour: number;
  readonly requests: number;
}

export type Row = AccountRow | PaymentRow | IpRow | PromptRow | ActivityRow;
export type RowOf<K extends FileKind> = Extract<Row, { kind: K }>;

/** Validation outcome of one row: the row, or the first failing field and why. */
export type RowResult = { ok: true; row: Row } | { ok: false; field: string; reason: string };

/** Validate one record (field name → string, '' or undefined = absent). */
export function validateRow(kind: FileKind, values: Record<string, string | undefined>): RowResult {
  const fast = fastRow(kind, values);
  if (fast !== undefined) return { ok: true, row: fast };
  return validateRowWithSchema(kind, values);
}

/** The zod path alone: the reference the fast path is tested against, and the source of every error. */
export function validateRowWithSchema(kind: FileKind, values: Record<string, string | undefined>): RowResult {
  const r = ROW_SCHEMAS[kind].safeParse(values);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return { ok: false, field: String(issue.path[0] ?? '(row)'), reason: issue.message };
  }
  return { ok: true, row: toRow(kind, r.data as never) };
}

function toRow(kind: FileKind, d: Record<string, never>): Row {
  const v = d as Record<string, unknown>;
  switch (kind) {
    case 'accounts':
      return omitUndefined({
        kind,
        accountId: v.account_id as string,
        createdAt: v.created_at as number,
        emailDomain: v.email_domain as string | undefined,
        country: v.country as string | undefined,
        verified: v.verified as boolean | undefined,
        plan: v.plan as string | undefined,
      });
    case 'payment_methods':
      return omitUndefined({
        kind,
        accountId: v.account_id as string,
        key: v.payment_fingerprint as string,
        firstSeen: v.first_seen as number,
        lastSeen: v.last_seen as number,
        cardBin: v.card_bin as string | undefined,
        cardCountry: v.card_country as string | undefined,
      });
    case 'ip_addresses': {
      const addr = v.ip as { address: string; version: 4 | 6; subnet: string };
      return omitUndefined({
        kind,
        accountId: v.account_id as string,
        key: addr.address,
        version: addr.version,
        subnet: addr.subnet,
        firstSeen: v.first_seen as number,
        lastSeen: v.last_seen as number,
        requests: (v.requests as number | undefined) ?? 1,
        asn: v.asn as string | undefined,
        isProxy: v.is_proxy as boolean | undefined,
      });
    }
    case 'prompt_fingerprints':
      return omitUndefined({
        kind,
        accountId: v.account_id as string,
        key: v.fingerprint as string,
        firstSeen: v.first_seen as number,
        lastSeen: v.last_seen as number,
        count: (v.count as number | undefined) ?? 1,
        capability: v.capability as Capability | undefined,
        fpKind: v.kind as FingerprintKind | undefined,
        markers: (v.markers as PromptMarker[] | undefined) ?? [],
      });
    case 'activity':
      return { kind, accountId: v.account_id as string, hour: epochHour(v.hour as number), requests: v.requests as number };
  }
}

function omitUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

// ---------------------------------------------------------------------------------------------
// Fast path. zod's object parse was ~40% of a validation pass (one 1M-account drop is ~37M rows).
// fastRow checks a record with the same primitives (parseTimestamp, canonicalIp, the same limits
// and character rules) and builds the same Row; at the first doubt it returns undefined and the
// zod schema decides, so every error message still comes from ROW_SCHEMAS. A differential test
// (test/loaders/validation.test.ts) holds the two to the same output.

const isText = (s: string | undefined): s is string =>
  s !== undefined && s.length >= 1 && s.length <= MAX_VALUE_LENGTH && !CONTROL.test(s) && !LONE_SURROGATE.test(s);
/** undefined → absent (ok); a bad value → null (fall back to zod). */
const optText = (s: string | undefined): string | undefined | null => (s === undefined ? undefined : isText(s) ? s : null);
const time = (s: string | undefined): number | null => {
  if (s === undefined) return null;
  const t = parseTimestamp(s);
  return typeof t === 'number' ? t : null;
};
const optInt = (s: string | undefined): number | undefined | null => {
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
};
const optBool = (s: string | undefined): boolean | undefined | null => {
  if (s === undefined) return undefined;
  const v = s.toLowerCase();
  return v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : null;
};
const optEnum = <T extends string>(s: string | undefined, allowed: readonly T[]): T | undefined | null =>
  s === undefined ? undefined : (allowed as readonly string[]).includes(s) ? (s as T) : null;

/** The Row for a record that is plainly valid, else undefined (then validateRowWithSchema decides). */
export function fastRow(kind: FileKind, v: Record<string, string | undefined>): Row | undefined {
  const accountId = v.account_id;
  if (!isText(accountId)) return undefined;
  switch (kind) {
    case 'accounts': {
      const createdAt = time(v.created_at);
      const emailDomain = optText(v.email_domain);
      const country = optText(v.country);
      const verified = optBool(v.verified);
      const plan = optText(v.plan);
      if (createdAt === null || emailDomain === null || country === null || verified === null || plan === null) return undefined;
      return omitUndefined({ kind, accountId, createdAt, emailDomain, country, verified, plan });
    }
    case 'activity': {
      const hour = time(v.hour);
      const requests = optInt(v.requests);
      if (hour === null || requests === null || requests === undefined) return undefined;
      return { kind, accountId, hour: epochHour(hour), requests };
    }
  }
  const firstSeen = time(v.first_seen);
  const lastSeen = time(v.last_seen);
  if (firstSeen === null || lastSeen === null || lastSeen < firstSeen) return undefined;
  switch (kind) {
    case 'payment_methods': {
      const key = v.payment_fingerprint;
      const cardBin = optText(v.card_bin);
      const cardCountry = optText(v.card_country);
      if (!isText(key) || cardBin === null || cardCountry === null) return undefined;
      return omitUndefined({ kind, accountId, key, firstSeen, lastSeen, cardBin, cardCountry });
    }
    case 'ip_addresses': {
      const addr = v.ip === undefined ? undefined : canonicalIp(v.ip);
      const requests = optInt(v.requests);
      const asn = optText(v.asn);
      const isProxy = optBool(v.is_proxy);
      if (addr === undefined || typeof addr === 'string' || requests === null || asn === null || isProxy === null) return undefined;
      return omitUndefined({
        kind,
        accountId,
        key: addr.address,
        version: addr.version,
        subnet: addr.subnet,
        firstSeen,
        lastSeen,
        requests: requests ?? 1,
        asn,
        isProxy,
      });
    }
    case 'prompt_fingerprints': {
      const key = v.fingerprint;
      const count = optInt(v.count);
      const cap = v.capability === undefined ? undefined : capabilityLabel(v.capability);
      const capability = cap === undefined ? undefined : 'label' in cap ? cap.label : null;
      const fpKind = optEnum(v.kind, FP_KINDS);
      if (!isText(key) || count === null || capability === null || fpKind === null) return undefined;
      let markers: PromptMarker[] = [];
      if (v.markers !== undefined) {
        const parts = v.markers
          .split(';')
          .map((p) => p.trim())
          .filter((p) => p !== '');
        if (!parts.every((p) => (MARKERS as readonly string[]).includes(p))) return undefined;
        markers = [...new Set(parts)].sort() as PromptMarker[];
      }
      return omitUndefined({ kind, accountId, key, firstSeen, lastSeen, count: count ?? 1, capability, fpKind, markers });
    }
  }
}
