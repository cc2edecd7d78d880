import { UndirectedGraph } from 'graphology';
import { unionFind } from './union-find.js';
import louvainImport from 'graphology-communities-louvain';
import type { Assignment } from './types.js';
import { buildAdjacency, otherEnd, type Adjacency, type ProjectedGraph } from './projected-graph.js';
import { rngFor } from './rng.js';

const louvain = louvainImport as unknown as typeof louvainImport.default;

/**
 * Communities: connected components first, then Louvain (Blondel et al. 2008) inside each component
 * with a generator derived from (seed, component key), then a Leiden-inspired refinement (Traag et
 * al. 2019): Louvain can return badly connected communities, so each community is split into its
 * connected components, and oversized ones get Louvain again inside them (Louvain's resolution limit
 * merges small dense rings into big communities; Fortunato & Barthélemy 2007).
 *
 * Each component gets its own small graphology graph, built straight from its edges: nothing is
 * extracted from a whole-graph object (extracting subgraphs from a 4M-edge graphology graph cost 45 s and 1.4 GB more than Louvain on the whole), and results do not depend on the
 * order or grouping in which components are processed.
 */
export interface CommunityOptions {
  /** Louvain resolution (higher: smaller communities). @defaultValue 1 */
  readonly resolution: number;
  /** @defaultValue 42 */
  readonly seed: number;
  /**
   * Louvain runs again inside every community of at least `minRefineSize` accounts, up to
   * `maxRefineDepth` levels: the resolution limit depends on the whole graph's weight, so a small
   * ring inside a big sparse component is only resolved inside its own community (the recursive
   * remedy of Fortunato & Barthélemy 2007). Split parts that are cohesive are merged back.
   * @defaultValue 4
   */
  readonly minRefineSize: number;
  /** @defaultValue 2 */
  readonly maxRefineDepth: number;
  /** Communities larger than this keep being refined past maxRefineDepth (up to 6 levels). @defaultValue 1000 */
  readonly maxCommunitySize: number;
  /**
   * Under modularity an account always joins the community of its strongest neighbour, even when
   * that one weak link is all it has there (a degree-1 node is never alone; Fortunato 2010, §VI).
   * Members whose link weight into their community is below this fraction of the community's median
   * member are peeled off (repeatedly) and left unclustered. @defaultValue 0.25
   */
  readonly minMemberStrength: number;
  /**
   * A member's strength for peeling is the weight of its this-many strongest links into the
   * community, not of all of them. The projection offers each account k neighbours per identifier
   * (its k·d band), so a summed strength grows with the number of identifiers an account holds: in a
   * fleet whose members send 7 to 10 shared templates, the median member has ~100 links and a member
   * with six links of 5 bits each, every one of them to the fleet, looked weak next to it. Comparing
   * the k strongest compares like with like, and still peels a member held by one weak link.
   * @defaultValue 8 (the projection's neighbours)
   */
  readonly memberStrengthLinks: number;
  /**
   * Louvain always splits a connected graph if any split has positive modularity, even a single
   * dense ring. Two communities are merged back when the mean link weight per pair between them is
   * at least this fraction of the mean per pair inside the sparser one: a cut that dense is no
   * cluster boundary (the conductance view of cluster quality, Kannan, Vempala & Vetta 2004).
   * @defaultValue 0.5
   */
  readonly mergeDensityRatio: number;
  /**
   * Also merged back: communities whose mean evidence per cross pair is at least this many bits on
   * its own (a likelihood ratio of 2^x per pair, the strength of a link that the projection keeps),
   * since then almost every cross pair is itself a match in the Fellegi–Sunter sense. @defaultValue 4
   */
  readonly mergeMeanBits: number;
}

export const COMMUNITY_DEFAULTS: CommunityOptions = {
  resolution: 1,
  seed: 42,
  minRefineSize: 4,
  maxRefineDepth: 2,
  maxCommunitySize: 1000,
  minMemberStrength: 0.25,
  memberStrengthLinks: 8,
  mergeDensityRatio: 0.5,
  mergeMeanBits: 4,
};

/** A connected component: its nodes (sorted node numbers) and its stable key (smallest account id). */
export interface Component {
  readonly key: string;
  readonly nodes: Int32Array;
}

/** Connected components with ≥ 2 nodes, ordered by key. Union–find over the edge list. */
export function connectedComponents(g: ProjectedGraph): Component[] {
  const n = g.accounts.length;
  const { find, union } = unionFind(n);
  for (let e = 0; e < g.edgeCount; e++) union(g.src[e]!, g.dst[e]!);
  const groups = new Map<number, number[]>();
  const touched = new Uint8Array(n);
  for (let e = 0; e < g.edgeCount; e++) {
    touched[g.src[e]!] = 1;
    touched[g.dst[e]!] = 1;
  }
  for (let i = 0; i < n; i++) {
    if (!touched[i]) continue;
    const r = find(i);
    const list = groups.get(r);
    if (list) list.push(i);
    else groups.set(r, [i]);
  }
  // Roots are the smallest node numbers, and node numbers follow sorted account ids.
  return [...groups.keys()].sort((a, b) => a - b).map((r) => ({ key: g.accounts[r]!, nodes: Int32Array.from(groups.get(r)!) }));
}

/** Louvain + refinement inside one component. Returns communities as sorted node-number arrays. */
export function detectComponent(
  g: ProjectedGraph,
  component: Component,
  options: Partial<CommunityOptions> = {},
  adjacency: Adjacency = buildAdjacency(g),
): number[][] {
  const top = splitComponent(g, component.nodes, options, adjacency);
  return [...top.done, ...refineParts(g, top.parts, options, adjacency)].sort((a, b) => a[0]! - b[0]!);
}

/**
 * The first level of detectComponent: Louvain on the whole component. `done` holds finished
 * communities (peeled); `parts` are the communities still to refine, from depth 1, with
 * refineParts. Each part's refinement reads only edges inside it and seeds its generator from its
 * own smallest account and depth, so parts can be refined anywhere, in any order or grouping:
 * this is how one giant component is shared by several fan-out workers.
 */
export function splitComponent(
  g: ProjectedGraph,
  nodes: ArrayLike<number>,
  options: Partial<CommunityOptions> = {},
  adj: Adjacency = buildAdjacency(g),
): { done: number[][]; parts: number[][] } {
  const o = { ...COMMUNITY_DEFAULTS, ...options };
  const finished: number[][] = [];
  const parts: number[][] = [];
  for (const part of splitConnected(g, adj, Array.from(nodes))) {
    if (part.length < 3) {
      if (part.length >= 2) finished.push(part);
      continue;
    }
    const communities = mergeCohesive(g, adj, runLouvain(g, adj, part, o, 0), o.mergeDensityRatio, o.mergeMeanBits);
    if (communities.length === 1) finished.push(part);
    else parts.push(...communities);
  }
  return { done: peelAll(g, adj, finished, o.minMemberStrength, o.memberStrengthLinks), parts };
}

/** Refine each part of splitComponent from depth 1, then peel weak members (communities sorted inside). */
export function refineParts(
  g: ProjectedGraph,
  parts: readonly number[][],
  options: Partial<CommunityOptions> = {},
  adj: Adjacency = buildAdjacency(g),
): number[][] {
  const o = { ...COMMUNITY_DEFAULTS, ...options };
  const out: number[][] = [];
  for (const part of parts) refine(g, adj, part, o, 1, out);
  return peelAll(g, adj, out, o.minMemberStrength, o.memberStrengthLinks);
}

function peelAll(g: ProjectedGraph, adj: Adjacency, communities: readonly number[][], fraction: number, links: number): number[][] {
  const kept: number[][] = [];
  for (const c of communities) for (const piece of peelWeakMembers(g, adj, c, fraction, links)) kept.push(piece.sort((a, b) => a - b));
  return kept;
}

function refine(g: ProjectedGraph, adj: Adjacency, nodes: number[], o: CommunityOptions, depth: number, out: number[][]): void {
  for (const part of splitConnected(g, adj, nodes)) {
    const again = depth === 0 || (part.length >= o.minRefineSize && (depth <= o.maxRefineDepth || (part.length > o.maxCommunitySize && depth <= 6)));
    if (part.length < 3 || !again) {
      if (part.length >= 2) out.push(part);
      continue;
    }
    const communities = mergeCohesive(g, adj, runLouvain(g, adj, part, o, depth), o.mergeDensityRatio, o.mergeMeanBits);
    if (communities.length === 1) {
      out.push(part);
      continue;
    }
    for (const c of communities) refine(g, adj, c, o, depth + 1, out);
  }
}

function runLouvain(g: ProjectedGraph, adj: Adjacency, nodes: number[], o: CommunityOptions, depth: number): number[][] {
  const s = scratchFor(g, adj);
  const epoch = ++s.epoch;
  for (const v of nodes) s.mark[v] = epoch;
  const key = (v: number): string => (s.keys[v] ??= String(v));
  // No attribute object per edge: the edge key is the edge's number and the weight is read from the
  // projection. Building graphology graphs was most of the time on a 147k-account component (31 s
  // with an attribute object and a generated key per edge, 26 s without, same communities); keys and
  // weights do not change the order in which Louvain visits nodes and edges.
  const graph = new UndirectedGraph();
  for (const v of nodes) graph.addNode(key(v));
  for (const v of nodes) {
    for (let p = adj.offsets[v]!; p < adj.offsets[v + 1]!; p++) {
      const e = adj.edges[p]!;
      const u = otherEnd(g, e, v);
      if (u > v && s.mark[u] === epoch) graph.addUndirectedEdgeWithKey(String(e), key(v), key(u));
    }
  }
  const smallest = nodes.reduce((m, x) => (x < m ? x : m), nodes[0]!);
  const seedKey = `${g.accounts[smallest]!}/${depth}`;
  const mapping = louvain(graph, { getEdgeWeight: (edge: string) => g.weight[Number(edge)]!, resolution: o.resolution, rng: rngFor(o.seed, seedKey) });
  const groups = new Map<number, number[]>();
  for (const v of nodes) {
    const c = mapping[key(v)]!;
    const list = groups.get(c);
    if (list) list.push(v);
    else groups.set(c, [v]);
  }
  return [...groups.values()];
}

/**
 * Scratch shared by every Louvain run on one projection: node keys as strings (made once, not once
 * per edge and level) and a membership mark per node (a generation counter, so no per-run Set).
 * Results do not depend on it; it only saves allocation.
 */
interface Scratch {
  readonly keys: Array<string | undefined>;
  readonly mark: Uint32Array;
  epoch: number;
}
const scratchByAdjacency = new WeakMap<Adjacency, Scratch>();

function scratchFor(g: ProjectedGraph, adj: Adjacency): Scratch {
  let s = scratchByAdjacency.get(adj);
  if (!s) {
    s = { keys: new Array<string | undefined>(g.accounts.length), mark: new Uint32Array(g.accounts.length), epoch: 0 };
    scratchByAdjacency.set(adj, s);
  }
  return s;
}

/** Merge back communities whose mutual links are about as dense as their insides (greedy, densest first). */
export function mergeCohesive(g: ProjectedGraph, adj: Adjacency, communities: number[][], ratio: number, meanBits = Infinity): number[][] {
  let groups = communities;
  for (let round = 0; round < 50 && groups.length > 1; round++) {
    const of = new Map<number, number>();
    groups.forEach((c, i) => c.forEach((v) => of.set(v, i)));
    const inner = new Float64Array(groups.length);
    const between = new Map<number, number>();
    const k = groups.length;
    for (const [v, ci] of of) {
      for (let p = adj.offsets[v]!; p < adj.offsets[v + 1]!; p++) {
        const e = adj.edges[p]!;
        const u = otherEnd(g, e, v);
        if (u < v) continue;
        const cu = of.get(u);
        if (cu === undefined) continue;
        if (cu === ci) inner[ci]! += g.weight[e]!;
        else {
          const key = Math.min(ci, cu) * k + Math.max(ci, cu);
          between.set(key, (between.get(key) ?? 0) + g.weight[e]!);
        }
      }
    }
    const meanIn = (i: number): number => {
      const s = groups[i]!.length;
      return s < 2 ? Infinity : inner[i]! / ((s * (s - 1)) / 2);
    };
    const merges: Array<{ a: number; b: number; r: number }> = [];
    for (const [key, w] of between) {
      const a = Math.floor(key / k);
      const b = key - a * k;
      const ref = Math.min(meanIn(a), meanIn(b));
      if (ref === Infinity) continue; // two singletons: Louvain already chose to separate them
      const mean = w / (groups[a]!.length * groups[b]!.length);
      const r = mean / ref;
      if (r >= ratio || mean >= meanBits) merges.push({ a, b, r });
    }
    if (merges.length === 0) break;
    merges.sort((x, y) => y.r - x.r || x.a - y.a || x.b - y.b);
    const done = new Set<number>();
    const next: number[][] = [];
    for (const m of merges) {
      if (done.has(m.a) || done.has(m.b)) continue;
      done.add(m.a);
      done.add(m.b);
      next.push([...groups[m.a]!, ...groups[m.b]!]);
    }
    groups.forEach((c, i) => {
      if (!done.has(i)) next.push(c);
    });
    groups = next;
  }
  return groups;
}

/** Remove members attached to their community (by their `links` strongest links) much more weakly than its median member; re-split. */
export function peelWeakMembers(
  g: ProjectedGraph,
  adj: Adjacency,
  community: number[],
  fraction: number,
  links = COMMUNITY_DEFAULTS.memberStrengthLinks,
): number[][] {
  let members = community;
  for (let round = 0; round < 5 && members.length > 3; round++) {
    const inside = new Set(members);
    const strength = members.map((v) => {
      const w: number[] = [];
      for (let p = adj.offsets[v]!; p < adj.offsets[v + 1]!; p++) {
        const e = adj.edges[p]!;
        if (inside.has(otherEnd(g, e, v))) w.push(g.weight[e]!);
      }
      if (w.length > links) w.sort((a, b) => b - a);
      let s = 0;
      for (let i = 0; i < Math.min(links, w.length); i++) s += w[i]!;
      return s;
    });
    const sorted = [...strength].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const keep = members.filter((_, i) => strength[i]! >= fraction * median);
    if (keep.length === members.length) break;
    members = keep;
  }
  return members === community ? [community] : splitConnected(g, adj, members).filter((p) => p.length >= 2);
}

/** Connected pieces of the subgraph induced by `nodes` (BFS), each sorted. */
function splitConnected(g: ProjectedGraph, adj: Adjacency, nodes: number[]): number[][] {
  const inside = new Set(nodes);
  const seen = new Set<number>();
  const parts: number[][] = [];
  for (const s of [...nodes].sort((a, b) => a - b)) {
    if (seen.has(s)) continue;
    const part = [s];
    seen.add(s);
    for (let q = 0; q < part.length; q++) {
      const v = part[q]!;
      for (let p = adj.offsets[v]!; p < adj.offsets[v + 1]!; p++) {
        const u = otherEnd(g, adj.edges[p]!, v);
        if (inside.has(u) && !seen.has(u)) {
          seen.add(u);
          part.push(u);
        }
      }
    }
    parts.push(part.sort((a, b) => a - b));
  }
  return parts;
}

/** Cluster id of a community in one run: its smallest account id (unique, order-independent). */
export function communityKey(g: ProjectedGraph, community: readonly number[]): string {
  return g.accounts[community[0]!]!;
}

/** Communities of the whole graph: every component, in key order. */
export function detectCommunities(g: ProjectedGraph, options: Partial<CommunityOptions> = {}): Assignment {
  const adj = buildAdjacency(g);
  const out = new Map<string, string>();
  for (const comp of connectedComponents(g)) assign(g, detectComponent(g, comp, options, adj), out);
  return out;
}

/** As detectCommunities, yielding to the event loop between components (for in-process runs). */
export async function detectCommunitiesAsync(
  g: ProjectedGraph,
  options: Partial<CommunityOptions> = {},
  onProgress?: (done: number, total: number) => void,
): Promise<Assignment> {
  const adj = buildAdjacency(g);
  const out = new Map<string, string>();
  const comps = connectedComponents(g);
  let since = Date.now();
  for (let i = 0; i < comps.length; i++) {
    assign(g, detectComponent(g, comps[i]!, options, adj), out);
    if (Date.now() - since > 50) {
      onProgress?.(i + 1, comps.length);
      await new Promise((r) => setImmediate(r));
      since = Date.now();
    }
  }
  onProgress?.(comps.length, comps.length);
  return out;
}

function assign(g: ProjectedGraph, communities: number[][], out: Map<string, string>): void {
  for (const c of communities) {
    const id = communityKey(g, c);
    for (const v of c) out.set(g.accounts[v]!, id);
  }
}
