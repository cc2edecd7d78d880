import { describe, expect, it } from 'vitest';
import { iso } from '../../src/loaders/bulk-files.js';
import { BulkGraph } from '../../src/loaders/index.js';

/** The pure parts of bulk load (no services): in-memory merging and the importer's value formats. */
describe('importer value formats', () => {
  it('formats times exactly as Date.toISOString over the accepted range', () => {
    let seed = 11;
    const lo = Date.UTC(2000, 0, 1);
    const span = Date.UTC(2100, 0, 1) - lo;
    for (let i = 0; i < 50_000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const ms = lo + Math.floor((seed / 2 ** 32) * span) - (i % 7 === 0 ? seed % 1000 : 0);
      expect(iso(ms)).toBe(new Date(ms).toISOString());
    }
    expect(iso(lo)).toBe('2000-01-01T00:00:00.000Z');
  });
});

describe('BulkGraph', () => {
  it('keeps one relationship per (account, identifier) with min/max times, counts and the last given attribute', () => {
    const g = new BulkGraph();
    const base = { kind: 'prompt_fingerprints', accountId: 'a', key: 't', count: 2, markers: [] } as const;
    g.add({ ...base, firstSeen: 50, lastSeen: 60, capability: 'coding' });
    g.add({ ...base, firstSeen: 10, lastSeen: 20, markers: ['rubric'] });
    g.add({ ...base, firstSeen: 30, lastSeen: 90, fpKind: 'minhash', markers: ['cot'] });
    g.add({ ...base, accountId: 'b', firstSeen: 1, lastSeen: 2 });
    expect(g.sent.size).toBe(2);
    expect([g.sent.firstSeen.data[0], g.sent.lastSeen.data[0], g.sent.observations.data[0], g.sent.amount.data[0]]).toEqual([10, 90, 3, 6]);
    expect(g.capabilityOf(0)).toBe('coding');
    expect(g.kindOf(0)).toBe('minhash');
    expect(g.markersOf(0)).toEqual(['cot', 'rubric']);
    expect(g.accounts.keys).toEqual(['a', 'b']);
  });

  it('groups activity by account with hours ascending and requests summed per hour', () => {
    const g = new BulkGraph();
    for (const [a, hour, requests] of [
      ['x', 7, 1],
      ['y', 3, 2],
      ['x', 5, 4],
      ['x', 7, 10],
    ] as const) {
      g.add({ kind: 'activity', accountId: a, hour, requests });
    }
    const { start, hours, requests } = g.activityByAccount();
    expect(Array.from(hours.subarray(start[0], start[1]))).toEqual([5, 7]);
    expect(Array.from(requests.subarray(start[0], start[1]))).toEqual([4, 11]);
    expect(Array.from(hours.subarray(start[1], start[2]))).toEqual([3]);
  });

  it('keeps pairs apart past the table growth (no collisions lost)', () => {
    const g = new BulkGraph();
    for (let a = 0; a < 300; a++) for (let t = 0; t < 300; t++) g.add({ kind: 'activity', accountId: `a${a}`, hour: t, requests: 1 });
    for (let a = 0; a < 300; a++) g.add({ kind: 'activity', accountId: `a${a}`, hour: 0, requests: 1 });
    expect(g.activity.size).toBe(90_000);
    const { start, requests } = g.activityByAccount();
    expect(requests[start[7]!]).toBe(2);
    expect(requests[start[7]! + 1]).toBe(1);
  });
});
