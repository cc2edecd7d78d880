import { readLinkageInput } from '../db/linkage-source.js';
import { ensureLinkageSchema, pruneRuns, readRunClusters, resolveRunId, writeRun } from '../db/linkage-writer.js';
import type { Neo4jClient } from '../db/index.js';
import {
  clusterCounts,
  DEFAULT_TARGET_CAPABILITIES,
  DETECTION_DEFAULTS,
  detectCommunities,
  project,
  scoreAndTrace,
  type Assignment,
  type CommunityOptions,
  type DetectedCluster,
  type LinkageInput,
  type ProjectedGraph,
} from '../graph/index.js';

/**
 * The steps of a `detect-run` job: read and project once, communities in this thread or from
 * fan-out children, then the same scoring and lineage tail as `runDetection` (`scoreAndTrace`) and
 * the same write-back as `detectAndWrite` (src/db/linkage-pipeline.ts). test/jobs/fan-out.test.ts
 * holds both paths to the clusters of `detectAndWrite`.
 */
export interface RunParams {
  readonly runId: string;
  readonly seed: number;
  /** Keep only the newest N finished runs. @defaultValue 10 (as detectAndWrite) */
  readonly keepRuns?: number;
  /** Capability labels that count as targeted (Config.targetCapabilities). @defaultValue DEFAULT_TARGET_CAPABILITIES */
  readonly targetCapabilities?: readonly string[];
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
  /** Fan-out children over both rounds; 0 when the communities were computed in the job itself. */
  readonly fannedOut: number;
  /** True when the run had already finished (a retried or duplicated job): nothing was recomputed. */
  readonly alreadyFinished: boolean;
  /** Wall time of each step in ms (communities: in this thread, or the wait for the fan-out children). */
  readonly ms?: { readonly read: number; readonly project: number; readonly communities: number; readonly scoreAndWrite: number };
}

/** Input and projection of the current graph, as detectAndWrite/runDetection compute them. */
export async function readAndProject(
  client: Neo4jClient,
  seed: number,
  onProgress?: (phase: string, done: number, total: number) => void,
): Promise<{ input: LinkageInput; graph: ProjectedGraph; ms: { read: number; project: number } }> {
  let t = performance.now();
  const input = await readLinkageInput(client, { onProgress: (phase, n) => onProgress?.(`read:${phase}`, n, 0) });
  const read = Math.round(performance.now() - t);
  onProgress?.('project', 0, 1);
  t = performance.now();
  const graph = project(input, { seed });
  return { input, graph, ms: { read, project: Math.round(performance.now() - t) } };
}

/** The community options runDetection uses for a seed (in this thread and in fan-out children alike). */
export function communityOptions(seed: number): Partial<CommunityOptions> {
  const o = DETECTION_DEFAULTS;
  return { seed, resolution: o.resolution, ...o.communities };
}

/** Communities in this thread, as runDetection computes them (a graph too small to fan out). */
export function communitiesInProcess(graph: ProjectedGraph, seed: number): Assignment {
  return detectCommunities(graph, communityOptions(seed));
}

/**
 * Scoring, lineage and write-back of an assignment, wherever it was computed (in this thread or by
 * fan-out children): the tail of detectAndWrite, with the same previous run, options and pruning.
 */
export async function scoreAndWrite(
  client: Neo4jClient,
  p: RunParams,
  input: LinkageInput,
  graph: ProjectedGraph,
  assignment: Assignment,
  children: number,
): Promise<DetectRunSummary> {
  const startedAt = Date.now();
  await ensureLinkageSchema(client);
  const previousRunId = await resolveRunId(client, 'latest');
  const previous = previousRunId && previousRunId !== p.runId ? await readRunClusters(client, previousRunId) : [];
  const o = DETECTION_DEFAULTS;
  p.onProgress?.('score', 0, 1);
  const targetCapabilities = p.targetCapabilities ?? DEFAULT_TARGET_CAPABILITIES;
  const clusters = scoreAndTrace(input, graph, assignment, { runId: p.runId, previous, scoring: { targetCapabilities } });
  const stats = { ...clusterCounts(graph, clusters), fanOutChildren: children };
  const params = { seed: p.seed, resolution: o.resolution, releaseDate: null, previousRunId: previousRunId ?? null, targetCapabilities };
  await writeRun(client, { id: p.runId, startedAt, seed: p.seed, params }, clusters, stats, {
    onProgress: (ph, d, n) => p.onProgress?.(`write:${ph}`, d, n),
  });
  const keep = p.keepRuns ?? 10;
  if (keep > 0) await pruneRuns(client, keep);
  return summarise(p.runId, previousRunId, clusters, graph.accounts.length, children);
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
