import { PairIndex } from './pair-index.js';
import { EVIDENCE_SLOTS } from './projected-graph.js';

/**
 * Evidence collected per candidate account pair while projecting: one row of EVIDENCE_SLOTS raw
 * (unsaturated) sums per pair, indexed by the pair key `x·n + y` (x < y) in a PairIndex.
 */
export class PairEvidence {
  readonly pairs: PairIndex;
  private data = new Float64Array(1024 * EVIDENCE_SLOTS);
  /**
   * Scaffold comparison per row (not an evidence slot): shared bits, and the same bits weighted by
   * each account's prompt count on them (lower account index first), for the scaffold overlap.
   */
  private scaffoldData = new Float64Array(1024 * 3);
  private count = 0;

  constructor(readonly n: number) {
    this.pairs = new PairIndex(4 * n);
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

  /** Add a shared scaffold fingerprint of `w` bits, sent `cx` and `cy` times by x and y. */
  addScaffold(x: number, y: number, w: number, cx: number, cy: number): void {
    const r = this.rowFor(x, y) * 3;
    this.scaffoldData[r]! += w;
    this.scaffoldData[r + 1]! += w * (x < y ? cx : cy);
    this.scaffoldData[r + 2]! += w * (x < y ? cy : cx);
  }

  /** Scaffold sums of row `r`: shared bits, and those bits weighted by the lower and the higher account's counts. */
  scaffold(r: number): readonly [number, number, number] {
    return [this.scaffoldData[r * 3]!, this.scaffoldData[r * 3 + 1]!, this.scaffoldData[r * 3 + 2]!];
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
      if (this.count * 3 > this.scaffoldData.length) {
        const bigger = new Float64Array(this.scaffoldData.length * 2);
        bigger.set(this.scaffoldData);
        this.scaffoldData = bigger;
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
