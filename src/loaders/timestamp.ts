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
  return canonicalUtc(text) ?? parseGeneral(text);
}

const DIGIT = (c: number): boolean => c >= 48 && c <= 57;
const d2 = (s: string, i: number): number => (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The form nearly every exporter writes, `YYYY-MM-DDTHH:MM:SSZ`, read from its characters with no
 * regex and no Date object (timestamps are half the cells of a drop; this was 14% of a bulk load's
 * CPU profile). Anything else, or anything out of range, returns undefined and goes through
 * parseGeneral, which also words the error; a test holds the two to the same results.
 */
function canonicalUtc(s: string): number | undefined {
  if (
    s.length !== 20 ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 90
  ) {
    return undefined;
  }
  for (const i of [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]) if (!DIGIT(s.charCodeAt(i))) return undefined;
  const Y = d2(s, 0) * 100 + d2(s, 2);
  const M = d2(s, 5);
  const D = d2(s, 8);
  const H = d2(s, 11);
  const MI = d2(s, 14);
  const S = d2(s, 17);
  if (M < 1 || M > 12 || D < 1 || H > 23 || MI > 59 || S > 59) return undefined;
  const leap = M === 2 && Y % 4 === 0 && (Y % 100 !== 0 || Y % 400 === 0);
  if (D > DAYS[M - 1]! + (leap ? 1 : 0)) return undefined;
  const utc = Date.UTC(Y, M - 1, D, H, MI, S);
  return utc < MIN_TIME_MS || utc >= MAX_TIME_MS ? undefined : utc;
}

/** Every accepted form (zones, fractions, a space for T), with the reason when it is not one. */
export function parseGeneral(text: string): number | string {
  const m = ISO.exec(text);
  if (!m) {
    return /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(text)
      ? 'timestamp has no time zone (add Z or an offset)'
      : 'not an ISO-8601 timestamp with a zone';
  }
  const [y, mo, d, h, mi, s = '0', frac = '0', zone = 'Z'] = m.slice(1) as Array<string | undefined>;
  const Y = Number(y),
    M = Number(mo),
    D = Number(d),
    H = Number(h),
    MI = Number(mi),
    S = Number(s);
  const ms = Math.floor(Number(`0.${frac}`) * 1000);
  // Date.UTC rolls over (Feb 30 -> Mar 2); a round trip catches impossible dates.
  const local = Date.UTC(Y, M - 1, D, H, MI, S, ms);
  const check = new Date(local);
  if (M < 1 || M > 12 || H > 23 || MI > 59 || S > 59 || check.getUTCFullYear() !== Y || check.getUTCMonth() !== M - 1 || check.getUTCDate() !== D) {
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
