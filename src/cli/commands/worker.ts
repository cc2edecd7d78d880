import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { PIPELINE_QUEUES, parseQueueList, startWorkers } from '../../jobs/index.js';
import { createLogger } from '../../util/logger.js';
import { intIn, positiveInt } from '../option-parsers.js';

/**
 * `ringscope worker`: a long-lived BullMQ worker. SIGINT/SIGTERM stop it gracefully (active jobs
 * finish, connections close, exit 0); a second signal exits at once (exit 1): the active jobs stall
 * and another worker takes them over.
 */
export function register(program: Command): void {
  program
    .command('worker')
    .description('Run pipeline workers until SIGINT/SIGTERM (ingest, detect and export queues by default)')
    .option('--queues <list>', 'comma-separated queues: ingest, detect, detect-batch, export, webhook', PIPELINE_QUEUES.join(','))
    .option('--concurrency <n>', 'jobs in flight per queue', positiveInt('--concurrency'), 1)
    .option('--lock-duration <ms>', "job lock duration (a dead worker's jobs are retaken after this)", intIn('--lock-duration', 1000))
    .option('--stalled-interval <ms>', 'how often to look for stalled jobs', intIn('--stalled-interval', 1000))
    .action(async (o: { queues: string; concurrency: number; lockDuration?: number; stalledInterval?: number }) => {
      const config = loadConfig();
      const log = createLogger(config.logLevel);
      const lockDurationMs = o.lockDuration;
      const stalledIntervalMs = o.stalledInterval;
      const pool = await startWorkers(config, log, {
        queues: parseQueueList(o.queues),
        concurrency: o.concurrency,
        pipeline: { ...(lockDurationMs ? { lockDurationMs } : {}), ...(stalledIntervalMs ? { stalledIntervalMs } : {}) },
      });
      await new Promise<void>((resolve) => {
        let signals = 0;
        const stop = (signal: NodeJS.Signals): void => {
          signals++;
          if (signals > 1) {
            // Active jobs keep their locks until lockDuration runs out; then another worker retakes them.
            log.warn({ signal }, 'second signal: exiting without waiting for active jobs');
            process.exit(1);
          }
          log.info({ signal }, 'shutting down: finishing active jobs');
          pool.close().then(resolve, (err: Error) => {
            log.error({ reason: err.message }, 'error while closing');
            resolve();
          });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      // pino writes synchronously to stderr; exit explicitly in case a library left a handle open.
      process.exit(0);
    });
}
