import type { JobsOptions } from 'bullmq';

/** Tuning of the pipeline's jobs and workers. Every field has a default in {@link PIPELINE_DEFAULTS}. */
export interface PipelineOptions {
  /**
   * Attempts per job (first run included). Transient failures (Neo4j restarting, a deadlock the driver
   * gave up on) are retried; bad input is not (it becomes an UnrecoverableError).
   * @defaultValue 5
   */
  readonly attempts: number;
  /**
   * Base delay of the exponential backoff between attempts, in ms: delay·2^(attempt-1).
   * @defaultValue 2000
   */
  readonly backoffDelayMs: number;
  /**
   * Backoff jitter in [0,1]: each delay is drawn from [delay·(1-jitter), delay], so that workers
   * retrying after a shared outage do not stampede Neo4j together.
   * @defaultValue 0.5
   */
  readonly backoffJitter: number;
  /**
   * Completed jobs kept per queue (and for at most `keepCompletedAgeS` seconds): bounds Redis memory.
   * @defaultValue 1000
   */
  readonly keepCompleted: number;
  /** @defaultValue 86400 (one day) */
  readonly keepCompletedAgeS: number;
  /**
   * Failed jobs kept per queue (and for at most `keepFailedAgeS` seconds), long enough to inspect them.
   * @defaultValue 5000
   */
  readonly keepFailed: number;
  /** @defaultValue 604800 (one week) */
  readonly keepFailedAgeS: number;
  /**
   * Job lock duration in ms. A worker that dies loses its lock after this long and its job is then
   * moved back to wait by the stalled checker of any live worker.
   * @defaultValue 30000
   */
  readonly lockDurationMs: number;
  /**
   * How often workers look for stalled jobs, in ms.
   * @defaultValue 30000
   */
  readonly stalledIntervalMs: number;
  /**
   * Times a job may stall (its worker died) before it fails. A SIGKILLed worker costs one stall.
   * @defaultValue 2
   */
  readonly maxStalledCount: number;
  /**
   * Components per fan-out batch are bounded by this many accounts; a run whose projection has at
   * least `fanOutMinAccounts` accounts in at least two batches fans out, else it runs in one job.
   * @defaultValue 50000
   */
  readonly fanOutBatchAccounts: number;
  /** @defaultValue 20000 */
  readonly fanOutMinAccounts: number;
}

export const PIPELINE_DEFAULTS: PipelineOptions = Object.freeze({
  attempts: 5,
  backoffDelayMs: 2000,
  backoffJitter: 0.5,
  keepCompleted: 1000,
  keepCompletedAgeS: 86_400,
  keepFailed: 5000,
  keepFailedAgeS: 604_800,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 2,
  fanOutBatchAccounts: 50_000,
  fanOutMinAccounts: 20_000,
});

export function pipelineOptions(overrides: Partial<PipelineOptions> = {}): PipelineOptions {
  const o = { ...PIPELINE_DEFAULTS, ...overrides };
  if (!(o.attempts >= 1)) throw new RangeError('attempts must be ≥ 1');
  if (!(o.backoffJitter >= 0 && o.backoffJitter <= 1)) throw new RangeError('backoffJitter must be in [0,1]');
  return Object.freeze(o);
}

/** Job options shared by every job of the pipeline. */
export function jobOptions(o: PipelineOptions): JobsOptions {
  return {
    attempts: o.attempts,
    backoff: { type: 'exponential', delay: o.backoffDelayMs, jitter: o.backoffJitter },
    removeOnComplete: { count: o.keepCompleted, age: o.keepCompletedAgeS },
    removeOnFail: { count: o.keepFailed, age: o.keepFailedAgeS },
  };
}
