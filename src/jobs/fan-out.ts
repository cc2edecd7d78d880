import { connectedComponents, EVIDENCE_SLOTS, type Assignment, type ProjectedGraph } from '../graph/index.js';
import type { DetectComponentsData, DetectComponentsResult, RunSpec } from './job-data.js';

/**
 * Per-component fan-out of community detection. Louvain runs per connected component with a
 * generator derived from (seed, component's smallest account id) and community ids are smallest
 * account ids (src/graph/communities.ts), so a batch of components cut out of the projected graph,
 * with its accounts in the same sorted order and its edges in the same relative order, gives the
 * same communities on any worker as it would in one process.
 */

/** Group components (in key order) into batches of at most `maxAccounts` accounts (a bigger component is a batch of its own). */
export function planBatches(g: ProjectedGraph, maxAccounts: number): number[][] {
  const comps = connectedComponents(g);
  const batches: number[][] = [];
  let cur: number[] = [];
  let size = 0;
  for (const c of comps) {
    if (size > 0 && size + c.nodes.length > maxAccounts) {
      batches.push(cur);
      cur = [];
      size = 0;
    }
    for (const v of c.nodes) cur.push(v);
    size += c.nodes.length;
  }
  if (size > 0) batches.push(cur);
  return batches;
}

/** The job data of one batch: its accounts (sorted) and the edges among them, in global edge order. */
export function batchPayload(g: ProjectedGraph, nodes: readonly number[], spec: RunSpec, batch: number): DetectComponentsData {
  const sorted = [...nodes].sort((a, b) => a - b);
  const local = new Map<number, number>();
  sorted.forEach((v, i) => local.set(v, i));
  const src: number[] = [];
  const dst: number[] = [];
  const weight: number[] = [];
  for (let e = 0; e < g.edgeCount; e++) {
    const a = local.get(g.src[e]!);
    if (a === undefined) continue;
    const b = local.get(g.dst[e]!);
    // Components are closed under edges: an edge with one end in the batch has both there.
    if (b === undefined) throw new Error(`edge ${e} leaves its component`);
    src.push(a);
    dst.push(b);
    weight.push(g.weight[e]!);
  }
  return { runId: spec.runId, seed: spec.seed, batch, accounts: sorted.map((v) => g.accounts[v]!), src, dst, weight };
}

/** Rebuild a ProjectedGraph from a batch payload (evidence is not needed by community detection). */
export function batchGraph(d: DetectComponentsData): ProjectedGraph {
  const n = d.src.length;
  if (d.dst.length !== n || d.weight.length !== n) throw new TypeError(`batch ${d.batch}: edge arrays differ in length`);
  return {
    accounts: d.accounts,
    edgeCount: n,
    src: Int32Array.from(d.src),
    dst: Int32Array.from(d.dst),
    weight: Float64Array.from(d.weight),
    evidence: new Float32Array(n * EVIDENCE_SLOTS),
    stats: { identifiersUsed: 0, identifiersSkipped: 0, identifiersSparsified: 0, candidatePairs: 0, syncCandidates: 0, syncLinks: 0, edgesDropped: 0 },
  };
}

export function toResult(batch: number, a: Assignment): DetectComponentsResult {
  const accounts = [...a.keys()].sort();
  return { batch, accounts, communities: accounts.map((x) => a.get(x)!) };
}

/** Union of the batches' assignments (batches are disjoint; a repeated account is a bug). */
export function mergeResults(results: Iterable<DetectComponentsResult>): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of results) {
    r.accounts.forEach((acc, i) => {
      if (out.has(acc)) throw new Error(`account ${acc} in two fan-out batches`);
      out.set(acc, r.communities[i]!);
    });
  }
  return out;
}
