export const NEO4J_DATAPOINTS: readonly (readonly [number, number, number])[];
export const RESERVE: { readonly nodeShare: number; readonly nodeMinBytes: number; readonly redisBytes: number };
export function neo4jRecommendation(totalBytes: number): { osBytes: number; heapBytes: number; pageCacheBytes: number };
export function neo4jShare(totalBytes: number): number;
export function toMebiString(bytes: number): string;
export function neo4jMemory(
  totalBytes: number,
  env?: Record<string, string | undefined>,
): { heap: string; pagecache: string; source: { heap: 'env' | 'rule'; pagecache: 'env' | 'rule' }; neo4jBytes: number };
