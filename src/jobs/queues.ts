import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import { connectRedis } from './connection.js';
import { ALL_QUEUES, type QueueName } from './names.js';
import { jobOptions, pipelineOptions, type PipelineOptions } from './options.js';

/** Producer-side handles: one fail-fast connection shared by every queue and the flow producer. */
export interface PipelineQueues {
  readonly prefix: string;
  readonly options: PipelineOptions;
  readonly connection: Redis;
  readonly queues: Readonly<Record<QueueName, Queue>>;
  readonly flows: FlowProducer;
  close(): Promise<void>;
}

export async function openQueues(config: Pick<Config, 'redis' | 'queuePrefix'>, overrides: Partial<PipelineOptions> = {}): Promise<PipelineQueues> {
  const options = pipelineOptions(overrides);
  const connection = await connectRedis(config, 'producer');
  const prefix = config.queuePrefix;
  const defaultJobOptions = jobOptions(options);
  const queues = Object.fromEntries(ALL_QUEUES.map((name) => [name, new Queue(name, { connection, prefix, defaultJobOptions })])) as Record<QueueName, Queue>;
  const flows = new FlowProducer({ connection, prefix });
  let closed: Promise<void> | undefined;
  return {
    prefix,
    options,
    connection,
    queues,
    flows,
    close() {
      closed ??= (async () => {
        await Promise.allSettled([flows.close(), ...Object.values(queues).map((q) => q.close())]);
        // Passed-in connections are shared: BullMQ leaves them open, so they are ours to close.
        await connection.quit().catch(() => connection.disconnect());
      })();
      return closed;
    },
  };
}
