import type { ActivitySeries } from './types.js';
import { fmix32 as mix32, mulberry32 } from '../util/hash.js';

/**
 * Co-activity synchrony (SynchroTrap, Cao et al., CCS 2014): accounts of one operator are active in
 * the same time buckets. All-pairs comparison is quadratic, so candidates come from MinHash LSH
 * over active-hour sets (Broder 1997; banding as in Leskovec et al., "Mining of Massive Datasets"
 * ch. 3): a pair with Jaccard J collides in at least one of b bands of r rows with probability
 * 1 − (1 − J^r)^b. Candidates are then scored exactly.
 *
 * The score is not raw Jaccard: two office workers in one time zone share most of their hours, and
 * all 24/7 bots share all of them. Each pair's observed common hours are compared with what
 * independent accounts would share given how crowded each hour is (a lift, i.e. pointwise mutual
 * information): crowded hours are discounted and uniform 24/7 activity yields no evidence.
 */
export interface SyncOptions {
  /** LSH bands. @defaultValue 8 */
  readonly bands: number;
  /** MinHash rows per band. @defaultValue 3 */
  readonly rows: number;
  /** Buckets larger than this link each member to its next `neighbours` members only (≤ neighbours·size pairs). @defaultValue 40 */
  readonly bucketCap: number;
  /** Neighbours per member in an oversized bucket. @defaultValue 8 */
  readonly neighbours: number;
  /** Fewer common active hours than this is no evidence. @defaultValue 6 */
  readonly minCommonHours: number;
  /** @defaultValue 0.3 */
  readonly minJaccard: number;
  /** Observed/expected common hours below this is no evidence. @defaultValue 2 */
  readonly minLift: number;
  /** Evidence (bits) of a perfectly synchronised pair at lift ≥ 8. @defaultValue 8 */
  readonly maxBits: number;
}

export const SYNC_DEFAULTS: SyncOptions = {
  bands: 8,
  rows: 3,
  bucketCap: 40,
  neighbours: 8,
  minCommonHours: 6,
  minJaccard: 0.3,
  minLift: 2,
  maxBits: 8,
};

export interface SyncLink {
  readonly a: number;
  readonly b: number;
  readonly bits: number;
}

/**
 * Implementation limits (not detection options: they change how, never what, is computed, so they
 * stay out of the parameter digest). Tests lower them to check both paths give the same links.
 */
export interface SyncLimits {
  /** Hour crowding sits in a dense array when the data spans at most this many hours (a decade is ~88k). */
  readonly denseHourSpan: number;
  /** Active-hour bitsets for the exact comparison when they fit in this many bytes, else sorted merges. */
  readonly bitsetBytes: number;
}

export const SYNC_LIMITS: SyncLimits = { denseHourSpan: 1 << 24, bitsetBytes: 1 << 30 };

/**
 * Synchrony links between accounts (given as node numbers with their activity).
 * `series[i]` is the activity of node i (undefined: no activity).
 */
export function synchronyLinks(
  series: ReadonlyArray<ActivitySeries | undefined>,
  seed: number,
  opts: SyncOptions = SYNC_DEFAULTS,
  limits: SyncLimits = SYNC_LIMITS,
): { links: SyncLink[]; candidates: number } {
  const n = series.length;
  // Hour popularity over all accounts.
  const crowd = HourCounts.of(series, limits.denseHourSpan);
  let total = 0;
  const eligibleList: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = series[i];
    if (!s) continue;
    total += s.hours.length;
    if (s.hours.length >= opts.minCommonHours) eligibleList.push(i);
  }
  const eligible = Int32Array.from(eligibleList);
  const hoursSeen = crowd.distinct;
  const keys = bandKeys(series, eligible, seed, opts);
  const candidates = candidatePairs(keys, eligible, n, opts);
  const common = CommonHours.of(series, eligible, crowd, limits.bitsetBytes);

  const links: SyncLink[] = [];
  const maxLiftBits = Math.log2(8);
  for (const key of candidates) {
    const a = Math.floor(key / n);
    const b = key - a * n;
    const A = series[a]!.hours;
    const B = series[b]!.hours;
    const c = common.count(a, b);
    if (c < opts.minCommonHours) continue;
    const jac = c / (A.length + B.length - c);
    if (jac < opts.minJaccard) continue;
    // Expected common hours if b were independent of a: Σ_{h∈A} P(b active at h), with P
    // proportional to how crowded h is among the other accounts (Laplace-smoothed).
    const expectAB = expected(A, B.length, crowd, total - A.length - B.length, hoursSeen, B);
    const expectBA = expected(B, A.length, crowd, total - A.length - B.length, hoursSeen, A);
    const lift = c / Math.max(1e-9, (expectAB + expectBA) / 2);
    if (lift < opts.minLift) continue;
    const bits = opts.maxBits * jac * Math.min(1, Math.log2(lift) / maxLiftBits);
    links.push({ a, b, bits });
  }
  return { links, candidates: candidates.length };
}

/**
 * MinHash LSH band keys of every eligible account (bands per account, in eligible order): a band's
 * key hashes its `rows` minima, each the least of one salted hash over the account's active hours.
 */
function bandKeys(series: ReadonlyArray<ActivitySeries | undefined>, eligible: Int32Array, seed: number, opts: SyncOptions): Uint32Array {
  const nh = opts.bands * opts.rows;
  const rng = mulberry32(seed ^ 0x5eed5);
  const salts = new Uint32Array(nh);
  for (let k = 0; k < nh; k++) salts[k] = Math.floor(rng() * 4294967296) >>> 0;
  const out = new Uint32Array(eligible.length * opts.bands);
  const sig = new Uint32Array(nh);
  for (let e = 0; e < eligible.length; e++) {
    const hours = series[eligible[e]!]!.hours;
    sig.fill(0xffffffff);
    for (let j = 0; j < hours.length; j++) {
      const h = hours[j]!;
      for (let k = 0; k < nh; k++) {
        const v = mix32(h ^ salts[k]!);
        if (v < sig[k]!) sig[k] = v;
      }
    }
    for (let b = 0; b < opts.bands; b++) {
      let key = 0x9e3779b9 ^ b;
      for (let r = 0; r < opts.rows; r++) key = mix32(key ^ sig[b * opts.rows + r]!);
      out[e * opts.bands + b] = key;
    }
  }
  return out;
}

/**
 * Candidate pairs (x·n + y, ascending, each once): every pair sharing a bucket of some band, or in a
 * bucket larger than `bucketCap` each member with its next `neighbours`. Tens of millions at 1M
 * accounts, past what a JS Set can hold. A band's buckets are runs of one key after a stable sort of
 * the band's keys, so each bucket lists its accounts in ascending order. The pairs of all bands are
 * sorted and deduplicated in one typed array: a hash index of that size costs a cache miss per pair.
 */
function candidatePairs(keys: Uint32Array, eligible: Int32Array, n: number, opts: SyncOptions): Float64Array {
  const m = eligible.length;
  const orders: Uint32Array[] = [];
  const band = new Uint32Array(m);
  let total = 0;
  const forEachBucket = (b: number, order: Uint32Array, fn: (start: number, end: number) => void): void => {
    for (let e = 0; e < m; e++) band[e] = keys[e * opts.bands + b]!;
    for (let start = 0; start < m;) {
      const key = band[order[start]!]!;
      let end = start + 1;
      while (end < m && band[order[end]!] === key) end++;
      if (end - start >= 2) fn(start, end);
      start = end;
    }
  };
  // An upper bound (an oversized bucket's last members have fewer than `neighbours` after them).
  const pairsIn = (size: number): number => (size <= opts.bucketCap ? (size * (size - 1)) / 2 : size * opts.neighbours);
  for (let b = 0; b < opts.bands; b++) {
    for (let e = 0; e < m; e++) band[e] = keys[e * opts.bands + b]!;
    const order = stableOrderByKey(band);
    orders.push(order);
    forEachBucket(b, order, (start, end) => (total += pairsIn(end - start)));
  }
  const out = new Float64Array(total);
  let p = 0;
  for (let b = 0; b < opts.bands; b++) {
    const order = orders[b]!;
    forEachBucket(b, order, (start, end) => {
      const full = end - start <= opts.bucketCap;
      for (let x = start; x < end; x++) {
        const stop = full ? end : Math.min(end, x + 1 + opts.neighbours);
        const vx = eligible[order[x]!]! * n;
        for (let y = x + 1; y < stop; y++) out[p++] = vx + eligible[order[y]!]!;
      }
    });
  }
  const pairs = out.subarray(0, p).sort();
  let u = 0;
  for (let i = 0; i < pairs.length; i++) if (u === 0 || pairs[i] !== pairs[u - 1]) pairs[u++] = pairs[i]!;
  return pairs.subarray(0, u);
}

/** Positions 0..k-1 ordered by key, ties in position order (LSD radix sort, four 8-bit passes). */
function stableOrderByKey(key: Uint32Array): Uint32Array {
  const k = key.length;
  let order = new Uint32Array(k);
  for (let i = 0; i < k; i++) order[i] = i;
  let next = new Uint32Array(k);
  const count = new Uint32Array(256);
  for (let shift = 0; shift < 32; shift += 8) {
    count.fill(0);
    for (let i = 0; i < k; i++) count[(key[i]! >>> shift) & 255]!++;
    let sum = 0;
    for (let d = 0; d < 256; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < k; i++) {
      const p = order[i]!;
      next[count[(key[p]! >>> shift) & 255]!++] = p;
    }
    [order, next] = [next, order];
  }
  return order;
}

/**
 * Exact common active hours of two accounts. Candidate pairs number tens of millions at 1M
 * accounts; a sorted merge per pair branches on every hour, so when the span's bitsets fit the
 * budget each eligible account gets one (a word per 32 hours) and a pair costs a popcount of
 * their AND. Both give the same integers.
 */
class CommonHours {
  private constructor(
    private readonly series: ReadonlyArray<ActivitySeries | undefined>,
    private readonly bits: Uint32Array | undefined,
    private readonly slot: Int32Array | undefined,
    private readonly words: number,
  ) {}

  static of(series: ReadonlyArray<ActivitySeries | undefined>, eligible: Int32Array, crowd: HourCounts, budget: number): CommonHours {
    const span = crowd.span;
    const words = Math.ceil(span / 32);
    if (span === 0 || eligible.length * words * 4 > budget) return new CommonHours(series, undefined, undefined, 0);
    const bits = new Uint32Array(eligible.length * words);
    const slot = new Int32Array(series.length).fill(-1);
    for (let e = 0; e < eligible.length; e++) {
      const v = eligible[e]!;
      slot[v] = e;
      const hours = series[v]!.hours;
      const o = e * words;
      for (let j = 0; j < hours.length; j++) {
        const t = hours[j]! - crowd.first;
        bits[o + (t >>> 5)]! |= 1 << (t & 31);
      }
    }
    return new CommonHours(series, bits, slot, words);
  }

  count(a: number, b: number): number {
    const bits = this.bits;
    if (!bits) return mergeCount(this.series[a]!.hours, this.series[b]!.hours);
    const w = this.words;
    const x = this.slot![a]! * w;
    const y = this.slot![b]! * w;
    let c = 0;
    for (let j = 0; j < w; j++) c += popcount(bits[x + j]! & bits[y + j]!);
    return c;
  }
}

function mergeCount(A: Int32Array, B: Int32Array): number {
  let common = 0;
  for (let x = 0, y = 0; x < A.length && y < B.length;) {
    if (A[x]! === B[y]!) {
      common++;
      x++;
      y++;
    } else if (A[x]! < B[y]!) x++;
    else y++;
  }
  return common;
}

function popcount(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

function expected(A: Int32Array, sizeB: number, crowd: HourCounts, othersTotal: number, hoursSeen: number, B: Int32Array): number {
  let e = 0;
  let y = 0;
  for (let x = 0; x < A.length; x++) {
    const h = A[x]!;
    while (y < B.length && B[y]! < h) y++;
    // Leave the pair itself out of the crowd count.
    const others = crowd.get(h) - 1 - (y < B.length && B[y] === h ? 1 : 0);
    e += Math.min(1, (sizeB * (others + 1)) / Math.max(1, othersTotal + hoursSeen));
  }
  return e;
}

/**
 * How many accounts were active in each hour. Every candidate pair looks up each of its hours, tens
 * of millions of pairs at 1M accounts, so the counts sit in a typed array indexed from the earliest
 * hour when the span allows (a Map lookup per hour was most of the synchrony time there).
 */
export class HourCounts {
  private constructor(
    private readonly dense: Int32Array | undefined,
    private readonly sparse: Map<number, number> | undefined,
    /** The earliest active hour (0 when none). */
    readonly first: number,
    /** Hours from the earliest to the latest active one, both included (0 when none). */
    readonly span: number,
    readonly distinct: number,
  ) {}

  static of(series: ReadonlyArray<ActivitySeries | undefined>, denseSpan: number): HourCounts {
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of series) {
      if (!s || s.hours.length === 0) continue;
      // Hours are sorted (ActivitySeries), so the ends bound the span.
      lo = Math.min(lo, s.hours[0]!);
      hi = Math.max(hi, s.hours[s.hours.length - 1]!);
    }
    if (!(hi >= lo)) return new HourCounts(new Int32Array(0), undefined, 0, 0, 0);
    const span = hi - lo + 1;
    if (span <= denseSpan) {
      const dense = new Int32Array(hi - lo + 1);
      for (const s of series) if (s) for (let j = 0; j < s.hours.length; j++) dense[s.hours[j]! - lo]!++;
      let distinct = 0;
      for (let j = 0; j < dense.length; j++) if (dense[j]! > 0) distinct++;
      return new HourCounts(dense, undefined, lo, span, distinct);
    }
    const sparse = new Map<number, number>();
    for (const s of series) if (s) for (let j = 0; j < s.hours.length; j++) sparse.set(s.hours[j]!, (sparse.get(s.hours[j]!) ?? 0) + 1);
    return new HourCounts(undefined, sparse, lo, span, sparse.size);
  }

  /** Accounts active in hour h (0 for an hour nobody was active in). */
  get(h: number): number {
    if (this.dense) {
      const j = h - this.first;
      return j >= 0 && j < this.dense.length ? this.dense[j]! : 0;
    }
    return this.sparse!.get(h) ?? 0;
  }
}
