import { createHash } from 'node:crypto';
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job } from 'bullmq';
import { ConfigError, WebhookDeliveryError } from '../util/errors.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from './webhook-signature.js';

export const WEBHOOK_QUEUE = 'webhook';

export interface WebhookJobData {
  readonly runId: string;
  readonly url: string;
  /** The exact body to POST (the cluster list document); the same on every attempt. */
  readonly body: string;
}

export interface WebhookOptions {
  /** Delivery attempts before the job fails for good. @defaultValue 8 */
  readonly attempts?: number;
  /** First retry delay; BullMQ doubles it on each retry (exponential backoff). @defaultValue 2000 */
  readonly backoffMs?: number;
  /** Per-request timeout. @defaultValue 10000 */
  readonly timeoutMs?: number;
}

export const DEFAULTS: Required<WebhookOptions> = { attempts: 8, backoffMs: 2000, timeoutMs: 10_000 };

export interface QueueConnection {
  readonly redisUrl: string;
  /** BullMQ key prefix (config.queuePrefix). */
  readonly prefix: string;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Job id from run id + URL hash: re-exporting the same run to the same URL while a delivery is pending adds nothing. */
export function webhookJobId(runId: string, url: string): string {
  const safe = runId.replace(/[^A-Za-z0-9_.-]/g, '_');
  const run = safe === runId ? safe : `${safe}_${sha(runId).slice(0, 8)}`;
  return `webhook-${run}-${sha(url).slice(0, 16)}`;
}

/**
 * POST one signed body. Resolves with the status on 2xx; throws WebhookDeliveryError otherwise.
 * A fresh timestamp is signed on every attempt so receivers can keep a short replay window.
 */
export async function postSigned(url: string, body: string, secret: string, timeoutMs = DEFAULTS.timeoutMs): Promise<number> {
  const timestamp = Math.floor(Date.now() / 1000);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
      },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new WebhookDeliveryError(0, (err as Error).message);
  }
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status >= 300) throw new WebhookDeliveryError(res.status, res.statusText || 'non-2xx response');
  return res.status;
}

function requireSecret(secret: string | undefined): string {
  if (!secret) throw new ConfigError('RINGSCOPE_WEBHOOK_SECRET', 'is required to sign webhook deliveries');
  return secret;
}

export function createWebhookQueue(conn: QueueConnection): Queue<WebhookJobData> {
  return new Queue<WebhookJobData>(WEBHOOK_QUEUE, { connection: { url: conn.redisUrl, enableOfflineQueue: false }, prefix: conn.prefix });
}

/** Add (or re-arm a failed) delivery job. */
export async function enqueueWebhook(queue: Queue<WebhookJobData>, data: WebhookJobData, options: WebhookOptions = {}): Promise<Job<WebhookJobData>> {
  const o = { ...DEFAULTS, ...options };
  const jobId = webhookJobId(data.runId, data.url);
  const job = await queue.add('deliver', data, {
    jobId,
    attempts: o.attempts,
    backoff: { type: 'exponential', delay: o.backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
  });
  // A duplicate id returns the existing job; a finished one would swallow this export silently.
  const state = await job.getState();
  if (state === 'failed') await job.retry('failed');
  if (state === 'completed') {
    await job.remove();
    return enqueueWebhook(queue, data, options);
  }
  return job;
}

/**
 * The `webhook` queue's worker: one signed POST per attempt. 4xx other than 408/429 will never
 * succeed (bad URL, rejected signature) and fails the job at once; anything else is retried with backoff.
 */
export function createWebhookWorker(conn: QueueConnection, secret: string | undefined, options: WebhookOptions = {}): Worker<WebhookJobData, number> {
  const key = requireSecret(secret);
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  return new Worker<WebhookJobData, number>(
    WEBHOOK_QUEUE,
    async (job) => {
      try {
        return await postSigned(job.data.url, job.data.body, key, timeoutMs);
      } catch (err) {
        if (err instanceof WebhookDeliveryError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429) {
          throw new UnrecoverableError(err.message);
        }
        throw err;
      }
    },
    { connection: { url: conn.redisUrl, maxRetriesPerRequest: null }, prefix: conn.prefix, concurrency: 4 },
  );
}

export interface DeliveryResult {
  readonly jobId: string;
  readonly status: number;
  readonly attemptsMade: number;
}

/**
 * Enqueue one delivery and run a worker in this process until it finishes (the CLI path; a
 * long-running ringscope worker can run createWebhookWorker instead). Throws WebhookDeliveryError
 * when every attempt failed.
 */
export async function deliverWebhook(
  conn: QueueConnection,
  secret: string | undefined,
  data: WebhookJobData,
  options: WebhookOptions = {},
): Promise<DeliveryResult> {
  requireSecret(secret);
  const queue = createWebhookQueue(conn);
  const events = new QueueEvents(WEBHOOK_QUEUE, { connection: { url: conn.redisUrl }, prefix: conn.prefix });
  let worker: Worker<WebhookJobData, number> | undefined;
  try {
    await events.waitUntilReady();
    const job = await enqueueWebhook(queue, data, options);
    worker = createWebhookWorker(conn, secret, options);
    try {
      const status = await job.waitUntilFinished(events);
      const done = await queue.getJob(job.id!);
      return { jobId: job.id!, status: Number(status), attemptsMade: done?.attemptsMade ?? 0 };
    } catch (err) {
      throw new WebhookDeliveryError(0, `gave up after retries: ${(err as Error).message}`);
    }
  } finally {
    await worker?.close();
    await events.close();
    await queue.close();
  }
}
