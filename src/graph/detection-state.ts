import type { Recommendation } from '../vocabulary/index.js';

/**
 * What a detection run keeps for the next one (docs/incremental.md): the projected links with their
 * per-kind evidence, each account's input digest and community, and the clusters. The file format
 * is src/db/snapshot-codec.ts.
 */
export interface StateCluster {
  readonly id: string;
  readonly recommendation: Recommendation;
}

export interface DetectionState {
  /** The run this state is the result of (its clusters are that run's). */
  readonly runId: string;
  /** Identity of the Neo4j store the run read (db.info id). */
  readonly storeId: string;
  /** Digest of the detection parameters (seed, resolution, options): another digest is a foreign state. */
  readonly paramsDigest: string;
  /** Drop ledger entries (`id@sha256`) the graph held when the run read it, sorted. */
  readonly drops: readonly string[];
  /** Incremental runs since the last full run (0 after a full run). */
  readonly sinceFull: number;
  /** The run id of the last full run. */
  readonly fullRunId: string;
  /**
   * SHA-256 of the input file written with this state (the LinkageInput the run detected on, which
   * the next incremental run patches with the delta instead of reading the whole graph); absent: none.
   */
  readonly inputSha256?: string;
  /**
   * SHA-256 of the delta file beside that input (the nights since it was written, composed): the
   * run detected on the input patched with it. Absent: the input file alone.
   */
  readonly inputDeltaSha256?: string;
  /** Account ids, sorted (node numbers of the arrays below). */
  readonly accounts: readonly string[];
  /** Two uint32 lanes per account (accountDigests). */
  readonly digests: Uint32Array;
  /** Links: endpoints as account numbers (src < dst), weight, EVIDENCE_SLOTS per link. */
  readonly src: Int32Array;
  readonly dst: Int32Array;
  readonly weight: Float64Array;
  readonly evidence: Float32Array;
  /** Per account: index into `clusters`, or -1. */
  readonly community: Int32Array;
  readonly clusters: readonly StateCluster[];
}
