import { DEFAULT_TARGET_CAPABILITIES } from '../graph/capabilities.js';
import { runDetection, type DetectedCluster, type DetectionOptions, type DetectionStats } from '../graph/run-detection.js';
import { readLinkageInput } from './linkage-source.js';
import { ensureLinkageSchema, pruneRuns, readRunClusters, resolveRunId, writeRun } from './linkage-writer.js';
import type { Neo4jClient } from './neo4j-client.js';

/**
 * Read → detect → write back → prune, for the CLI and the pipeline. The CPU-heavy middle is the pure
 * runDetection (no I/O), so a worker can run it apart from the reads and writes.
 */
export interface DetectAndWriteOptions {
  /** @defaultValue 42 */
  readonly seed: number;
  /** @defaultValue 1 */
  readonly resolution: number;
  /** Model-release time (epoch ms). @defaultValue undefined */
  readonly releaseDate: number | undefined;
  /** Run id; a fresh time-based one when unset (no ':' so it can be a BullMQ job id). @defaultValue undefined */
  readonly runId: string | undefined;
  /** Keep only the newest N finished runs (0 or less: keep all). @defaultValue 10 */
  readonly keepRuns: number;
  /** Neo4j page size for reads. @defaultValue 5000 */
  readonly pageSize: number;
  /** Capability labels that count as targeted (Config.targetCapabilities); recorded in the run's params. @defaultValue DEFAULT_TARGET_CAPABILITIES */
  readonly targetCapabilities: readonly string[];
  /** Further detection options (projection, communities, scoring, lineage). @defaultValue {} */
  readonly detection: Partial<Omit<DetectionOptions, 'seed' | 'resolution' | 'releaseDate' | 'runId' | 'previous' | 'onProgress'>>;
  /** Progress (phase, done, total); total 0 when unknown. @defaultValue undefined */
  readonly onProgress: ((phase: string, done: number, total: number) => void) | undefined;
}

export const DETECT_AND_WRITE_DEFAULTS: DetectAndWriteOptions = {
  seed: 42,
  resolution: 1,
  releaseDate: undefined,
  runId: undefined,
  keepRuns: 10,
  pageSize: 5000,
  targetCapabilities: DEFAULT_TARGET_CAPABILITIES,
  detection: {},
  onProgress: undefined,
};

export interface DetectAndWriteResult {
  readonly runId: string;
  readonly previousRunId: string | undefined;
  readonly clusters: readonly DetectedCluster[];
  readonly stats: DetectionStats & { readonly ms: DetectionStats['ms'] & { read: number; write: number } };
  readonly pruned: readonly string[];
}

/** A sortable, job-id-safe run id: run-YYYYMMDDTHHMMSSmmmZ. */
export function newRunId(now = new Date()): string {
  return `run-${now.toISOString().replace(/[-:.]/g, '')}`;
}

export async function detectAndWrite(client: Neo4jClient, options: Partial<DetectAndWriteOptions> = {}): Promise<DetectAndWriteResult> {
  const o = { ...DETECT_AND_WRITE_DEFAULTS, ...options };
  const progress = o.onProgress ?? (() => undefined);
  const startedAt = Date.now();
  const runId = o.runId ?? newRunId(new Date(startedAt));
  await ensureLinkageSchema(client);
  let t = performance.now();
  const input = await readLinkageInput(client, { pageSize: o.pageSize, onProgress: (phase, n) => progress(`read:${phase}`, n, 0) });
  const previousRunId = await resolveRunId(client, 'latest');
  const previous = previousRunId && previousRunId !== runId ? await readRunClusters(client, previousRunId) : [];
  const tRead = performance.now() - t;
  const result = await runDetection(input, {
    ...o.detection,
    scoring: { targetCapabilities: o.targetCapabilities, ...o.detection.scoring },
    seed: o.seed,
    resolution: o.resolution,
    releaseDate: o.releaseDate,
    runId,
    previous,
    onProgress: progress,
  });
  t = performance.now();
  const params = {
    seed: o.seed,
    resolution: o.resolution,
    releaseDate: o.releaseDate ?? null,
    previousRunId: previousRunId ?? null,
    targetCapabilities: o.detection.scoring?.targetCapabilities ?? o.targetCapabilities,
    ...o.detection,
  };
  const stats = { ...result.stats, ms: { ...result.stats.ms, read: Math.round(tRead), write: 0 } };
  await writeRun(client, { id: runId, startedAt, seed: o.seed, params }, result.clusters, stats, { onProgress: (p, d, n) => progress(`write:${p}`, d, n) });
  stats.ms.write = Math.round(performance.now() - t);
  const pruned = o.keepRuns > 0 ? await pruneRuns(client, o.keepRuns) : [];
  return { runId, previousRunId, clusters: result.clusters, stats, pruned };
}
