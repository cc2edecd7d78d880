/**
 * The BullMQ pipeline (docs/pipeline.md): queues `ingest`, `detect`, `export` (and the exports
 * module's `webhook`), one flow per drop (ingest-file children → finalize-drop → detect-run →
 * export-run), sandboxed and optionally fanned-out detection, the nightly job scheduler, workers
 * with graceful shutdown, flow progress, status, and the token-protected dashboard and /metrics.
 */
export { QUEUE, JOB, PIPELINE_QUEUES, ALL_QUEUES, isQueueName, type QueueName } from './names.js';
export { jobIds, runIdForDrop, safeKey } from './job-ids.js';
export { PIPELINE_DEFAULTS, pipelineOptions, jobOptions, type PipelineOptions } from './options.js';
export { createRedis, connectRedis, checkEvictionPolicy, redactUrl, type ConnectionRole } from './connection.js';
export { openQueues, type PipelineQueues } from './queues.js';
export { isPermanent, toJobError, failedClass } from './failure.js';
export {
  buildDropFlow,
  dropFlowIds,
  enqueueDrop,
  FLOW_DEFAULTS,
  type DropFlowOptions,
  type DropFlowIds,
  type EnqueueResult,
  type EnqueueStatus,
  type LedgerState,
} from './flow.js';
export { submitDrop, defaultOutDir, type SubmitOptions } from './submit.js';
export { findDropDirs, isDropDir } from './drop-discovery.js';
export { startWorkers, parseQueueList, sandboxThreadOptions, WORKER_DEFAULTS, type WorkerPool, type WorkerPoolOptions } from './workers.js';
export { setSchedule, listSchedules, removeSchedule, SCHEDULE_DEFAULTS, type ScheduleSpec, type ScheduleInfo, type ScanJobData } from './scheduler.js';
export { followFlow, flowStages, flowFailure, FOLLOW_DEFAULTS, type FollowOptions, type StageState, type StageName } from './follow.js';
export { renderStages, ProgressRenderer } from './progress-bar.js';
export { pipelineStatus, formatStatus, type PipelineStatus } from './status.js';
export { PipelineMetrics, METRICS_DEFAULTS, DEPTH_STATES, type MetricsOptions } from './metrics.js';
export { startDashboard, tokenMatches, DASHBOARD_DEFAULTS, type Dashboard, type DashboardOptions } from './dashboard.js';
export { ingestedDrops } from './ledger-repository.js';
export type * from './job-data.js';
