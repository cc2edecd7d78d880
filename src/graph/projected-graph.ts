/**
 * The projected account–account graph, kept as compact parallel typed arrays rather than a
 * graphology object: building graphology costs ~350 bytes of heap per edge (measured on a 1M-node, 4M-edge graph), so the pipeline
 * builds one graphology graph per connected component, only while Louvain runs on it.
 */

/** Evidence slots of every edge, in storage order. */
export const EVIDENCE_KINDS = ['payment', 'ip', 'subnet', 'prompt', 'sync'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];
export const EVIDENCE_SLOTS = EVIDENCE_KINDS.length;

/** Per-kind contributions (bits) of one link; they sum to the link's weight (a Splink-style waterfall). */
export type Evidence = Record<EvidenceKind, number>;

export interface ProjectedGraph {
  /** Account ids, sorted; an account's index in this array is its node number. */
  readonly accounts: readonly string[];
  readonly edgeCount: number;
  /** Edge endpoints (node numbers, src < dst). */
  readonly src: Int32Array;
  readonly dst: Int32Array;
  /** Total evidence of the edge, in bits (log2 likelihood ratio). */
  readonly weight: Float64Array;
  /** EVIDENCE_SLOTS contributions per edge, row-major. */
  readonly evidence: Float32Array;
  /** Projection statistics (for run stats and benchmarks). */
  readonly stats: ProjectionStats;
}

export interface ProjectionStats {
  readonly identifiersUsed: number;
  readonly identifiersSkipped: number;
  /** Identifiers whose members were linked to k neighbours instead of a clique. */
  readonly identifiersSparsified: number;
  readonly candidatePairs: number;
  readonly syncCandidates: number;
  readonly syncLinks: number;
  readonly edgesDropped: number;
  /** EM estimates of network coherence per kind (absent when coherence is off or no network identifier links a pair). */
  readonly coherence?: Readonly<Record<'ip' | 'subnet', { readonly q1: number; readonly q0: number; readonly pooled: number; readonly iterations: number }>>;
}

/** The evidence of edge `e` as a record. */
export function edgeEvidence(g: ProjectedGraph, e: number): Evidence {
  const o = e * EVIDENCE_SLOTS;
  const out = {} as Evidence;
  EVIDENCE_KINDS.forEach((k, i) => {
    out[k] = g.evidence[o + i]!;
  });
  return out;
}

/** Adjacency in CSR form (node → incident edge ids), built on demand. */
export interface Adjacency {
  readonly offsets: Int32Array;
  readonly edges: Int32Array;
}

export function buildAdjacency(g: ProjectedGraph): Adjacency {
  const n = g.accounts.length;
  const deg = new Int32Array(n + 1);
  for (let e = 0; e < g.edgeCount; e++) {
    deg[g.src[e]! + 1]!++;
    deg[g.dst[e]! + 1]!++;
  }
  for (let i = 0; i < n; i++) deg[i + 1]! += deg[i]!;
  const offsets = deg.slice();
  const fill = deg.slice(0, n);
  const edges = new Int32Array(2 * g.edgeCount);
  for (let e = 0; e < g.edgeCount; e++) {
    edges[fill[g.src[e]!]!++] = e;
    edges[fill[g.dst[e]!]!++] = e;
  }
  return { offsets, edges };
}

/** The other endpoint of edge e seen from node v. */
export function otherEnd(g: ProjectedGraph, e: number, v: number): number {
  const s = g.src[e]!;
  return s === v ? g.dst[e]! : s;
}
