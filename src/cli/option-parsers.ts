import { parseTimestamp } from '../loaders/timestamp.js';
import { InvalidParameterError } from '../util/errors.js';

/**
 * The CLI's one option layer: commander `argParser`s that turn an option's text into its typed
 * value or throw InvalidParameterError naming the option (printed as one line, exit 2, by
 * src/cli/main.ts). Defaults are given as typed values: commander does not parse them.
 */
export type Parser<T> = (value: string) => T;

const INT = /^[+-]?\d+$/;

/** An integer in [min, max]. */
export function intIn(option: string, min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (v) => {
    const n = Number(v);
    if (!INT.test(v.trim()) || !Number.isSafeInteger(n)) throw new InvalidParameterError(option, `must be an integer, got ${JSON.stringify(v)}`);
    if (n < min || n > max)
      throw new InvalidParameterError(option, max === Number.MAX_SAFE_INTEGER ? `must be ≥ ${min}, got ${n}` : `must be in [${min}, ${max}], got ${n}`);
    return n;
  };
}

export const positiveInt = (option: string): Parser<number> => intIn(option, 1);
export const nonNegativeInt = (option: string): Parser<number> => intIn(option, 0);

/** A finite number in [min, max]; `exclusiveMin` excludes min itself. */
export function numberIn(option: string, min: number, max: number, exclusiveMin = false): Parser<number> {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidParameterError(option, `must be a number, got ${JSON.stringify(v)}`);
    if (n < min || n > max || (exclusiveMin && n === min)) {
      const lo = exclusiveMin ? `> ${min}` : `≥ ${min}`;
      throw new InvalidParameterError(option, max === Infinity ? `must be ${lo}, got ${n}` : `must be ${lo} and ≤ ${max}, got ${n}`);
    }
    return n;
  };
}

export const positiveNumber = (option: string): Parser<number> => numberIn(option, 0, Infinity, true);
export const ratio = (option: string): Parser<number> => numberIn(option, 0, 1);

/** One of a closed list of names. */
export function choice<T extends string>(option: string, values: readonly T[]): Parser<T> {
  return (v) => {
    if (!(values as readonly string[]).includes(v)) throw new InvalidParameterError(option, `must be one of ${values.join('|')}, got ${JSON.stringify(v)}`);
    return v as T;
  };
}

/** A comma-separated, non-empty list of names from a closed list (duplicates dropped). */
export function choiceList<T extends string>(option: string, values: readonly T[]): Parser<T[]> {
  const one = choice(option, values);
  return (v) => {
    const out = [
      ...new Set(
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ].map(one);
    if (out.length === 0) throw new InvalidParameterError(option, 'must name at least one value');
    return out;
  };
}

/** A comma-separated, non-empty list of free names (e.g. truth labels), trimmed, duplicates dropped; no empty item. */
export function nameList(option: string): Parser<string[]> {
  return (v) => {
    const names = v.split(',').map((s) => s.trim());
    if (names.some((n) => n === '')) throw new InvalidParameterError(option, `must be names separated by commas, got ${JSON.stringify(v)}`);
    return [...new Set(names)];
  };
}

/**
 * A moment in time, as epoch ms: a date (`2026-05-01`, midnight UTC) or an ISO 8601 date-time with
 * a zone. The same rules as the loaders (src/loaders/timestamp.ts): `2026-02-30` is refused.
 */
export function isoMoment(option: string): Parser<number> {
  return (v) => {
    const t = parseTimestamp(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
    if (typeof t === 'string') throw new InvalidParameterError(option, `${t}: ${JSON.stringify(v)}`);
    return t;
  };
}

/** An identifier safe in file names and job ids (run ids, drop ids, schedule ids). */
export function safeId(option: string): Parser<string> {
  return (v) => {
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(v) || v === '.' || v === '..')
      throw new InvalidParameterError(option, `letters, digits, _ . - only (1–128), got ${JSON.stringify(v)}`);
    return v;
  };
}

/** An http(s) URL. */
export function httpUrl(option: string): Parser<string> {
  return (v) => {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(v).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new InvalidParameterError(option, `must be an http(s) URL, got ${JSON.stringify(v)}`);
    return v;
  };
}

/** A repeatable option: each value parsed, collected in order. */
export function repeatable<T>(parse: Parser<T>): (value: string, previous: T[] | undefined) => T[] {
  return (v, previous) => [...(previous ?? []), parse(v)];
}
