import { describe, expect, it } from 'vitest';
import { HourCounts, synchronyLinks, SYNC_DEFAULTS, type SyncLimits } from '../../src/graph/synchrony.js';
import type { ActivitySeries } from '../../src/graph/types.js';
import { mulberry32 } from '../../src/util/hash.js';

const series = (hours: readonly number[]): ActivitySeries => ({
  hours: Int32Array.from([...new Set(hours)].sort((a, b) => a - b)),
  requests: Float64Array.from(new Set(hours), () => 1),
});

/** Operators running a few accounts each on one shared schedule, among independent accounts. */
function world(seed: number): Array<ActivitySeries | undefined> {
  const rnd = mulberry32(seed);
  const base = 490_000; // epoch hours, late 2025
  const out: Array<ActivitySeries | undefined> = [];
  for (let op = 0; op < 30; op++) {
    const schedule = Array.from({ length: 40 + Math.floor(rnd() * 80) }, () => base + Math.floor(rnd() * 1000));
    // 60 accounts on one schedule: buckets past bucketCap (40), so the next-k band is used too.
    const size = op === 0 ? 60 : 3 + Math.floor(rnd() * 6);
    for (let k = 0; k < size; k++) out.push(series(schedule.filter(() => rnd() < 0.9)));
  }
  for (let i = 0; i < 600; i++) {
    if (i % 10 === 0) out.push(undefined);
    else out.push(series(Array.from({ length: Math.floor(rnd() * 120) }, () => base + Math.floor(rnd() * 1000))));
  }
  return out;
}

describe('synchronyLinks', () => {
  it('scores an identical pair by its lift over chance: 8 · J · log2(lift) / log2(8) bits', () => {
    const hours = Array.from({ length: 10 }, (_, i) => 490_000 + 3 * i);
    const other = Array.from({ length: 10 }, (_, i) => 490_100 + 3 * i);
    const { links } = synchronyLinks([series(hours), series(hours), series(other)], 42);
    // Each shared hour has 2 active accounts, the pair itself, so 0 others: P(b active at h) =
    // |B|·(0 + 1)/(othersTotal + hoursSeen) = 10·1/(10 + 20); expected common 10/3, lift 3, J = 1.
    expect(links).toHaveLength(1);
    expect(links[0]!.a).toBe(0);
    expect(links[0]!.b).toBe(1);
    expect(links[0]!.bits).toBeCloseTo((8 * Math.log2(3)) / 3, 12);
  });

  it('gives the same links through bitsets and a dense crowd as through sorted merges and a map', () => {
    const merged: SyncLimits = { denseHourSpan: 0, bitsetBytes: 0 };
    for (const seed of [1, 2, 3]) {
      const input = world(seed);
      const fast = synchronyLinks(input, 42);
      const slow = synchronyLinks(input, 42, SYNC_DEFAULTS, merged);
      expect(fast.links.length).toBeGreaterThan(100);
      expect(fast.candidates).toBe(slow.candidates);
      expect(fast.links).toEqual(slow.links);
    }
  });

  it('finds pairs of an oversized bucket only among next neighbours in account order', () => {
    const hours = Array.from({ length: 30 }, (_, i) => 490_000 + 2 * i);
    const crowd = Array.from({ length: 50 }, () => series(hours));
    const { links, candidates } = synchronyLinks(crowd, 42, { ...SYNC_DEFAULTS, bucketCap: 10, neighbours: 2 });
    // Every band puts all 50 in one bucket: each links to its next 2, so 49 + 48 pairs in all.
    expect(candidates).toBe(97);
    expect(links.every((l) => l.b - l.a <= 2)).toBe(true);
  });
});

describe('HourCounts', () => {
  it('counts active accounts per hour the same in its dense and map forms', () => {
    const input = world(4);
    const dense = HourCounts.of(input, 1 << 24);
    const sparse = HourCounts.of(input, 0);
    expect(dense.distinct).toBe(sparse.distinct);
    expect(dense.first).toBe(sparse.first);
    let total = 0;
    for (let h = dense.first - 2; h < dense.first + dense.span + 2; h++) {
      expect(dense.get(h)).toBe(sparse.get(h));
      total += dense.get(h);
    }
    expect(total).toBe(input.reduce((t, s) => t + (s?.hours.length ?? 0), 0));
  });
});
