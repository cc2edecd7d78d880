import { describe, expect, it } from 'vitest';
import { PairIndex } from '../../src/graph/pair-index.js';
import { mulberry32 } from '../../src/util/hash.js';

describe('PairIndex', () => {
  it('numbers pairs in insertion order, finds them again, and agrees with a Map through many growths', () => {
    const rnd = mulberry32(3);
    const n = 1_000_000; // keys up to n * n = 1e12, as for a 1M-account projection
    const index = new PairIndex(4);
    const ref = new Map<number, number>();
    const got: number[] = [];
    const want: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      const x = Math.floor(rnd() * n);
      const y = Math.floor(rnd() * n);
      // Repeats on purpose: small ranges collide often.
      const key = i % 3 === 0 ? (x % 500) * n + (y % 500) : x * n + y;
      const row = ref.get(key) ?? ref.size;
      if (!ref.has(key)) ref.set(key, row);
      want.push(row);
      got.push(index.rowOf(key));
    }
    expect(got).toEqual(want);
    expect(index.size).toBe(ref.size);
    expect([...ref.keys()].map((k) => index.get(k))).toEqual([...ref.values()]);
    expect(index.get(n * n - 1)).toBe(-1);
    const sorted = index.sortedEntries();
    expect(Array.from(sorted.keys)).toEqual([...ref.keys()].sort((a, b) => a - b));
    expect(Array.from(sorted.rows)).toEqual(Array.from(sorted.keys, (k) => ref.get(k)));
  });

  it('handles key 0 and the largest exact pair keys', () => {
    const index = new PairIndex();
    const big = Number.MAX_SAFE_INTEGER - 1;
    expect(index.rowOf(0)).toBe(0);
    expect(index.rowOf(big)).toBe(1);
    expect(index.rowOf(0)).toBe(0);
    expect(index.get(big)).toBe(1);
    expect(Array.from(index.sortedEntries().keys)).toEqual([0, big]);
    expect(Array.from(index.sortedEntries().rows)).toEqual([0, 1]);
  });
});
