import { describe, expect, it } from 'vitest';
import { neo4jMemory, neo4jRecommendation, neo4jShare, toMebiString } from '../scripts/memory-sizing.mjs';

const GIB = 2 ** 30;

describe('Neo4j memory sizing of the local services', () => {
  // Expected values: the output of org.neo4j.dbms.MemoryRecommendation in the Neo4j 5.26.30 jars
  // (recommendOsMemory / recommendHeapMemory / recommendPageCacheMemory), run for these sizes.
  it.each([
    [2, 1073741824, 536870912, 536870912],
    [3, 1342177280, 1342177280, 536870912],
    [8, 2684354560, 3758096384, 2147483648],
    [24, 6442450944, 8589934592, 10737418240],
    [64, 12884901888, 25769803776, 30064771072],
    [2000, 32212254720, 33285996544, 2081985396736],
  ])('follows neo4j-admin server memory-recommendation at %d GiB', (gib, os, heap, pc) => {
    expect(neo4jRecommendation(gib * GIB)).toEqual({ osBytes: os, heapBytes: heap, pageCacheBytes: pc });
  });

  it('interpolates between the table points the way Neo4j does (23.4 GiB, measured from the jar)', () => {
    const r = neo4jRecommendation(Math.trunc(23.4 * GIB));
    expect(r.osBytes).toBe(6280970240);
    expect(r.heapBytes).toBe(8347713536);
  });

  it('leaves a quarter of the machine (at least 1 GiB) to Node and 256 MiB to Redis', () => {
    expect(neo4jShare(24 * GIB)).toBe(24 * GIB - 6 * GIB - 256 * 2 ** 20);
    expect(neo4jShare(2 * GIB)).toBe(2 * GIB - GIB - 256 * 2 ** 20);
    const m = neo4jMemory(24 * GIB, {});
    const rec = neo4jRecommendation(neo4jShare(24 * GIB));
    expect(m.heap).toBe(toMebiString(rec.heapBytes));
    expect(m.pagecache).toBe(toMebiString(rec.pageCacheBytes));
    // Neo4j + Node + Redis never exceed the machine.
    for (const gib of [1.5, 2, 4, 8, 16, 24, 64]) {
      const total = gib * GIB;
      const r = neo4jRecommendation(neo4jShare(total));
      expect(r.heapBytes + r.pageCacheBytes).toBeLessThanOrEqual(neo4jShare(total));
    }
  });

  it('lets RINGSCOPE_NEO4J_HEAP and RINGSCOPE_NEO4J_PAGECACHE override each size on its own', () => {
    const base = neo4jMemory(24 * GIB, {});
    const heapOnly = neo4jMemory(24 * GIB, { RINGSCOPE_NEO4J_HEAP: '1g' });
    expect(heapOnly.heap).toBe('1g');
    expect(heapOnly.pagecache).toBe(base.pagecache);
    expect(heapOnly.source).toEqual({ heap: 'env', pagecache: 'rule' });
    expect(neo4jMemory(24 * GIB, { RINGSCOPE_NEO4J_PAGECACHE: '512m' }).pagecache).toBe('512m');
  });

  it('rejects a machine size that is not a positive number', () => {
    expect(() => neo4jMemory(0)).toThrow(RangeError);
    expect(() => neo4jMemory(Number.NaN)).toThrow(/positive number of bytes/);
  });
});
