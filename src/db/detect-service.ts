import { DEFAULT_TARGET_CAPABILITIES } from '../vocabulary/capabilities.js';
import { runDetection, type CommunitiesBy, type DetectedCluster, type DetectionOptions, type DetectionStats } from '../graph/run-detection.js';
import { readLinkageInput } from './linkage-source.js';
import { writeRun } from './linkage-writer.js';
import type { Neo4jClient } from './neo4j-client.js';
import { latestFinishedRunId, pruneRuns, readRunClusters } from './run-repository.js';
import { ensureSchema } from './schema.js';

/**
 * The one detection service: read → detect → write back → prune. `ringscope detect` and the
 * pipeline's `detect-run` job both call `detectAndWrite` with the same options, so the same drop
 * gives the same clusters whichever path ran it. What differs between them is a hook, not a copy:
 * the job passes `communitiesBy` (its fan-out to child jobs) and a progress callback. The CPU-heavy
 * middle is the pure runDetection (src/graph/), so a worker can run it apart from the I/O.
 */
export interface DetectAndWriteOptions {
  /** Seed of every random choice (MinHash salts, Louvain order). @defaultValue 42 */
  readonly seed: number;
  /** Louvain resolution. @defaultValue 1 */
  readonly resolution: number;
  /** Model-release time (epoch ms) for the traffic-shift feature. @defaultValue undefined */
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
  readonly detection: Partial<Omit<DetectionOptions, 'seed' | 'resolution' | 'releaseDate' | 'runId' | 'previous' | 'onProgress' | 'communitiesBy'>>;
  /** Computes the communities elsewhere (the pipeline's fan-out); see DetectionOptions. @defaultValue undefined */
  readonly communitiesBy: CommunitiesBy | undefined;
  /** Progress (phase, done, total); total 0 when unknown. @defaultValue undefined */
  readonly onProgress: ((phase: string, done: number, total: number) => void) | undefined;
}

export const DETECT_AND_WRITE_DEFAULTS: DetectAndWriteOptions = Object.freeze({
  seed: 42,
  resolution: 1,
  releaseDate: undefined,
  runId: undefined,
  keepRuns: 10,
  pageSize: 5000,
  targetCapabilities: DEFAULT_TARGET_CAPABILITIES,
  detection: {},
  communitiesBy: undefined,
  onProgress: undefined,
});

export type RunStats = DetectionStats & { readonly ms: DetectionStats['ms'] & { read: number; write: number } };

export interface DetectAndWriteResult {
  readonly runId: string;
  readonly previousRunId: string | undefined;
  readonly clusters: readonly DetectedCluster[];
  readonly stats: RunStats;
  readonly pruned: readonly string[];
}

/** A sortable, job-id-safe run id: run-YYYYMMDDTHHMMSSmmmZ. */
export function newRunId(now = new Date()): string {
  return `run-${now.toISOString().replace(/[-:.]/g, '')}`;
}

/** The parameters a run records (LinkageRun.params): enough to reproduce it. */
export function runParams(o: DetectAndWriteOptions, previousRunId: string | undefined): Record<string, unknown> {
  return {
    seed: o.seed,
    resolution: o.resolution,
    releaseDate: o.releaseDate === undefined ? null : new Date(o.releaseDate).toISOString(),
    previousRunId: previousRunId ?? null,
    targetCapabilities: o.detection.scoring?.targetCapabilities ?? o.targetCapabilities,
    ...o.detection,
  };
}

export async function detectAndWrite(client: Neo4jClient, options: Partial<DetectAndWriteOptions> = {}): Promise<DetectAndWriteResult> {
  const o: DetectAndWriteOptions = { ...DETECT_AND_WRITE_DEFAULTS, ...options };
  const progress = o.onProgress ?? (() => undefined);
  const startedAt = Date.now();
  const runId = o.runId ?? newRunId(new Date(startedAt));
  await ensureSchema(client);
  let t = performance.now();
  const input = await readLinkageInput(client, { pageSize: o.pageSize, onProgress: (phase, n) => progress(`read:${phase}`, n, 0) });
  const latest = await latestFinishedRunId(client);
  const previousRunId = latest !== runId ? latest : undefined;
  const previous = previousRunId ? await readRunClusters(client, previousRunId) : [];
  const tRead = performance.now() - t;
  const result = await runDetection(input, {
    ...o.detection,
    scoring: { targetCapabilities: o.targetCapabilities, ...o.detection.scoring },
    seed: o.seed,
    resolution: o.resolution,
    releaseDate: o.releaseDate,
    runId,
    previous,
    communitiesBy: o.communitiesBy,
    onProgress: progress,
  });
  t = performance.now();
  const stats: RunStats = { ...result.stats, ms: { ...result.stats.ms, read: Math.round(tRead), write: 0 } };
  await writeRun(client, { id: runId, startedAt, seed: o.seed, params: runParams(o, previousRunId) }, result.clusters, stats, {
    onProgress: (p, d, n) => progress(`write:${p}`, d, n),
  });
  stats.ms.write = Math.round(performance.now() - t);
  const pruned = o.keepRuns > 0 ? await pruneRuns(client, o.keepRuns) : [];
  return { runId, previousRunId, clusters: result.clusters, stats, pruned };
}
