// Neo4j heap and page cache for the local services, from the machine's memory (pure, no I/O).
//
// The curve is Neo4j's own `neo4j-admin server memory-recommendation` (Neo4j 5.26,
// org.neo4j.dbms.MemoryRecommendation): a table of (total, OS, heap) points in GiB, linear between
// two points, the last point's values beyond it; the page cache gets what the OS and the heap leave.
// Its output for 2, 8, 24 and 64 GiB is pinned in test/memory-sizing.test.ts.
//
// ringscope runs Node (ingest, detection: up to ~6 GB of heap at 1M accounts, BENCHMARKS.md) and
// Redis beside Neo4j, so the curve is applied to the machine minus their share: a quarter of the
// memory for Node (at least 1 GiB) and 256 MiB for Redis (BullMQ queues hold job ids and small
// return values).

const MIB = 2 ** 20;
const GIB = 2 ** 30;

/** [total GiB, OS GiB, heap GiB], MemoryRecommendation.datapoints in Neo4j 5.26. */
export const NEO4J_DATAPOINTS = Object.freeze([
  [0.01, 0.007, 0.002],
  [1, 0.65, 0.3],
  [2, 1, 0.5],
  [4, 1.5, 2],
  [6, 2, 3],
  [8, 2.5, 3.5],
  [10, 3, 4],
  [12, 3.5, 4.5],
  [16, 4, 5],
  [24, 6, 8],
  [32, 8, 12],
  [64, 12, 24],
  [128, 16, 31],
  [256, 20, 31],
  [512, 24, 31],
  [1024, 30, 31],
]);

/** What Neo4j's recommendation keeps for Node and Redis (see the header). */
export const RESERVE = Object.freeze({ nodeShare: 0.25, nodeMinBytes: GIB, redisBytes: 256 * MIB });

/** One column of the table at `totalBytes`, as MemoryRecommendation.Brackets.recommend computes it. */
function interpolate(totalBytes, column) {
  const gb = totalBytes / GIB;
  let lower = NEO4J_DATAPOINTS.at(-1);
  let upper = lower;
  for (let i = 1; i < NEO4J_DATAPOINTS.length; i++) {
    if (gb < NEO4J_DATAPOINTS[i][0]) {
      lower = NEO4J_DATAPOINTS[i - 1];
      upper = NEO4J_DATAPOINTS[i];
      break;
    }
  }
  const factor = lower === upper ? 0 : (gb - lower[0]) / (upper[0] - lower[0]);
  const value = lower[column] + (upper[column] - lower[column]) * factor;
  return Math.trunc(value * 1024) * MIB; // ByteUnit.mebiBytes((long) (v * 1024))
}

/**
 * Neo4j's recommendation for a machine of `totalBytes`: { osBytes, heapBytes, pageCacheBytes }
 * (page cache clamped to [8 MiB, 16 TiB] as Neo4j does).
 */
export function neo4jRecommendation(totalBytes) {
  const osBytes = interpolate(totalBytes, 1);
  const heapBytes = interpolate(totalBytes, 2);
  const pageCacheBytes = Math.min(16 * 2 ** 40, Math.max(8 * MIB, totalBytes - osBytes - heapBytes));
  return { osBytes, heapBytes, pageCacheBytes };
}

/** Memory left to Neo4j once Node and Redis have their share. */
export function neo4jShare(totalBytes) {
  const node = Math.max(RESERVE.nodeMinBytes, Math.round(totalBytes * RESERVE.nodeShare));
  return Math.max(0, totalBytes - node - RESERVE.redisBytes);
}

/** A byte count as a JVM / Neo4j size in whole MiB ("1536m"). */
export function toMebiString(bytes) {
  return `${Math.max(1, Math.floor(bytes / MIB))}m`;
}

/**
 * Heap and page cache for the local Neo4j: Neo4j's recommendation for the machine minus Node's and
 * Redis's share, unless `env.RINGSCOPE_NEO4J_HEAP` / `env.RINGSCOPE_NEO4J_PAGECACHE` say otherwise.
 * @param {number} totalBytes the machine's memory (or the container's limit)
 * @param {Record<string, string | undefined>} env
 * @returns {{ heap: string, pagecache: string, source: { heap: 'env' | 'rule', pagecache: 'env' | 'rule' }, neo4jBytes: number }}
 */
export function neo4jMemory(totalBytes, env = {}) {
  if (!Number.isFinite(totalBytes) || totalBytes <= 0) throw new RangeError(`machine memory must be a positive number of bytes, got ${totalBytes}`);
  const neo4jBytes = neo4jShare(totalBytes);
  const rec = neo4jRecommendation(neo4jBytes);
  return {
    heap: env.RINGSCOPE_NEO4J_HEAP || toMebiString(rec.heapBytes),
    pagecache: env.RINGSCOPE_NEO4J_PAGECACHE || toMebiString(rec.pageCacheBytes),
    source: { heap: env.RINGSCOPE_NEO4J_HEAP ? 'env' : 'rule', pagecache: env.RINGSCOPE_NEO4J_PAGECACHE ? 'env' : 'rule' },
    neo4jBytes,
  };
}
