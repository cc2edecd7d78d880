/**
 * A hash index from an account pair key (`x * n + y`, x < y, an exact integer below 2^53) to a dense
 * row number, in typed arrays with open addressing (linear probing). The projection collects one row
 * per candidate pair; at 1M accounts that is tens of millions of pairs, past the ~16.7M entries a JS
 * `Map` can hold, and at 16 bytes a slot instead of a Map entry's ~80.
 */
export class PairIndex {
  private keys: Float64Array;
  private rows: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 1 << 16) {
    let cap = 1 << 4;
    while (cap < expected * 2) cap *= 2;
    this.keys = new Float64Array(cap).fill(-1);
    this.rows = new Int32Array(cap);
    this.mask = cap - 1;
  }

  /** Number of pairs held; rows are numbered 0..size-1 in insertion order. */
  get size(): number {
    return this.count;
  }

  /** The row of `key`, adding it as the next row when absent. */
  rowOf(key: number): number {
    for (let h = slot(key) & this.mask; ; h = (h + 1) & this.mask) {
      const k = this.keys[h]!;
      if (k === key) return this.rows[h]!;
      if (k === -1) {
        const row = this.count++;
        this.keys[h] = key;
        this.rows[h] = row;
        // Keep the load factor under 1/2 so probes stay short.
        if (this.count * 2 > this.keys.length) this.grow();
        return row;
      }
    }
  }

  /** The row of `key`, or -1. */
  get(key: number): number {
    for (let h = slot(key) & this.mask; ; h = (h + 1) & this.mask) {
      const k = this.keys[h]!;
      if (k === key) return this.rows[h]!;
      if (k === -1) return -1;
    }
  }

  /**
   * Every key ascending, with its row. An LSD radix sort over the keys' bits (11-bit digits, only as
   * many as the largest key needs): at 1M accounts a comparison sort of the ~20M keys followed by one
   * hash lookup per key to find its row cost about 10 s of the projection.
   */
  sortedEntries(): { keys: Float64Array; rows: Int32Array } {
    const m = this.count;
    let keys = new Float64Array(m);
    let rows = new Int32Array(m);
    let i = 0;
    let max = 0;
    for (let h = 0; h < this.keys.length; h++) {
      const k = this.keys[h]!;
      if (k === -1) continue;
      keys[i] = k;
      rows[i++] = this.rows[h]!;
      if (k > max) max = k;
    }
    let nextKeys = new Float64Array(m);
    let nextRows = new Int32Array(m);
    const count = new Int32Array(2048);
    // Digits within each 32-bit half, so that none straddles the halves.
    const digits: Array<[high: boolean, shift: number, bits: number]> = [
      [false, 0, 11],
      [false, 11, 11],
      [false, 22, 10],
      [true, 0, 11],
      [true, 11, 11],
    ];
    const digitOf = (k: number, high: boolean, shift: number, mask: number): number => ((high ? Math.floor(k / 4294967296) : k % 4294967296) >>> shift) & mask;
    for (const [high, shift, bits] of digits) {
      if (Math.floor(max / 2 ** ((high ? 32 : 0) + shift)) === 0) break;
      const mask = (1 << bits) - 1;
      count.fill(0);
      for (let j = 0; j < m; j++) count[digitOf(keys[j]!, high, shift, mask)]!++;
      let sum = 0;
      for (let d = 0; d <= mask; d++) {
        const c = count[d]!;
        count[d] = sum;
        sum += c;
      }
      for (let j = 0; j < m; j++) {
        const p = count[digitOf(keys[j]!, high, shift, mask)]!++;
        nextKeys[p] = keys[j]!;
        nextRows[p] = rows[j]!;
      }
      [keys, nextKeys] = [nextKeys, keys];
      [rows, nextRows] = [nextRows, rows];
    }
    return { keys, rows };
  }

  private grow(): void {
    const { keys, rows } = this;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.rows = new Int32Array(keys.length * 2);
    this.mask = this.keys.length - 1;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k === -1) continue;
      let h = slot(k) & this.mask;
      while (this.keys[h] !== -1) h = (h + 1) & this.mask;
      this.keys[h] = k;
      this.rows[h] = rows[i]!;
    }
  }
}

/** Mix both 32-bit halves of the key (murmur3's finaliser) so consecutive pairs spread out. */
function slot(key: number): number {
  const lo = key % 4294967296;
  const hi = (key - lo) / 4294967296;
  let h = Math.imul((lo | 0) ^ Math.imul(hi | 0, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
