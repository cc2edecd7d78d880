import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * The one place that reads a BullMQ internal: a finished job's return value straight from its
 * hash (field `returnvalue`, JSON). `queue.getJob` would also fetch the job's data back, which for
 * a fan-out child is its whole batch (tens of MB for a split component at 1M accounts). If a BullMQ
 * upgrade renames the field, this returns null and the caller fails the run with a clear reason.
 */
export async function readReturnValue<T>(connection: Redis, queue: Queue, jobId: string): Promise<T | null> {
  const raw = await connection.hget(queue.toKey(jobId), 'returnvalue');
  return raw === null ? null : (JSON.parse(raw) as T);
}
