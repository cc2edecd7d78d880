import type { ExportFormat } from '../export/index.js';
import type { CommunityOptions } from '../graph/index.js';
import type { DropRef } from '../loaders/index.js';

/** What each job carries. Plain JSON: it lives in Redis and may cross machines. */

/** Detection parameters shared by the flow's detect and export steps: the options of detectAndWrite. */
export interface RunSpec {
  readonly runId: string;
  /** Seed of every random choice in detection (Louvain order), for reproducible runs. */
  readonly seed: number;
  /** Louvain resolution. */
  readonly resolution: number;
  /** Model release (ISO 8601) for the traffic-shift feature; null: none. */
  readonly releaseDate: string | null;
  /** Keep only the newest N finished runs (0: keep all). */
  readonly keepRuns: number;
  /** Force a full run (else incremental when the worker's detection snapshot is valid). Absent: false. */
  readonly full?: boolean;
  /** A full run every N runs (docs/incremental.md); absent: the service's default. */
  readonly fullEvery?: number;
}

export interface IngestFileData {
  readonly drop: DropRef;
  readonly file: string;
}

export interface FinalizeDropData {
  readonly drop: DropRef;
}

export interface DetectRunData extends RunSpec {
  /** Drops this run was started for (informational: detection reads the whole graph). */
  readonly drops: readonly string[];
  /** Fan-out override for this run; undefined uses the worker's PipelineOptions. */
  readonly fanOut?: { readonly batchAccounts: number; readonly minAccounts: number };
}

/**
 * What a fan-out child computes on its batch:
 * - `components`: whole connected components, Louvain and refinement (detectCommunities);
 * - `split`: one component too big for a batch, first Louvain level only (splitComponent); the
 *   parts it returns are refined by `refine` children in a second round;
 * - `refine`: parts of split components, refined from depth 1 (refineParts).
 */
export type BatchMode = 'components' | 'split' | 'refine';

/** One batch of the projected graph, for one fan-out child (`detect-batch` queue). */
export interface DetectComponentsData {
  readonly runId: string;
  /** The run's community options (seed and resolution included), as runDetection passes them. */
  readonly communities: Partial<CommunityOptions>;
  readonly batch: number;
  readonly mode: BatchMode;
  /** Account ids of the batch, sorted; edges refer to positions in this list. */
  readonly accounts: readonly string[];
  /** Edge ends: base64 of a little-endian Int32Array. */
  readonly src: string;
  readonly dst: string;
  /** Edge weights: base64 of a little-endian Float64Array. */
  readonly weight: string;
  /** `refine`: the parts to refine, as positions in `accounts`. */
  readonly parts?: readonly (readonly number[])[];
  /** Digest of everything above but the run and batch number (part of the job id). */
  readonly digest: string;
}

/** Community of each account of a batch (child result): parallel arrays. */
export interface DetectComponentsResult {
  readonly batch: number;
  readonly accounts: readonly string[];
  readonly communities: readonly string[];
  /** `split`: the parts still to refine, as account ids (their accounts are not in `accounts`). */
  readonly parts?: readonly (readonly string[])[];
}

export interface ExportRunData extends RunSpec {
  readonly formats: readonly ExportFormat[];
  /** Folder the files go to: `<runId>.<ext>` plus the cluster companion. */
  readonly outDir: string;
  /** When set, the cluster list is also POSTed (signed) through the `webhook` queue. */
  readonly webhookUrl?: string;
}
