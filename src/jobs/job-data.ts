import type { ExportFormat } from '../export/index.js';
import type { DropRef } from '../loaders/index.js';

/** What each job carries. Plain JSON: it lives in Redis and may cross machines. */

/** Detection parameters shared by the flow's detect and export steps. */
export interface RunSpec {
  readonly runId: string;
  /** Seed of every random choice in detection (Louvain order), for reproducible runs. */
  readonly seed: number;
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
  /** Set by the job itself when it fans out: the second entry gathers the children's results. */
  readonly step?: 'gather';
  /** Fan-out override for this run; undefined uses the worker's PipelineOptions. */
  readonly fanOut?: { readonly batchAccounts: number; readonly minAccounts: number };
}

/** One batch of connected components of the projected graph, for one fan-out child. */
export interface DetectComponentsData extends RunSpec {
  readonly batch: number;
  /** Account ids of the batch; edges refer to positions in this list. */
  readonly accounts: readonly string[];
  readonly src: readonly number[];
  readonly dst: readonly number[];
  readonly weight: readonly number[];
}

/** Community of each account of a batch (child result): parallel arrays. */
export interface DetectComponentsResult {
  readonly batch: number;
  readonly accounts: readonly string[];
  readonly communities: readonly string[];
}

export interface ExportRunData extends RunSpec {
  readonly formats: readonly ExportFormat[];
  /** Folder the files go to: `<runId>.<ext>` plus the cluster companion. */
  readonly outDir: string;
  /** When set, the cluster list is also POSTed (signed) through the `webhook` queue. */
  readonly webhookUrl?: string;
}
