/**
 * Queue and job names of the pipeline. The `webhook` queue belongs to the exports module
 * (src/export/); it is listed so that status, metrics and the dashboard show it too.
 */
export const QUEUE = {
  ingest: 'ingest',
  detect: 'detect',
  /** Fan-out children of detect runs: a queue of their own, so a parent waiting for them never holds the slot they need. */
  detectBatch: 'detect-batch',
  export: 'export',
  webhook: 'webhook',
} as const;

export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

/** The queues a `ringscope worker` serves by default (webhook delivery is the exports module's worker). */
export const PIPELINE_QUEUES: readonly QueueName[] = [QUEUE.ingest, QUEUE.detect, QUEUE.detectBatch, QUEUE.export];

/** Every queue status, metrics and the dashboard look at. */
export const ALL_QUEUES: readonly QueueName[] = [QUEUE.ingest, QUEUE.detect, QUEUE.detectBatch, QUEUE.export, QUEUE.webhook];

/** Job names: one queue can carry several kinds of job; processors dispatch on the name. */
export const JOB = {
  /** ingest: one file of a drop. */
  ingestFile: 'ingest-file',
  /** ingest: parent of the file jobs; records the drop in the ledger once every file is in. */
  finalizeDrop: 'finalize-drop',
  /** ingest: a scheduler tick; lists drops not yet in the ledger and enqueues a flow for each. */
  scan: 'scan-drops',
  /** detect: projection, communities, scoring and write-back of one linkage run. */
  detectRun: 'detect-run',
  /** detect-batch: Louvain on one batch of connected components (fan-out child of a detect-run). */
  detectComponents: 'detect-components',
  /** export: cluster lists of one run. */
  exportRun: 'export-run',
} as const;

export function isQueueName(s: string): s is QueueName {
  return (ALL_QUEUES as readonly string[]).includes(s);
}
