import { connectedComponents, detectComponent, type CommunityOptions, type Component } from './communities.js';
import type { DetectionState } from './detection-state.js';
import { PairIndex } from './pair-index.js';
import { buildAdjacency, EVIDENCE_SLOTS, type ProjectedGraph } from './projected-graph.js';

/**
 * The frontier community update of an incremental run (docs/incremental.md), after Dynamic Frontier
 * Louvain (Sahu 2024, arXiv 2404.19634): only the part of the graph a batch of changes touches is
 * detected again. The frontier starts at the accounts whose input changed (digest) and the ends of
 * every link that appeared, vanished or moved by more than the tolerance; it grows to the connected
 * components holding them and to every previous cluster those reach. Each such component is detected
 * again by the full path's own detectComponent (Louvain, refinement, merge-back, peeling), seeded as
 * the full path seeds it, so it gets what a full run on these links would give it. Every other
 * component's links are those the snapshot's communities were found on: its clusters carry over.
 */
export interface FrontierOptions {
  /** A link counts as unchanged when weight and every evidence kind move by at most max(abs, rel·value) bits. @defaultValue abs 0.1, rel 0.01 */
  readonly tolerance: { readonly abs: number; readonly rel: number };
}

export const FRONTIER_DEFAULTS: FrontierOptions = { tolerance: { abs: 0.1, rel: 0.01 } };

export interface FrontierUpdate {
  /** Communities of the re-detected components (sorted node numbers of `graph`). */
  readonly communities: number[][];
  /** Previous clusters (indices into state.clusters) carried over unchanged. */
  readonly carried: readonly number[];
  /** Accounts whose input changed or that are new. */
  readonly touchedAccounts: number;
  /** Links that appeared, vanished or moved beyond the tolerance. */
  readonly changedLinks: number;
  /** Accounts and links of the re-detected components (the frontier). */
  readonly frontierAccounts: number;
  readonly frontierLinks: number;
  readonly redetectedComponents: number;
  readonly carriedComponents: number;
  /** Per link of `graph`: the previous link it matches within tolerance (−1: none or re-detected). */
  readonly keptLink: Int32Array;
  /**
   * Changed links with neither end in `reach` (the accounts the night's delta can change): changes
   * that come from global terms alone (term-frequency N, coherence estimates, hour crowding,
   * creation windows) or through a network identifier's coherence, not from a row of the night.
   * Undefined when no reach was given (a whole read).
   */
  readonly driftLinks?: number;
}

/** Map each previous account number to its number in `accounts` (both sorted), or −1. */
export function mapAccounts(prev: readonly string[], next: readonly string[]): Int32Array {
  const out = new Int32Array(prev.length).fill(-1);
  for (let i = 0, j = 0; i < prev.length && j < next.length;) {
    if (prev[i] === next[j]) out[i++] = j++;
    else if (prev[i]! < next[j]!) i++;
    else j++;
  }
  return out;
}

export function frontierUpdate(
  graph: ProjectedGraph,
  digests: Uint32Array,
  state: DetectionState,
  communityOptions: Partial<CommunityOptions>,
  options: Partial<FrontierOptions> = {},
  reach?: ReadonlySet<string>,
): FrontierUpdate {
  const tol = { ...FRONTIER_DEFAULTS.tolerance, ...options.tolerance };
  const n = graph.accounts.length;
  const toNew = mapAccounts(state.accounts, graph.accounts);
  const fromNew = new Int32Array(n).fill(-1);
  toNew.forEach((v, i) => {
    if (v >= 0) fromNew[v] = i;
  });
  const changed = new Uint8Array(n);
  let touchedAccounts = 0;
  for (let v = 0; v < n; v++) {
    const p = fromNew[v]!;
    if (p < 0 || digests[2 * v] !== state.digests[2 * p] || digests[2 * v + 1] !== state.digests[2 * p + 1]) {
      changed[v] = 1;
      touchedAccounts++;
    }
  }
  // Link diff: the new links by pair, then each previous link looked up and compared.
  const index = new PairIndex(Math.max(16, graph.edgeCount));
  for (let e = 0; e < graph.edgeCount; e++) index.rowOf(graph.src[e]! * n + graph.dst[e]!);
  const keptLink = new Int32Array(graph.edgeCount).fill(-1);
  const close = (a: number, b: number): boolean => Math.abs(a - b) <= Math.max(tol.abs, tol.rel * Math.max(Math.abs(a), Math.abs(b)));
  let changedLinks = 0;
  let driftLinks = 0;
  const mark = (v: number): void => {
    if (v >= 0) changed[v] = 1;
  };
  for (let p = 0; p < state.src.length; p++) {
    const a = toNew[state.src[p]!]!;
    const b = toNew[state.dst[p]!]!;
    const e = a >= 0 && b >= 0 ? index.get(a * n + b) : -1;
    let same = e >= 0 && close(graph.weight[e]!, state.weight[p]!);
    for (let k = 0; same && k < EVIDENCE_SLOTS; k++) same = close(graph.evidence[e * EVIDENCE_SLOTS + k]!, state.evidence[p * EVIDENCE_SLOTS + k]!);
    if (e >= 0) keptLink[e] = same ? p : -2;
    if (!same) {
      changedLinks++;
      mark(a);
      mark(b);
      if (reach && !reach.has(state.accounts[state.src[p]!]!) && !reach.has(state.accounts[state.dst[p]!]!)) driftLinks++;
    }
  }
  for (let e = 0; e < graph.edgeCount; e++) {
    if (keptLink[e] === -1) {
      changedLinks++;
      mark(graph.src[e]!);
      mark(graph.dst[e]!);
      if (reach && !reach.has(graph.accounts[graph.src[e]!]!) && !reach.has(graph.accounts[graph.dst[e]!]!)) driftLinks++;
    }
  }
  // Components, and the previous clusters each one holds.
  const comps = connectedComponents(graph);
  const compOf = new Int32Array(n).fill(-1);
  comps.forEach((c, i) => c.nodes.forEach((v) => (compOf[v] = i)));
  const dirty = new Uint8Array(comps.length);
  comps.forEach((c, i) => {
    for (const v of c.nodes) if (changed[v]) dirty[i] = 1;
  });
  // Previous clusters → the components their members are in now (−1: a member left every component).
  const clusterComps: Array<Set<number>> = state.clusters.map(() => new Set());
  for (let p = 0; p < state.accounts.length; p++) {
    const j = state.community[p]!;
    if (j < 0) continue;
    const v = toNew[p]!;
    clusterComps[j]!.add(v >= 0 ? compOf[v]! : -1);
  }
  // A previous cluster that reaches a dirty component, spans two, or lost a member makes all it reaches dirty (to a fixpoint).
  for (let again = true; again;) {
    again = false;
    for (const cs of clusterComps) {
      const spoiled = cs.size > 1 || cs.has(-1) || [...cs].some((c) => dirty[c] === 1);
      if (!spoiled) continue;
      for (const c of cs) {
        if (c >= 0 && !dirty[c]) {
          dirty[c] = 1;
          again = true;
        }
      }
    }
  }
  const adj = buildAdjacency(graph);
  const communities: number[][] = [];
  const redo: Component[] = comps.filter((_, i) => dirty[i] === 1);
  for (const comp of redo) communities.push(...detectComponent(graph, comp, communityOptions, adj));
  const carried: number[] = [];
  clusterComps.forEach((cs, j) => {
    const [c] = [...cs];
    if (cs.size === 1 && c !== undefined && c >= 0 && !dirty[c]) carried.push(j);
  });
  let frontierLinks = 0;
  for (let e = 0; e < graph.edgeCount; e++) {
    if (dirty[compOf[graph.src[e]!]!]) {
      frontierLinks++;
      keptLink[e] = -1;
    } else if (keptLink[e]! < 0) throw new Error('frontier: a changed link outside the frontier'); // cannot happen: its ends are changed, so dirty
  }
  return {
    communities,
    carried,
    touchedAccounts,
    changedLinks,
    frontierAccounts: redo.reduce((s, c) => s + c.nodes.length, 0),
    frontierLinks,
    redetectedComponents: redo.length,
    carriedComponents: comps.length - redo.length,
    keptLink,
    ...(reach ? { driftLinks } : {}),
  };
}
