/**
 * Seeded randomness for the scenario generator. Math.random is never used: every value the
 * generator writes comes from an `Rng` seeded from (scenario seed, purpose, index), so output is
 * byte-identical for a seed and independent of the order in which accounts are produced.
 */
import { hash32, splitmix32 } from '../util/hash.js';

export { hash32, hexId } from '../util/hash.js';

/**
 * xoshiro128** (Blackman & Vigna), seeded through splitmix32 so that nearby seeds give unrelated
 * streams. Small, fast, and good enough for simulation (not for cryptography).
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const split = splitmix32(seed);
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** An Rng for a named purpose: `Rng.for(seed, 'account', slot)`. */
  static for(...parts: ReadonlyArray<number | string>): Rng {
    return new Rng(hash32(...parts));
  }

  /** Next uint32. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** Uniform real in [lo, hi). */
  real(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** Pick by weights (need not sum to 1). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i]!;
      if (r < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Poisson(mean) by inversion (means here are small) or a rounded normal for large means. */
  poisson(mean: number): number {
    if (mean > 40) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const l = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.next();
    } while (p > l);
    return k - 1;
  }

  /** k distinct indices from [0, n) (k ≤ n), in random order. */
  sample(n: number, k: number): number[] {
    k = Math.min(k, n);
    if (k * 3 > n) {
      const all = Array.from({ length: n }, (_, i) => i);
      this.shuffle(all);
      return all.slice(0, k);
    }
    const seen = new Set<number>();
    const out: number[] = [];
    while (out.length < k) {
      const i = this.int(n);
      if (!seen.has(i)) {
        seen.add(i);
        out.push(i);
      }
    }
    return out;
  }

  /** In-place Fisher–Yates. */
  shuffle<T>(items: T[] | Int32Array): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
