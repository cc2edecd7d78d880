import { accountDigests, reusedDigests } from './account-digest.js';
import { communityKey } from './communities.js';
import type { DetectionState, StateCluster } from './detection-state.js';
import { frontierUpdate, type FrontierOptions, type FrontierUpdate } from './frontier.js';
import type { PreviousCluster } from './lineage.js';
import { project } from './project.js';
import { EVIDENCE_SLOTS, type ProjectedGraph } from './projected-graph.js';
import { clusterCounts, DETECTION_DEFAULTS, scoreAndTrace, type DetectedCluster, type DetectionOptions, type DetectionStats } from './run-detection.js';
import type { LinkageInput } from './types.js';
import type { Recommendation } from '../vocabulary/index.js';

/** A previous cluster an incremental run keeps as it was: same id, members, score and links. */
export interface CarriedCluster {
  readonly id: string;
  readonly recommendation: Recommendation;
  readonly size: number;
}

/** Frontier and carry-over figures of a run (run stats; zero on a full run but `mode`). */
export interface FrontierStats extends Pick<
  FrontierUpdate,
  'touchedAccounts' | 'changedLinks' | 'frontierAccounts' | 'frontierLinks' | 'redetectedComponents' | 'carriedComponents' | 'driftLinks'
> {
  readonly mode: 'full' | 'incremental';
  readonly carriedClusters: number;
  readonly carriedAccounts: number;
}

/** The state fields detection itself decides (the service adds run id, store, params and drops). */
export type ComputedState = Omit<DetectionState, 'runId' | 'storeId' | 'paramsDigest' | 'drops' | 'fullRunId'>;

export interface IncrementalResult {
  /** Clusters of the frontier, scored and traced against the previous clusters they came from. */
  readonly clusters: readonly DetectedCluster[];
  readonly carried: readonly CarriedCluster[];
  readonly graph: ProjectedGraph;
  readonly stats: DetectionStats & { readonly frontier: FrontierStats };
  readonly state: ComputedState;
}

export type IncrementalOptions = Partial<DetectionOptions> & {
  readonly frontier?: Partial<FrontierOptions>;
  /**
   * When the input is the state's input patched with a delta: the accounts that delta can change
   * (deltaAccounts). Only those are digested again; the others keep the state's digests, which is
   * exact (reusedDigests). Undefined: every account is digested.
   */
  readonly changedAccounts?: ReadonlySet<string>;
};

/**
 * An incremental run: the projection as a full run makes it (its global estimates, term-frequency N
 * and network coherence EM, are fresh; their drift is what the link tolerance absorbs), the frontier
 * update, then scoring and lineage of the frontier's clusters only. Pure; `state` is the previous run's.
 */
export async function runIncrementalDetection(input: LinkageInput, state: DetectionState, options: IncrementalOptions = {}): Promise<IncrementalResult> {
  const o = { ...DETECTION_DEFAULTS, ...options };
  const progress = o.onProgress ?? (() => undefined);
  let t = performance.now();
  progress('project', 0, 1);
  const graph = project(input, { seed: o.seed, ...o.projection });
  const digests = options.changedAccounts ? reusedDigests(input, graph.accounts, state, options.changedAccounts) : accountDigests(input, graph.accounts);
  const tProject = performance.now() - t;
  progress('project', 1, 1);
  t = performance.now();
  await new Promise((r) => setImmediate(r));
  const fu = frontierUpdate(graph, digests, state, { seed: o.seed, resolution: o.resolution, ...o.communities }, options.frontier, options.changedAccounts);
  const tCommunities = performance.now() - t;
  t = performance.now();
  const assignment = new Map<string, string>();
  for (const c of fu.communities) {
    const key = communityKey(graph, c);
    for (const v of c) assignment.set(graph.accounts[v]!, key);
  }
  const carriedSet = new Set(fu.carried);
  const members = membersOf(state);
  const previous: PreviousCluster[] = [];
  state.clusters.forEach((c, j) => {
    if (!carriedSet.has(j)) previous.push({ id: c.id, recommendation: c.recommendation, members: members[j]! });
  });
  const clusters = scoreAndTrace(input, graph, assignment, { ...o, previous });
  const carried = fu.carried.map((j) => ({ id: state.clusters[j]!.id, recommendation: state.clusters[j]!.recommendation, size: members[j]!.length }));
  const tScoring = performance.now() - t;
  progress('score', 1, 1);
  const carriedMembers = fu.carried.map((j) => members[j]!);
  const next = nextState(graph, digests, [...clusters, ...carried.map((c, i) => ({ ...c, members: carriedMembers[i]! }))], {
    sinceFull: state.sinceFull + 1,
    keep: { state, keptLink: fu.keptLink },
  });
  const counts = clusterCounts(graph, clusters);
  const all = [...clusters.map((c) => c.recommendation), ...carried.map((c) => c.recommendation)];
  const count = (r: Recommendation): number => all.filter((x) => x === r).length;
  const frontier: FrontierStats = {
    mode: 'incremental',
    touchedAccounts: fu.touchedAccounts,
    changedLinks: fu.changedLinks,
    frontierAccounts: fu.frontierAccounts,
    frontierLinks: fu.frontierLinks,
    redetectedComponents: fu.redetectedComponents,
    carriedComponents: fu.carriedComponents,
    ...(fu.driftLinks === undefined ? {} : { driftLinks: fu.driftLinks }),
    carriedClusters: carried.length,
    carriedAccounts: carried.reduce((s, c) => s + c.size, 0),
  };
  return {
    clusters,
    carried,
    graph,
    state: next,
    stats: {
      ...counts,
      clusters: all.length,
      enforce: count('enforce'),
      review: count('review'),
      monitor: count('monitor'),
      frontier,
      ms: { project: Math.round(tProject), communities: Math.round(tCommunities), scoring: Math.round(tScoring) },
    },
  };
}

/** Members (account ids) of each cluster of a state. */
export function membersOf(state: DetectionState): string[][] {
  const out: string[][] = state.clusters.map(() => []);
  for (let p = 0; p < state.accounts.length; p++) {
    const j = state.community[p]!;
    if (j >= 0) out[j]!.push(state.accounts[p]!);
  }
  return out;
}

/** The frontier figures of a full run. */
export function fullRunFrontier(graph: ProjectedGraph): FrontierStats {
  return {
    mode: 'full',
    touchedAccounts: graph.accounts.length,
    changedLinks: graph.edgeCount,
    frontierAccounts: graph.accounts.length,
    frontierLinks: graph.edgeCount,
    redetectedComponents: 0,
    carriedComponents: 0,
    carriedClusters: 0,
    carriedAccounts: 0,
  };
}

/**
 * The state a run leaves: this run's links, digests and clusters. Links of carried components keep
 * the snapshot's weights (`keep`), those the carried clusters were found on, so that drift below the
 * tolerance cannot pile up night after night unseen.
 */
export function nextState(
  graph: ProjectedGraph,
  digests: Uint32Array,
  clusters: ReadonlyArray<StateCluster & { readonly members: readonly string[] }>,
  o: {
    readonly sinceFull: number;
    readonly keep?: { readonly state: DetectionState; readonly keptLink: Int32Array };
  },
): ComputedState {
  const n = graph.accounts.length;
  const index = new Map<string, number>();
  graph.accounts.forEach((a, i) => index.set(a, i));
  const community = new Int32Array(n).fill(-1);
  clusters.forEach((c, j) => {
    for (const a of c.members) community[index.get(a)!] = j;
  });
  const weight = Float64Array.from(graph.weight);
  const evidence = Float32Array.from(graph.evidence);
  if (o.keep) {
    const { state, keptLink } = o.keep;
    for (let e = 0; e < graph.edgeCount; e++) {
      const p = keptLink[e]!;
      if (p < 0) continue;
      weight[e] = state.weight[p]!;
      for (let k = 0; k < EVIDENCE_SLOTS; k++) evidence[e * EVIDENCE_SLOTS + k] = state.evidence[p * EVIDENCE_SLOTS + k]!;
    }
  }
  return {
    sinceFull: o.sinceFull,
    accounts: graph.accounts,
    digests,
    src: Int32Array.from(graph.src),
    dst: Int32Array.from(graph.dst),
    weight,
    evidence,
    community,
    clusters: clusters.map((c) => ({ id: c.id, recommendation: c.recommendation })),
  };
}

/** The state of a full run's result. */
export function fullRunState(input: LinkageInput, graph: ProjectedGraph, clusters: readonly DetectedCluster[]): ComputedState {
  return nextState(graph, accountDigests(input, graph.accounts), clusters, { sinceFull: 0 });
}
