/**
 * ISO-8601 timestamps with an explicit zone, normalised to UTC epoch milliseconds.
 * A timestamp without a zone is ambiguous (whose local time?), so it is rejected rather than guessed.
 */

// Date and time are required; seconds and fractions optional; zone is `Z` or `±hh:mm` / `±hhmm` / `±hh`.
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)$/;

/** Earliest accepted instant (inclusive): 2000-01-01T00:00:00Z. */
export const MIN_TIME_MS = Date.UTC(2000, 0, 1);
/** Latest accepted instant (exclusive): 2100-01-01T00:00:00Z. */
export const MAX_TIME_MS = Date.UTC(2100, 0, 1);

/** Milliseconds in one hour; epoch hours are floor(ms / HOUR_MS). */
export const HOUR_MS = 3_600_000;

/** Parse to epoch ms, or return a reason string. */
export function parseTimestamp(text: string): number | string {
  const m = ISO.exec(text);
  if (!m) {
    return /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(text)
      ? 'timestamp has no time zone (add Z or an offset)'
      : 'not an ISO-8601 timestamp with a zone';
  }
  const [y, mo, d, h, mi, s = '0', frac = '0', zone = 'Z'] = m.slice(1) as Array<string | undefined>;
  const Y = Number(y), M = Number(mo), D = Number(d), H = Number(h), MI = Number(mi), S = Number(s);
  const ms = Math.floor(Number(`0.${frac}`) * 1000);
  // Date.UTC rolls over (Feb 30 -> Mar 2); a round trip catches impossible dates.
  const local = Date.UTC(Y, M - 1, D, H, MI, S, ms);
  const check = new Date(local);
  if (
    M < 1 || M > 12 || H > 23 || MI > 59 || S > 59 ||
    check.getUTCFullYear() !== Y || check.getUTCMonth() !== M - 1 || check.getUTCDate() !== D
  ) {
    return 'impossible date or time';
  }
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 18 || om > 59) return 'impossible time-zone offset';
    offsetMin = sign * (oh * 60 + om);
  }
  const utc = local - offsetMin * 60_000;
  if (utc < MIN_TIME_MS || utc >= MAX_TIME_MS) return 'date out of range (2000-01-01 .. 2099-12-31 UTC)';
  return utc;
}

/** Epoch hour of an epoch-ms instant (minutes and seconds are truncated). */
export function epochHour(ms: number): number {
  return Math.floor(ms / HOUR_MS);
}
