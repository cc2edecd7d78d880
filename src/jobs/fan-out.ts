import { createHash } from 'node:crypto';
import { connectedComponents, EVIDENCE_SLOTS, type Assignment, type CommunityOptions, type ProjectedGraph } from '../graph/index.js';
import type { BatchMode, DetectComponentsData, DetectComponentsResult } from './job-data.js';

/**
 * Per-component fan-out of community detection. Louvain runs per connected component with a
 * generator derived from (seed, component's smallest account id) and community ids are smallest
 * account ids (src/graph/communities.ts), so a batch of components cut out of the projected graph,
 * with its accounts in the same sorted order and its edges in the same relative order, gives the
 * same communities on any worker as it would in one process.
 *
 * A component bigger than a batch would be one child doing most of the run's work (the 1M mixed
 * scenario has one of ~90 s of Louvain beside ~10 s for all the others), so it is split in two
 * rounds: a `split` child runs Louvain's first level on it, and its communities are refined by
 * `refine` children in a second round, grouped so that several workers can share them
 * (splitComponent / refineParts in src/graph/communities.ts; the same results by construction).
 *
 * Edges travel as base64 of the typed arrays (little-endian, as every platform Node runs on):
 * exact, like JSON's shortest round-trip numbers, at a fraction of the size and encoding time
 * (a million-account run moves ~5M edges).
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

/** One child's share of the work: its nodes (graph node numbers), what it computes, and for `refine` its parts. */
export interface BatchPlan {
  readonly nodes: readonly number[];
  readonly mode: BatchMode;
  readonly parts?: readonly (readonly number[])[];
}

/** First round: the batches of planBatches; a batch over the bound is one component, to split. */
export function planFirstRound(g: ProjectedGraph, maxAccounts: number): BatchPlan[] {
  return planBatches(g, maxAccounts).map((nodes) => ({ nodes, mode: nodes.length > maxAccounts ? 'split' : 'components' }));
}

/**
 * The refined parts are shared by at least this many children (when large enough), so that this
 * many workers can work on one giant component at once.
 */
export const REFINE_SHARES = 8;
/** Below this many accounts (or the batch bound, if smaller) a refine batch is not worth a job of its own. */
const MIN_REFINE_BATCH = 1000;

/** Second round: parts of split components (in order of their smallest node), grouped into refine batches. */
export function planRefineRound(parts: readonly (readonly number[])[], maxAccounts: number): BatchPlan[] {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const bound = Math.max(Math.min(MIN_REFINE_BATCH, maxAccounts), Math.min(maxAccounts, Math.ceil(total / REFINE_SHARES)));
  const sorted = parts
    .map((p) => ({ p, min: minOf(p) }))
    .sort((a, b) => a.min - b.min)
    .map((x) => x.p);
  const plans: BatchPlan[] = [];
  let cur: (readonly number[])[] = [];
  let size = 0;
  const flush = (): void => {
    if (cur.length) plans.push({ nodes: cur.flat(), mode: 'refine', parts: cur });
    cur = [];
    size = 0;
  };
  for (const p of sorted) {
    if (size > 0 && size + p.length > bound) flush();
    cur.push(p);
    size += p.length;
  }
  flush();
  return plans;
}

function minOf(xs: readonly number[]): number {
  let m = Infinity;
  for (const x of xs) if (x < m) m = x;
  return m;
}

const b64 = (a: Int32Array | Float64Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/** Decode base64 into an aligned copy (a Buffer's offset in its pool need not be 4- or 8-aligned). */
function fromB64<T extends Int32Array | Float64Array>(s: string, bytes: number, make: (b: ArrayBuffer) => T, what: string): T {
  const buf = Buffer.from(s, 'base64');
  if (buf.length % bytes !== 0) throw new TypeError(`fan-out batch: ${what} is not a whole number of ${bytes}-byte values`);
  const copy = new ArrayBuffer(buf.length);
  new Uint8Array(copy).set(buf);
  return make(copy);
}

/**
 * The job data of every batch, in one pass over the edges: each batch's accounts (sorted) and the
 * edges among them in global edge order, with a digest of that content (part of the child's job id,
 * so a retried run reuses the children of an identical graph and never the results of another one).
 * Batches are numbered from `first`. Whole components are closed under edges, so an edge leaving a
 * `components` or `split` batch is a bug; a `refine` batch keeps the edges inside it (its parts'
 * refinement reads only edges inside each part).
 */
export interface BatchSpec {
  readonly runId: string;
  readonly communities: Partial<CommunityOptions>;
}

export function batchPayloads(g: ProjectedGraph, plans: readonly BatchPlan[], spec: BatchSpec, first = 0): DetectComponentsData[] {
  const n = g.accounts.length;
  const batchOf = new Int32Array(n).fill(-1);
  const localOf = new Int32Array(n);
  const sorted = plans.map((p) => Int32Array.from(p.nodes).sort());
  sorted.forEach((nodes, b) =>
    nodes.forEach((v, i) => {
      if (batchOf[v] !== -1) throw new Error(`account ${g.accounts[v]} in two fan-out batches`);
      batchOf[v] = b;
      localOf[v] = i;
    }),
  );
  const inside = (e: number): number => {
    const b = batchOf[g.src[e]!]!;
    if (b < 0) return -1;
    if (batchOf[g.dst[e]!] === b) return b;
    if (plans[b]!.mode === 'refine') return -1;
    throw new Error(`edge ${e} leaves its component`);
  };
  const counts = new Int32Array(plans.length);
  for (let e = 0; e < g.edgeCount; e++) {
    const b = inside(e);
    if (b >= 0) counts[b]!++;
  }
  const src = [...counts].map((c) => new Int32Array(c));
  const dst = [...counts].map((c) => new Int32Array(c));
  const weight = [...counts].map((c) => new Float64Array(c));
  const fill = new Int32Array(plans.length);
  for (let e = 0; e < g.edgeCount; e++) {
    const b = inside(e);
    if (b < 0) continue;
    const k = fill[b]!++;
    src[b]![k] = localOf[g.src[e]!]!;
    dst[b]![k] = localOf[g.dst[e]!]!;
    weight[b]![k] = g.weight[e]!;
  }
  return sorted.map((nodes, b) => {
    const plan = plans[b]!;
    const accounts = Array.from(nodes, (v) => g.accounts[v]!);
    const parts = plan.parts?.map((p) => p.map((v) => localOf[v]!));
    const data = {
      runId: spec.runId,
      communities: spec.communities,
      batch: first + b,
      mode: plan.mode,
      accounts,
      src: b64(src[b]!),
      dst: b64(dst[b]!),
      weight: b64(weight[b]!),
      ...(parts ? { parts } : {}),
    };
    const digest = createHash('sha256')
      .update(JSON.stringify([spec.communities, plan.mode, accounts, parts ?? null]))
      .update(data.src)
      .update(data.dst)
      .update(data.weight);
    return { ...data, digest: digest.digest('hex').slice(0, 16) };
  });
}

/** The job data of one batch of whole components (see batchPayloads). */
export function batchPayload(g: ProjectedGraph, nodes: readonly number[], spec: BatchSpec, batch: number): DetectComponentsData {
  return batchPayloads(g, [{ nodes, mode: 'components' }], spec, batch)[0]!;
}

/** Rebuild a ProjectedGraph from a batch payload (evidence is not needed by community detection). */
export function batchGraph(d: DetectComponentsData): ProjectedGraph {
  const src = fromB64(d.src, 4, (b) => new Int32Array(b), 'src');
  const dst = fromB64(d.dst, 4, (b) => new Int32Array(b), 'dst');
  const weight = fromB64(d.weight, 8, (b) => new Float64Array(b), 'weight');
  const n = src.length;
  if (dst.length !== n || weight.length !== n) throw new TypeError(`batch ${d.batch}: edge arrays differ in length`);
  for (let e = 0; e < n; e++) {
    if (!(src[e]! >= 0 && src[e]! < d.accounts.length && dst[e]! >= 0 && dst[e]! < d.accounts.length)) {
      throw new TypeError(`batch ${d.batch}: edge ${e} refers to an account outside the batch`);
    }
  }
  return {
    accounts: d.accounts,
    edgeCount: n,
    src,
    dst,
    weight,
    evidence: new Float32Array(n * EVIDENCE_SLOTS),
    stats: { identifiersUsed: 0, identifiersSkipped: 0, identifiersSparsified: 0, candidatePairs: 0, syncCandidates: 0, syncLinks: 0, edgesDropped: 0 },
  };
}

export function toResult(batch: number, a: Assignment): DetectComponentsResult {
  const accounts = [...a.keys()].sort();
  return { batch, accounts, communities: accounts.map((x) => a.get(x)!) };
}

/** A child's result from communities of its batch graph (node numbers; the key is the smallest account). */
export function communitiesResult(g: ProjectedGraph, batch: number, communities: readonly number[][]): DetectComponentsResult {
  const a = new Map<string, string>();
  for (const c of communities) {
    const key = g.accounts[minOf(c)]!;
    for (const v of c) a.set(g.accounts[v]!, key);
  }
  return toResult(batch, a);
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
