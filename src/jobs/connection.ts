import { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import { ServiceUnavailableError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

/**
 * Redis connections for BullMQ. Workers block on Redis and must never give up on a command
 * (`maxRetriesPerRequest: null`, which BullMQ requires of worker connections); producers (the CLI,
 * the scheduler, the dashboard) fail fast instead of queueing commands while Redis is away
 * (`enableOfflineQueue: false`).
 */
export type ConnectionRole = 'worker' | 'producer';

export function createRedis(config: Pick<Config, 'redis'>, role: ConnectionRole): Redis {
  return new Redis(config.redis.url, {
    lazyConnect: true,
    ...(role === 'worker'
      ? { maxRetriesPerRequest: null, enableOfflineQueue: true }
      : { maxRetriesPerRequest: 3, enableOfflineQueue: false, connectTimeout: 5000 }),
  });
}

/** Connect and fail fast with ServiceUnavailableError (the URL is printed without its credentials). */
export async function connectRedis(config: Pick<Config, 'redis'>, role: ConnectionRole): Promise<Redis> {
  const redis = createRedis(config, role);
  // ioredis emits 'error' on every failed reconnect; without a listener Node would crash on it.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new ServiceUnavailableError(`Redis at ${redactUrl(config.redis.url)} is unavailable: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return redis;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = 'redacted';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}

/**
 * BullMQ keeps queue state in plain keys: if Redis evicts one under memory pressure, jobs vanish or
 * flows hang. Anything but `noeviction` is a misconfiguration; returns the policy, warns when wrong.
 */
export async function checkEvictionPolicy(redis: Redis, log?: Logger): Promise<string | undefined> {
  let policy: string | undefined;
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as unknown as string[];
    policy = reply[1];
  } catch {
    // Managed Redis services often disable CONFIG; fall back to INFO memory.
    const info = await redis.info('memory').catch(() => '');
    policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
  }
  if (policy !== undefined && policy !== 'noeviction') {
    log?.warn(
      { maxmemoryPolicy: policy },
      `Redis maxmemory-policy is "${policy}", not "noeviction": Redis may evict queue keys under memory pressure and lose jobs`,
    );
  }
  return policy;
}
