import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import { createWebhookWorker } from '../export/index.js';
import { InvalidParameterError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { checkEvictionPolicy, connectRedis } from './connection.js';
import { JOB, PIPELINE_QUEUES, QUEUE, isQueueName, type QueueName } from './names.js';
import { pipelineOptions, type PipelineOptions } from './options.js';
import { createContext, type ProcessorContext } from './processors/context.js';
import { exportProcessor } from './processors/export-processor.js';
import { ingestProcessor } from './processors/ingest-processor.js';
import { scanProcessor } from './processors/scan-processor.js';
import { openQueues } from './queues.js';
import { sandboxFile } from './sandbox-path.js';

export interface WorkerPoolOptions {
  /** Queues to serve. @defaultValue ['ingest', 'detect', 'detect-batch', 'export'] */
  readonly queues: readonly QueueName[];
  /** Jobs in flight per queue. Detection runs one worker thread per concurrent job. @defaultValue 1 */
  readonly concurrency: number;
  /** Overrides of the pipeline's tuning (lock duration, stalled interval, attempts...). */
  readonly pipeline?: Partial<PipelineOptions>;
  /** Worker name recorded on each job it processes. @defaultValue `ringscope-<pid>` */
  readonly name?: string;
}

export const WORKER_DEFAULTS: WorkerPoolOptions = Object.freeze({ queues: PIPELINE_QUEUES, concurrency: 1 });

export interface WorkerPool {
  readonly workers: ReadonlyMap<QueueName, Worker>;
  /** Redis `maxmemory-policy` seen at start. */
  readonly evictionPolicy: string | undefined;
  /**
   * Stop taking jobs, wait for the active ones to finish (force: release them at once; their locks
   * expire and another worker picks them up), then close every connection.
   */
  close(force?: boolean): Promise<void>;
}

export function parseQueueList(list: string): QueueName[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) if (!isQueueName(n)) throw new InvalidParameterError('--queues', `unknown queue ${JSON.stringify(n)}`);
  if (names.length === 0) throw new InvalidParameterError('--queues', 'must name at least one queue');
  return [...new Set(names)] as QueueName[];
}

/**
 * Options of the detect sandbox's worker threads. BullMQ starts them with the process's execArgv,
 * but V8 heap flags are refused in a worker (`ERR_WORKER_INVALID_EXEC_ARGV`), which failed every
 * detect job of a worker started as `node --max-old-space-size=8192 …`. They are dropped, and the
 * old-space and semi-space sizes become the thread's resourceLimits instead (V8's young generation
 * is three semi-spaces: two for the scavenger, one for new large objects).
 */
export function sandboxThreadOptions(execArgv: readonly string[] = process.execArgv): {
  execArgv: string[];
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number };
} {
  const heapFlag = /^--(max-old-space-size|max-semi-space-size|max-young-generation-size|stack-size)(=|$)/;
  const kept: string[] = [];
  let maxOld: number | undefined;
  let maxYoung: number | undefined;
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (!heapFlag.test(a)) {
      kept.push(a);
      continue;
    }
    const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : execArgv[++i];
    if (a.startsWith('--max-old-space-size') && Number(value) > 0) maxOld = Number(value);
    if (a.startsWith('--max-semi-space-size') && Number(value) > 0) maxYoung = 3 * Number(value);
  }
  const limits = { ...(maxOld ? { maxOldGenerationSizeMb: maxOld } : {}), ...(maxYoung ? { maxYoungGenerationSizeMb: maxYoung } : {}) };
  return { execArgv: kept, ...(maxOld || maxYoung ? { resourceLimits: limits } : {}) };
}

/** The environment that makes loadConfig() in another thread return this config. */
function configEnv(config: Config): Record<string, string> {
  return {
    NEO4J_URI: config.neo4j.uri,
    NEO4J_USER: config.neo4j.user,
    NEO4J_PASSWORD: config.neo4j.password,
    NEO4J_DATABASE: config.neo4j.database,
    REDIS_URL: config.redis.url,
    RINGSCOPE_QUEUE_PREFIX: config.queuePrefix,
    LOG_LEVEL: config.logLevel,
    RINGSCOPE_TARGET_CAPABILITIES: config.targetCapabilities.join(','),
  };
}

function logJobEvents(worker: Worker, log: Logger): void {
  const q = worker.name;
  worker.on('active', (job: Job) => log.info({ queue: q, jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 }, 'job started'));
  worker.on('completed', (job: Job) =>
    log.info({ queue: q, jobId: job.id, job: job.name, ms: (job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now()) }, 'job completed'),
  );
  worker.on('failed', (job: Job | undefined, err: Error) =>
    log.error(
      {
        queue: q,
        jobId: job?.id,
        job: job?.name,
        attemptsMade: job?.attemptsMade,
        willRetry: job ? job.attemptsMade < (job.opts.attempts ?? 1) && err.name !== 'UnrecoverableError' : false,
        reason: err.message,
      },
      'job failed',
    ),
  );
  worker.on('stalled', (jobId: string) => log.warn({ queue: q, jobId }, 'job stalled (its worker died or blocked): moved back to wait'));
  worker.on('error', (err: Error) => log.error({ queue: q, reason: err.message }, 'worker error'));
}

/**
 * Start BullMQ workers for the pipeline's queues. Ingest and export run in this process (they wait on
 * I/O); detection and its fan-out children (`detect-batch`) run in worker-thread sandboxes so
 * CPU-bound Louvain never blocks lock renewal.
 * Worker threads (not child processes) die with this process, so a killed worker leaves no orphan
 * still writing to Neo4j: its job simply stalls and is picked up elsewhere.
 */
export async function startWorkers(config: Config, log: Logger, options: Partial<WorkerPoolOptions> = {}): Promise<WorkerPool> {
  const o = { ...WORKER_DEFAULTS, ...options };
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1) throw new InvalidParameterError('--concurrency', 'must be an integer ≥ 1');
  const tuning = pipelineOptions(o.pipeline);
  const connection: Redis = await connectRedis(config, 'worker');
  const evictionPolicy = await checkEvictionPolicy(connection, log);
  const ctx: ProcessorContext = createContext(config, tuning, log, () => openQueues(config, o.pipeline));
  const common = {
    connection,
    prefix: config.queuePrefix,
    concurrency: o.concurrency,
    lockDuration: tuning.lockDurationMs,
    stalledInterval: tuning.stalledIntervalMs,
    maxStalledCount: tuning.maxStalledCount,
    name: o.name ?? `ringscope-${process.pid}`,
    autorun: false,
  };
  const workers = new Map<QueueName, Worker>();
  for (const queue of o.queues) {
    let worker: Worker;
    if (queue === QUEUE.ingest) {
      const ingest = ingestProcessor(ctx);
      const scan = scanProcessor(ctx);
      worker = new Worker(queue, async (job: Job, token?: string) => (job.name === JOB.scan ? scan(job) : ingest(job, token)), common);
    } else if (queue === QUEUE.detect || queue === QUEUE.detectBatch) {
      // The sandbox thread loads its config from its environment: hand it this worker's config, so a
      // pool started with an explicit config detects against the same Neo4j and Redis as it ingests.
      const workerThreadsOptions = { ...sandboxThreadOptions(), env: { ...process.env, ...configEnv(config) } };
      worker = new Worker(queue, sandboxFile('detect-sandbox'), { ...common, useWorkerThreads: true, workerThreadsOptions });
    } else if (queue === QUEUE.export) {
      worker = new Worker(queue, exportProcessor(ctx), common);
    } else {
      if (!config.webhookSecret) {
        log.warn({ queue }, 'RINGSCOPE_WEBHOOK_SECRET is not set: not serving the webhook queue');
        continue;
      }
      worker = createWebhookWorker({ redisUrl: config.redis.url, prefix: config.queuePrefix }, config.webhookSecret);
    }
    logJobEvents(worker, log);
    workers.set(queue, worker);
  }
  for (const w of workers.values()) if (!w.isRunning()) void w.run().catch((err: Error) => log.error({ queue: w.name, reason: err.message }, 'worker stopped'));
  await Promise.all([...workers.values()].map((w) => w.waitUntilReady()));
  log.info({ queues: [...workers.keys()], concurrency: o.concurrency, prefix: config.queuePrefix }, 'worker started');

  let closing: Promise<void> | undefined;
  return {
    workers,
    evictionPolicy,
    close(force = false) {
      closing ??= (async () => {
        log.info({ force }, 'worker closing: waiting for active jobs');
        await Promise.allSettled([...workers.values()].map((w) => w.close(force)));
        await ctx.close();
        await connection.quit().catch(() => connection.disconnect());
        log.info('worker closed');
      })();
      return closing;
    },
  };
}
