import { PairIndex } from './pair-index.js';
import { EVIDENCE_SLOTS } from './projected-graph.js';

/**
 * Evidence collected per candidate account pair while projecting: one row of EVIDENCE_SLOTS raw
 * (unsaturated) sums per pair, indexed by the pair key `x·n + y` (x < y) in a PairIndex.
 */
export class PairEvidence {
  readonly pairs: PairIndex;
  private data = new Float64Array(1024 * EVIDENCE_SLOTS);
  private count = 0;

  /** `expected`: about how many pairs will be added (sizes the index; it grows past that). */
  constructor(
    readonly n: number,
    expected = 4 * n,
  ) {
    this.pairs = new PairIndex(Math.max(16, expected));
  }

  /** Number of candidate pairs (rows). */
  get rows(): number {
    return this.count;
  }

  key(x: number, y: number): number {
    return x < y ? x * this.n + y : y * this.n + x;
  }

  /** Add `w` bits of evidence kind `slot` to the pair (x, y), creating its row when new. */
  add(x: number, y: number, slot: number, w: number): void {
    this.data[this.rowFor(x, y) * EVIDENCE_SLOTS + slot]! += w;
  }

  /**
   * Make (x, y) a candidate pair without adding evidence: prompt bands only choose pairs, whose prompt
   * agreement is then computed exactly from every fingerprint both hold (shared-index.ts).
   */
  touch(x: number, y: number): void {
    this.rowFor(x, y);
  }

  private rowFor(x: number, y: number): number {
    const r = this.pairs.rowOf(this.key(x, y));
    if (r === this.count) {
      this.count++;
      if (this.count * EVIDENCE_SLOTS > this.data.length) {
        const bigger = new Float64Array(this.data.length * 2);
        bigger.set(this.data);
        this.data = bigger;
      }
    }
    return r;
  }

  /** Row of the pair (x, y), or -1 when it has no evidence yet. */
  rowOfPair(x: number, y: number): number {
    return this.pairs.get(this.key(x, y));
  }

  /** Raw sum of kind `slot` in row `r`. */
  raw(r: number, slot: number): number {
    return this.data[r * EVIDENCE_SLOTS + slot]!;
  }
}
