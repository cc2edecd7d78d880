import { fmix32, mixStep, splitmix32 } from '../util/hash.js';
import { PLACEHOLDER_HASH, TOK_WORD, type TokenBuffer } from './tokens.js';

/**
 * MinHash over word k-shingles (Broder 1997, "On the resemblance and containment of documents")
 * with LSH banding (Leskovec, Rajaraman & Ullman, "Mining of Massive Datasets", ch. 3.4):
 * `bands × rows` min-hash values; two prompts share band j iff all `rows` values of band j agree, which
 * for Jaccard similarity s happens with probability s^rows, so they share at least one band with
 * probability 1 − (1 − s^rows)^bands (the S-curve, see sCurve and docs/fingerprints.md).
 */

/** Probability that two sets of Jaccard similarity `s` share at least one of `bands` bands of `rows` rows. */
export function sCurve(s: number, bands: number, rows: number): number {
  return 1 - Math.pow(1 - Math.pow(s, rows), bands);
}

/** The seed of the hash family; fixed so fingerprints are stable across runs and machines. */
const FAMILY_SEED = 0x6d696e68;

/**
 * Computes the `bands × rows` signature of a token stream. Reuses its buffers: not re-entrant.
 *
 * Each band is one-permutation hashing (Li, Owen & Zhang, NIPS 2012) with `rows` bins: one hash per
 * shingle and band picks the bin (its top bits) and ranks the shingle inside it. Conditional on
 * non-empty bins, each bin's minimum agrees between two sets with probability equal to their Jaccard
 * similarity, like a classic min-hash, but the cost is one multiply-add per shingle and *band* rather
 * than per shingle and *row* (4× less work at rows = 4; the hot spot of the whole pipeline). The bands
 * use independent hashes, so the S-curve 1 − (1 − s^r)^b holds (measured in tests and the benchmark).
 */
export class MinHasher {
  readonly size: number;
  /** Signed 32-bit minima, band-major (`rows` per band); 0x7fffffff marks an empty bin. */
  readonly mins: Int32Array;
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private tokenHashes = new Int32Array(256);

  constructor(
    readonly shingle: number,
    readonly bands: number,
    readonly rows: number,
  ) {
    this.size = bands * rows;
    this.mins = new Int32Array(this.size);
    const rnd = splitmix32(FAMILY_SEED);
    this.a = new Int32Array(bands);
    this.b = new Int32Array(bands);
    for (let j = 0; j < bands; j++) {
      this.a[j] = rnd() | 1; // odd multiplier: x ↦ (x ⊕ b)·a is a bijection of 32-bit words
      this.b[j] = rnd() | 0;
    }
  }

  /**
   * Fill `mins` for the token stream; returns the number of shingles (0 for an empty prompt).
   * h_j(x) = (x ⊕ b_j)·a_j mod 2^32 over the fmix32-mixed shingle hash x; the bin is the high 16 bits
   * scaled to `rows` (multiply-shift, whose high bits are well mixed), and inside a bin shingles are
   * ranked by h_j as a signed integer (any fixed total order serves MinHash).
   */
  compute(buf: TokenBuffer): number {
    const n = buf.n;
    if (this.tokenHashes.length < n) this.tokenHashes = new Int32Array(n * 2);
    const th = this.tokenHashes;
    for (let t = 0; t < n; t++) {
      const kind = buf.kind[t]!;
      th[t] = kind === TOK_WORD ? buf.textHash[t]! : PLACEHOLDER_HASH[kind]!;
    }
    const mins = this.mins,
      a = this.a,
      b = this.b,
      bands = this.bands,
      rows = this.rows;
    mins.fill(0x7fffffff);
    if (n === 0) return 0;
    const k = Math.min(this.shingle, n);
    const count = n - k + 1;
    for (let t = 0; t < count; t++) {
      let x = 0x9747b28c;
      for (let q = 0; q < k; q++) x = mixStep(x, th[t + q]!);
      x = fmix32(x ^ k) | 0;
      for (let j = 0, base = 0; j < bands; j++, base += rows) {
        const v = Math.imul(x ^ b[j]!, a[j]!);
        const idx = base + (((v >>> 16) * rows) >>> 16);
        if (v < mins[idx]!) mins[idx] = v;
      }
    }
    return count;
  }

  /** Estimated Jaccard similarity of two signatures (fraction of equal non-empty bins). */
  static estimate(x: ArrayLike<number>, y: ArrayLike<number>): number {
    let eq = 0,
      used = 0;
    for (let i = 0; i < x.length; i++) {
      if (x[i] === 0x7fffffff && y[i] === 0x7fffffff) continue;
      used++;
      if (x[i] === y[i]) eq++;
    }
    return used === 0 ? 1 : eq / used;
  }
}
