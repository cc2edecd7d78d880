import { fnv1a32, mulberry32 } from '../util/hash.js';

/**
 * Seeded randomness of detection. Louvain's node order is randomised; deriving each component's
 * generator from (seed, stable component key) instead of from processing order makes a fanned-out
 * run (one job per component) give exactly the clusters of a single-process run.
 */

/** The generator for one unit of work (a component, a refined community), keyed by content, not by order. */
export function rngFor(seed: number, key: string): () => number {
  return mulberry32(fnv1a32(`${seed >>> 0}:${key}`));
}
