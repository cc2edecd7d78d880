/**
 * Seeded randomness. Louvain's node order is randomised; deriving each component's generator from
 * (seed, stable component key) instead of from processing order makes a fanned-out run (one job per
 * component) give exactly the clusters of a single-process run.
 */

/** 32-bit FNV-1a hash of a string (stable across processes and platforms). */
export function hashString(s: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** mulberry32: a tiny, fast, well-mixed 32-bit generator returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generator for one unit of work (a component, a refined community), keyed by content, not by order. */
export function rngFor(seed: number, key: string): () => number {
  return mulberry32(hashString(`${seed >>> 0}:${key}`));
}

/** Integer mixing (murmur3 finaliser) for seeded hash families (MinHash). */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
