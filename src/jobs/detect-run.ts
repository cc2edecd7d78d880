import { detectAndWrite, type DetectAndWriteResult } from '../db/linkage-pipeline.js';
import { readLinkageInput } from '../db/linkage-source.js';
import { ensureLinkageSchema, pruneRuns, readRunClusters, resolveRunId, writeRun } from '../db/linkage-writer.js';
import type { Neo4jClient } from '../db/index.js';
import {
  clusterCounts,
  DETECTION_DEFAULTS,
  project,
  scoreAndTrace,
  type Assignment,
  type DetectedCluster,
  type LinkageInput,
  type ProjectedGraph,
} from '../graph/index.js';

/**
 * The two ways a `detect-run` job computes a run. Without fan-out it is exactly `detectAndWrite`
 * (src/db/linkage-pipeline.ts). With fan-out, communities come from the child jobs and the rest
 * calls the same scoring and lineage tail as `runDetection` (`scoreAndTrace`) and then writes back
 * like `detectAndWrite`; test/jobs/fan-out.test.ts holds the two paths to identical clusters.
 */
export interface RunParams {
  readonly runId: string;
  readonly seed: number;
  /** Keep only the newest N finished runs. @defaultValue 10 (as detectAndWrite) */
  readonly keepRuns?: number;
  readonly onProgress?: (phase: string, done: number, total: number) => void;
}

export interface DetectRunSummary {
  readonly runId: string;
  readonly previousRunId: string | null;
  readonly clusters: number;
  readonly enforce: number;
  readonly review: number;
  readonly monitor: number;
  readonly accounts: number;
  readonly fannedOut: number;
  /** True when the run had already finished (a retried or duplicated job): nothing was recomputed. */
  readonly alreadyFinished: boolean;
}

export async function detectInProcess(client: Neo4jClient, p: RunParams): Promise<DetectRunSummary> {
  const r: DetectAndWriteResult = await detectAndWrite(client, {
    runId: p.runId,
    seed: p.seed,
    ...(p.keepRuns !== undefined ? { keepRuns: p.keepRuns } : {}),
    onProgress: p.onProgress,
  });
  return summarise(r.runId, r.previousRunId, r.clusters, r.stats.accounts, 0);
}

/** Input and projection of the current graph, as detectAndWrite/runDetection compute them. */
export async function readAndProject(client: Neo4jClient, seed: number): Promise<{ input: LinkageInput; graph: ProjectedGraph }> {
  const input = await readLinkageInput(client, {});
  const graph = project(input, { seed });
  return { input, graph };
}

/** Score, lineage and write-back for an assignment computed elsewhere (fan-out children). */
export async function writeFannedOut(
  client: Neo4jClient,
  p: RunParams,
  input: LinkageInput,
  graph: ProjectedGraph,
  assignment: Assignment,
  batches: number,
): Promise<DetectRunSummary> {
  const startedAt = Date.now();
  await ensureLinkageSchema(client);
  const previousRunId = await resolveRunId(client, 'latest');
  const previous = previousRunId && previousRunId !== p.runId ? await readRunClusters(client, previousRunId) : [];
  const o = DETECTION_DEFAULTS;
  const clusters = scoreAndTrace(input, graph, assignment, { runId: p.runId, previous });
  const stats = { ...clusterCounts(graph, clusters), fanOutBatches: batches };
  const params = { seed: p.seed, resolution: o.resolution, releaseDate: null, previousRunId: previousRunId ?? null };
  await writeRun(client, { id: p.runId, startedAt, seed: p.seed, params }, clusters, stats, {
    onProgress: (ph, d, n) => p.onProgress?.(`write:${ph}`, d, n),
  });
  const keep = p.keepRuns ?? 10;
  if (keep > 0) await pruneRuns(client, keep);
  return summarise(p.runId, previousRunId, clusters, graph.accounts.length, batches);
}

function summarise(runId: string, previousRunId: string | undefined, clusters: readonly DetectedCluster[], accounts: number, fannedOut: number): DetectRunSummary {
  const count = (rec: string): number => clusters.filter((c) => c.recommendation === rec).length;
  return {
    runId,
    previousRunId: previousRunId ?? null,
    clusters: clusters.length,
    enforce: count('enforce'),
    review: count('review'),
    monitor: count('monitor'),
    accounts,
    fannedOut,
    alreadyFinished: false,
  };
}
