import path from 'node:path';
import type { FlowJobNode, FlowJob, Job } from 'bullmq';
import { DETECT_AND_WRITE_DEFAULTS } from '../db/index.js';
import type { ExportFormat } from '../export/index.js';
import type { DropRef } from '../loaders/index.js';
import type { DetectRunData, ExportRunData, FinalizeDropData, IngestFileData } from './job-data.js';
import { jobIds, runIdForDrop } from './job-ids.js';
import { JOB, QUEUE } from './names.js';
import { jobOptions } from './options.js';
import type { PipelineQueues } from './queues.js';

export interface DropFlowOptions {
  /** Detection seed. @defaultValue 42 (as `ringscope detect`: DETECT_AND_WRITE_DEFAULTS) */
  readonly seed: number;
  /** Louvain resolution. @defaultValue 1 */
  readonly resolution: number;
  /** Model release (ISO 8601) for the traffic-shift feature. @defaultValue null (config `RINGSCOPE_RELEASE_DATE` when the caller passes it) */
  readonly releaseDate: string | null;
  /** Keep only the newest N finished runs (0: keep all). @defaultValue 10 */
  readonly keepRuns: number;
  /** Force a full detection run. @defaultValue false */
  readonly full: boolean;
  /** A full run when the last N-1 runs were incremental (0: only when needed). @defaultValue 7 */
  readonly fullEvery: number;
  /** @defaultValue ['csv', 'json'] */
  readonly formats: readonly ExportFormat[];
  /** Export folder. @defaultValue `<stateDir>/exports` (resolved by the caller) */
  readonly outDir: string;
  readonly webhookUrl?: string;
  /**
   * The drop is already in the ledger: the flow is only detect → export (used when an earlier
   * flow ingested the drop but failed later).
   */
  readonly skipIngest: boolean;
  /** Fan-out override for this run (tests, benchmarks). */
  readonly fanOut?: DetectRunData['fanOut'];
}

export const FLOW_DEFAULTS: Omit<DropFlowOptions, 'outDir'> = Object.freeze({
  seed: DETECT_AND_WRITE_DEFAULTS.seed,
  resolution: DETECT_AND_WRITE_DEFAULTS.resolution,
  releaseDate: null,
  keepRuns: DETECT_AND_WRITE_DEFAULTS.keepRuns,
  full: false,
  fullEvery: DETECT_AND_WRITE_DEFAULTS.fullEvery,
  formats: ['csv', 'json'] as const,
  skipIngest: false,
});

/** Every job id of a drop's flow, from the business keys. */
export interface DropFlowIds {
  readonly runId: string;
  readonly exportJobId: string;
  readonly detectJobId: string;
  readonly finalizeJobId: string;
  readonly ingestJobIds: readonly string[];
}

export function dropFlowIds(drop: DropRef): DropFlowIds {
  const runId = runIdForDrop(drop.sha256);
  return {
    runId,
    exportJobId: jobIds.exportRun(runId),
    detectJobId: jobIds.detectRun(runId),
    finalizeJobId: jobIds.finalizeDrop(drop.sha256),
    ingestJobIds: drop.files.map((f) => jobIds.ingestFile(drop.sha256, f.name)),
  };
}

/**
 * The flow of one drop. BullMQ runs a parent once all its children completed, so the tree reads
 * bottom-up: one `ingest-file` job per file → `finalize-drop` (ledger) → `detect-run` → `export-run`
 * (the root). Every child fails its parent when it fails for good, so a bad file ends the flow with
 * a reason instead of leaving the parents waiting forever.
 */
export function buildDropFlow(q: PipelineQueues, drop: DropRef, o: DropFlowOptions): FlowJob {
  const ids = dropFlowIds(drop);
  const base = jobOptions(q.options);
  const child = { ...base, failParentOnFailure: true };
  const ingestChildren: FlowJobNode[] = drop.files.map((f, i) => ({
    name: JOB.ingestFile,
    queueName: QUEUE.ingest,
    data: { drop, file: f.name } satisfies IngestFileData,
    opts: { ...child, jobId: ids.ingestJobIds[i]! },
  }));
  const finalize: FlowJobNode = {
    name: JOB.finalizeDrop,
    queueName: QUEUE.ingest,
    data: { drop } satisfies FinalizeDropData,
    opts: { ...child, jobId: ids.finalizeJobId },
    children: ingestChildren,
  };
  const spec = { runId: ids.runId, seed: o.seed, resolution: o.resolution, releaseDate: o.releaseDate, keepRuns: o.keepRuns };
  const detectData: DetectRunData = {
    ...spec,
    full: o.full,
    fullEvery: o.fullEvery,
    drops: [drop.sha256],
    ...(o.fanOut ? { fanOut: o.fanOut } : {}),
  };
  const detect: FlowJobNode = {
    name: JOB.detectRun,
    queueName: QUEUE.detect,
    data: detectData,
    opts: { ...child, jobId: ids.detectJobId },
    ...(o.skipIngest ? {} : { children: [finalize] }),
  };
  const exportData: ExportRunData = {
    ...spec,
    formats: [...o.formats],
    outDir: path.resolve(o.outDir),
    ...(o.webhookUrl ? { webhookUrl: o.webhookUrl } : {}),
  };
  return {
    name: JOB.exportRun,
    queueName: QUEUE.export,
    data: exportData,
    opts: { ...base, jobId: ids.exportJobId },
    children: [detect],
  };
}

export type EnqueueStatus =
  /** A new flow was added. */
  | 'queued'
  /** The same drop's flow is still in Redis and not failed: nothing was added (same job ids). */
  | 'already-queued'
  /** The same drop's flow completed (or the ledger and the run say so): nothing was added. */
  | 'already-done'
  /** The drop's previous flow had failed: its jobs were removed and a new flow was added. */
  | 'requeued';

export interface EnqueueResult extends DropFlowIds {
  readonly status: EnqueueStatus;
  readonly drop: string;
}

export interface LedgerState {
  /** The drop's sha256 is in the `(:Drop)` ledger. */
  readonly ingested: boolean;
  /** The drop's linkage run has finished writing. */
  readonly runFinished: boolean;
}

/**
 * Enqueue a drop's flow exactly once. Job ids come from the drop's sha256, so a second call while
 * the first flow exists adds nothing; after the flow's jobs were cleaned up, the ledger decides.
 * A failed flow is replaced (its failed jobs removed) so that re-running a drop after fixing the
 * cause works without manual cleanup.
 */
export async function enqueueDrop(
  q: PipelineQueues,
  drop: DropRef,
  ledger: LedgerState,
  options: Partial<DropFlowOptions> & Pick<DropFlowOptions, 'outDir'>,
): Promise<EnqueueResult> {
  const o: DropFlowOptions = { ...FLOW_DEFAULTS, ...options, skipIngest: options.skipIngest ?? ledger.ingested };
  const ids = dropFlowIds(drop);
  const existing = await q.queues.export.getJob(ids.exportJobId);
  let status: EnqueueStatus = 'queued';
  if (existing) {
    const state = await existing.getState();
    if (state === 'completed') return { ...ids, status: 'already-done', drop: drop.id };
    if (state !== 'failed' && state !== 'unknown') return { ...ids, status: 'already-queued', drop: drop.id };
    await removeFlow(q, ids);
    status = 'requeued';
  } else if (ledger.ingested && ledger.runFinished) {
    return { ...ids, status: 'already-done', drop: drop.id };
  } else {
    // A leftover from a flow whose root is gone (removed by hand, or trimmed): clear failed pieces
    // so that their ids do not block the new flow.
    await removeFlow(q, ids, true);
  }
  await q.flows.add(buildDropFlow(q, drop, o));
  return { ...ids, status, drop: drop.id };
}

async function removeFlow(q: PipelineQueues, ids: DropFlowIds, onlyFailed = false): Promise<void> {
  const all: Array<[Job | undefined, string]> = [
    [await q.queues.export.getJob(ids.exportJobId), 'export'],
    [await q.queues.detect.getJob(ids.detectJobId), 'detect'],
    [await q.queues.ingest.getJob(ids.finalizeJobId), 'finalize'],
    ...(await Promise.all(ids.ingestJobIds.map(async (id) => [await q.queues.ingest.getJob(id), 'ingest'] as [Job | undefined, string]))),
  ];
  for (const [job] of all) {
    if (!job) continue;
    const state = await job.getState();
    if (onlyFailed && state !== 'failed') continue;
    if (state === 'active') continue; // a live worker holds it; it will finish or fail on its own
    await job.remove({ removeChildren: false }).catch(() => undefined);
  }
}
