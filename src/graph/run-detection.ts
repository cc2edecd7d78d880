import type { Assignment, LinkageInput } from './types.js';
import type { ProjectedGraph, ProjectionStats } from './projected-graph.js';
import { project, type ProjectionOverrides } from './project.js';
import { detectCommunitiesAsync, type CommunityOptions } from './communities.js';
import { scoreClusters, type ClusterReport, type ScoringOptions } from './scoring.js';
import { assignLineage, type LineageOptions, type LineageStatus, type PreviousCluster } from './lineage.js';

/** Options of a whole detection run. */
export interface DetectionOptions {
  /** Seed for MinHash salts and Louvain. @defaultValue 42 */
  readonly seed: number;
  /** Louvain resolution. @defaultValue 1 */
  readonly resolution: number;
  /** Model-release time (epoch ms) for the traffic-shift feature. @defaultValue undefined */
  readonly releaseDate: number | undefined;
  /** Salt of new cluster ids (the run id). @defaultValue '' */
  readonly runId: string;
  /** The previous run's clusters, for stable ids, lineage and respawn. @defaultValue [] */
  readonly previous: readonly PreviousCluster[];
  readonly projection: ProjectionOverrides;
  readonly communities: Partial<CommunityOptions>;
  readonly scoring: Partial<ScoringOptions>;
  readonly lineage: Partial<LineageOptions>;
  /**
   * Computes the communities somewhere else (the pipeline fans them out to child jobs). It must
   * return what `detectCommunities(graph, options)` returns; resolving undefined computes them here.
   * @defaultValue undefined
   */
  readonly communitiesBy: CommunitiesBy | undefined;
  /** Progress callback (phase, done, total). @defaultValue undefined */
  readonly onProgress: ((phase: string, done: number, total: number) => void) | undefined;
}

/** A place other than this thread to compute the communities of a projected graph. */
export type CommunitiesBy = (graph: ProjectedGraph, options: Partial<CommunityOptions>) => Promise<Assignment | undefined>;

export const DETECTION_DEFAULTS: DetectionOptions = {
  seed: 42,
  resolution: 1,
  releaseDate: undefined,
  runId: '',
  previous: [],
  projection: {},
  communities: {},
  scoring: {},
  lineage: {},
  communitiesBy: undefined,
  onProgress: undefined,
};

/** A scored cluster with its stable identity. */
export interface DetectedCluster extends ClusterReport {
  readonly id: string;
  readonly lineage: LineageStatus;
  readonly previousId: string | undefined;
  readonly respawn: readonly string[];
}

export interface DetectionResult {
  readonly clusters: readonly DetectedCluster[];
  readonly assignment: Assignment;
  readonly graph: ProjectedGraph;
  readonly stats: DetectionStats;
}

export interface DetectionStats {
  readonly accounts: number;
  readonly edges: number;
  readonly clusters: number;
  readonly enforce: number;
  readonly review: number;
  readonly monitor: number;
  readonly respawns: number;
  readonly projection: ProjectionStats;
  readonly ms: { readonly project: number; readonly communities: number; readonly scoring: number };
}

/**
 * Projection → communities → scoring → lineage. No I/O; yields to the event loop between
 * components so an in-process caller (CLI, BullMQ lock renewals) stays responsive.
 */
export async function runDetection(input: LinkageInput, options: Partial<DetectionOptions> = {}): Promise<DetectionResult> {
  const o = { ...DETECTION_DEFAULTS, ...options };
  const progress = o.onProgress ?? (() => undefined);
  let t = performance.now();
  progress('project', 0, 1);
  const graph = project(input, { seed: o.seed, ...o.projection });
  const tProject = performance.now() - t;
  progress('project', 1, 1);
  t = performance.now();
  const communityOptions = { seed: o.seed, resolution: o.resolution, ...o.communities };
  const assignment =
    (await o.communitiesBy?.(graph, communityOptions)) ?? (await detectCommunitiesAsync(graph, communityOptions, (d, n) => progress('communities', d, n)));
  const tCommunities = performance.now() - t;
  t = performance.now();
  await new Promise((r) => setImmediate(r));
  const clusters = scoreAndTrace(input, graph, assignment, o);
  const tScoring = performance.now() - t;
  progress('score', 1, 1);
  return {
    clusters,
    assignment,
    graph,
    stats: { ...clusterCounts(graph, clusters), ms: { project: Math.round(tProject), communities: Math.round(tCommunities), scoring: Math.round(tScoring) } },
  };
}

/**
 * Scoring and lineage of a finished assignment: the tail of runDetection, shared with the
 * pipeline's fan-out, which computes the assignment in child jobs.
 */
export function scoreAndTrace(
  input: LinkageInput,
  graph: ProjectedGraph,
  assignment: Assignment,
  options: Partial<Pick<DetectionOptions, 'releaseDate' | 'runId' | 'previous' | 'scoring' | 'lineage'>> = {},
): DetectedCluster[] {
  const o = { ...DETECTION_DEFAULTS, ...options };
  const reports = scoreClusters(input, graph, assignment, { releaseDate: o.releaseDate, ...o.scoring });
  const lineage = assignLineage(
    o.previous,
    reports.map((r) => ({ key: r.key, members: r.members })),
    { salt: o.runId, ...o.lineage },
  );
  return reports.map((r, i) => ({ ...r, ...lineage[i]!, key: r.key }));
}

/** Run statistics derived from the projected graph and the detected clusters. */
export function clusterCounts(graph: ProjectedGraph, clusters: readonly DetectedCluster[]): Omit<DetectionStats, 'ms'> {
  const count = (rec: string): number => clusters.filter((c) => c.recommendation === rec).length;
  return {
    accounts: graph.accounts.length,
    edges: graph.edgeCount,
    clusters: clusters.length,
    enforce: count('enforce'),
    review: count('review'),
    monitor: count('monitor'),
    respawns: clusters.reduce((s, c) => s + c.respawn.length, 0),
    projection: graph.stats,
  };
}
