import { PairIndex } from './pair-index.js';
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
 * Synchrony links between accounts (given as node numbers with their activity).
 * `series[i]` is the activity of node i (undefined: no activity).
 */
export function synchronyLinks(
  series: ReadonlyArray<ActivitySeries | undefined>,
  seed: number,
  opts: SyncOptions = SYNC_DEFAULTS,
): { links: SyncLink[]; candidates: number } {
  const n = series.length;
  // Hour popularity over all accounts.
  const crowd = new Map<number, number>();
  let total = 0;
  const eligible: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = series[i];
    if (!s) continue;
    for (let j = 0; j < s.hours.length; j++) crowd.set(s.hours[j]!, (crowd.get(s.hours[j]!) ?? 0) + 1);
    total += s.hours.length;
    if (s.hours.length >= opts.minCommonHours) eligible.push(i);
  }
  const hoursSeen = crowd.size;
  const nh = opts.bands * opts.rows;
  const rng = mulberry32(seed ^ 0x5eed5);
  const salts = new Uint32Array(nh);
  for (let k = 0; k < nh; k++) salts[k] = Math.floor(rng() * 4294967296) >>> 0;

  // Candidate pairs (x·n + y): tens of millions at 1M accounts, past what a JS Set can hold.
  const candidates = new PairIndex(eligible.length * 4);
  const sig = new Uint32Array(nh);
  const buckets: Array<Map<number, number[]>> = Array.from({ length: opts.bands }, () => new Map());
  for (const i of eligible) {
    const hours = series[i]!.hours;
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
      const m = buckets[b]!;
      const list = m.get(key);
      if (list) list.push(i);
      else m.set(key, [i]);
    }
  }
  for (const m of buckets) {
    for (const list of m.values()) {
      if (list.length < 2) continue;
      const full = list.length <= opts.bucketCap;
      for (let x = 0; x < list.length; x++) {
        const end = full ? list.length : Math.min(list.length, x + 1 + opts.neighbours);
        for (let y = x + 1; y < end; y++) candidates.rowOf(list[x]! * n + list[y]!);
      }
    }
  }

  const links: SyncLink[] = [];
  const maxLiftBits = Math.log2(8);
  for (const key of candidates.keysByRow()) {
    const a = Math.floor(key / n);
    const b = key - a * n;
    const A = series[a]!.hours;
    const B = series[b]!.hours;
    let common = 0;
    for (let x = 0, y = 0; x < A.length && y < B.length;) {
      if (A[x]! === B[y]!) {
        common++;
        x++;
        y++;
      } else if (A[x]! < B[y]!) x++;
      else y++;
    }
    if (common < opts.minCommonHours) continue;
    const jac = common / (A.length + B.length - common);
    if (jac < opts.minJaccard) continue;
    // Expected common hours if b were independent of a: Σ_{h∈A} P(b active at h), with P
    // proportional to how crowded h is among the other accounts (Laplace-smoothed).
    const expectAB = expected(A, B.length, crowd, total - A.length - B.length, hoursSeen, B);
    const expectBA = expected(B, A.length, crowd, total - A.length - B.length, hoursSeen, A);
    const lift = common / Math.max(1e-9, (expectAB + expectBA) / 2);
    if (lift < opts.minLift) continue;
    const bits = opts.maxBits * jac * Math.min(1, Math.log2(lift) / maxLiftBits);
    links.push({ a, b, bits });
  }
  return { links, candidates: candidates.size };
}

function expected(A: Int32Array, sizeB: number, crowd: Map<number, number>, othersTotal: number, hoursSeen: number, B: Int32Array): number {
  let e = 0;
  let y = 0;
  for (let x = 0; x < A.length; x++) {
    const h = A[x]!;
    while (y < B.length && B[y]! < h) y++;
    // Leave the pair itself out of the crowd count.
    const others = (crowd.get(h) ?? 0) - 1 - (y < B.length && B[y] === h ? 1 : 0);
    e += Math.min(1, (sizeB * (others + 1)) / Math.max(1, othersTotal + hoursSeen));
  }
  return e;
}
