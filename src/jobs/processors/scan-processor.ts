import type { Job } from 'bullmq';
import { InvalidDropError } from '../../util/errors.js';
import { findDropDirs } from '../drop-discovery.js';
import { toJobError } from '../failure.js';
import type { EnqueueStatus } from '../flow.js';
import type { ScanJobData } from '../scheduler.js';
import { submitDrop } from '../submit.js';
import type { ProcessorContext } from './context.js';

export interface ScanResult {
  readonly drops: ReadonlyArray<{ readonly dir: string; readonly drop: string; readonly status: EnqueueStatus; readonly runId: string }>;
  /** Folders that are not usable drops, with the reason (they do not fail the tick). */
  readonly skipped: ReadonlyArray<{ readonly dir: string; readonly reason: string }>;
}

/**
 * A scheduler tick: find the drop folders, and enqueue a flow for each drop whose sha256 is not in
 * the ledger yet (or whose run did not finish). Drops already done cost one hash and one look-up.
 */
export function scanProcessor(ctx: ProcessorContext) {
  return async (job: Job<ScanJobData>): Promise<ScanResult> => {
    try {
      const dirs = findDropDirs(job.data.drops);
      // The schedule's release date, else the worker's: a scheduled run scores the traffic shift as `ringscope detect` would.
      const release = job.data.releaseDate ?? (ctx.config.releaseDate === undefined ? null : new Date(ctx.config.releaseDate).toISOString());
      const client = await ctx.neo4j();
      const q = await ctx.queues();
      const drops: Array<ScanResult['drops'][number]> = [];
      const skipped: Array<ScanResult['skipped'][number]> = [];
      for (const [i, dir] of dirs.entries()) {
        try {
          const r = await submitDrop(q, client, dir, ctx.config.stateDir, {
            releaseDate: release,
            ...(job.data.fullEvery !== undefined ? { fullEvery: job.data.fullEvery } : {}),
          });
          drops.push({ dir, drop: r.drop, status: r.status, runId: r.runId });
          ctx.log.info({ queue: job.queueName, jobId: job.id, drop: r.drop, status: r.status, runId: r.runId }, 'scheduled drop');
        } catch (err) {
          if (!(err instanceof InvalidDropError)) throw err;
          skipped.push({ dir, reason: err.message });
          ctx.log.warn({ queue: job.queueName, jobId: job.id, dir, reason: err.message }, 'skipped unusable drop folder');
        }
        await job.updateProgress(Math.round(((i + 1) / dirs.length) * 100));
      }
      return { drops, skipped };
    } catch (err) {
      throw toJobError(err);
    }
  };
}
