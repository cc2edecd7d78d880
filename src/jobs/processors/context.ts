import type { Config } from '../../config/index.js';
import { Neo4jClient, TX_RETRY_MS } from '../../db/index.js';
import type { Logger } from '../../util/logger.js';
import type { PipelineOptions } from '../options.js';
import type { PipelineQueues } from '../queues.js';

/** What in-process processors share: one Neo4j driver per process (the neo4j-driver manual: a driver is an expensive, thread-safe pool meant to live as long as the application), opened on first use. */
export interface ProcessorContext {
  readonly config: Config;
  readonly options: PipelineOptions;
  readonly log: Logger;
  neo4j(): Promise<Neo4jClient>;
  /** Producer handles, for processors that enqueue (the scheduler's scan). */
  queues(): Promise<PipelineQueues>;
  close(): Promise<void>;
}

export function createContext(config: Config, options: PipelineOptions, log: Logger, openQueues: () => Promise<PipelineQueues>): ProcessorContext {
  let client: Promise<Neo4jClient> | undefined;
  let q: Promise<PipelineQueues> | undefined;
  return {
    config,
    options,
    log,
    neo4j() {
      client ??= Neo4jClient.connect(config, { waitMs: TX_RETRY_MS }).catch((err: unknown) => {
        client = undefined; // let the next job try again (Neo4j may be restarting)
        throw err;
      });
      return client;
    },
    queues() {
      q ??= openQueues().catch((err: unknown) => {
        q = undefined;
        throw err;
      });
      return q;
    },
    async close() {
      const c = client;
      const qq = q;
      client = undefined;
      q = undefined;
      await Promise.allSettled([c?.then((x) => x.close()), qq?.then((x) => x.close())]);
    },
  };
}
