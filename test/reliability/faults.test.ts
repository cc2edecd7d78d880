import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/index.js';
import type { Neo4jClient } from '../../src/db/index.js';
import { openDrop, type DropRef } from '../../src/loaders/index.js';
import { dropFlowIds, followFlow, openQueues, submitDrop, type DropFlowIds, type PipelineQueues } from '../../src/jobs/index.js';
import { restartNeo4j } from '../../scripts/services.mjs';
import { graphFingerprint, smallDrop, tmpDir, type GraphFingerprint } from '../jobs/helpers.js';
import { childEnv, eventually, instanceConfig, instanceEnv, killNeo4j, killRedis, spawnCli, stopCli, type CliProcess } from '../helpers/reliability-env.js';
import { freshNeo4j } from '../helpers/services.js';

/**
 * Issue #8 item 2: the services themselves fail under a running pipeline. On a separate service
 * instance (`h8-faults`, so that killing its Redis or restarting its Neo4j disturbs nobody else),
 * real `ringscope worker` processes run a drop while
 *  - Redis is SIGKILLed in the middle of ingest and started again (same port, same AOF dir);
 *  - Neo4j is restarted in the middle of ingest.
 * Each run must complete through retries and end with the same graph and cluster list as a clean
 * run: node and relationship counts, the summed count properties (a batch written twice changes
 * them), and a checksum of the cluster assignments.
 */
const INSTANCE = 'h8-faults';
const FAST_LOCKS = ['--lock-duration', '3000', '--stalled-interval', '1000'];

let env: Record<string, string>;
let drop: string;
let ref: DropRef;
let clean: GraphFingerprint;

function prefixed(name: string): Config {
  return instanceConfig(env, { RINGSCOPE_QUEUE_PREFIX: `h8-${name}-${Date.now().toString(36)}` });
}

beforeAll(async () => {
  env = await instanceEnv(INSTANCE);
  drop = await smallDrop('h8-faults', 1500, 8);
  ref = await openDrop(drop);
  const config = prefixed('clean');
  const client = await freshNeo4j(config);
  const q = await openQueues(config);
  // A worker process, not startWorkers() here: the detect sandbox reads its Neo4j config from
  // process.env, which in this test process points at the test instance, not at h8-faults.
  const worker = spawnCli(['worker'], childEnv(env, { RINGSCOPE_QUEUE_PREFIX: config.queuePrefix }));
  try {
    await eventually('worker start', async () => worker.output().includes('worker started'), 60_000);
    const r = await submitDrop(q, client, drop, config.stateDir, { outDir: tmpDir('h8-faults-clean') });
    await followFlow(q, r);
    clean = await graphFingerprint(client, r.runId);
  } finally {
    await stopCli(worker);
    await q.close();
    await client.close();
  }
  expect(clean.clusters).toBeGreaterThan(0);
}, 300_000);

afterAll(async () => {
  // Leave the instance's services running (reused by the next run); make sure Redis is up for it.
  if (env) await instanceEnv(INSTANCE);
});

/** Wait until one ingest job has committed some of its batches and is still writing. */
async function midIngest(q: PipelineQueues, ids: DropFlowIds): Promise<string> {
  const activity = ids.ingestJobIds[ref.files.findIndex((f) => f.name === 'activity.csv')]!;
  await eventually(
    'a partly written activity file',
    async () => {
      const job = await q.queues.ingest.getJob(activity);
      const p = job?.progress as { phase?: string; rows?: number; percent?: number } | undefined;
      return p?.phase === 'write' && (p.rows ?? 0) > 0 && (p.percent ?? 100) < 100 && (await job!.getState()) === 'active';
    },
    120_000,
    10,
  );
  return activity;
}

/** Follow a flow while services come and go: Redis errors are retried until the deadline. */
async function followThroughOutage(q: PipelineQueues, ids: DropFlowIds, timeoutMs: number): Promise<void> {
  await eventually(
    'the flow to complete',
    async () => {
      const root = await q.queues.export.getJob(ids.exportJobId);
      const state = root ? await root.getState() : 'unknown';
      if (state === 'failed') throw Object.assign(new Error(`flow failed: ${root!.failedReason}`), { fatal: true });
      return state === 'completed';
    },
    timeoutMs,
    500,
  ).catch(async (err: Error) => {
    // A failed flow: report the deepest cause through the normal follower.
    await followFlow(q, ids, { timeoutMs: 1 }).catch((e: Error) => {
      throw new Error(`${err.message}\n${e.message}`);
    });
    throw err;
  });
}

describe('fault injection: Redis and Neo4j restarts under a running pipeline', () => {
  let workers: CliProcess[] = [];
  let client: Neo4jClient | undefined;
  let q: PipelineQueues | undefined;

  afterAll(async () => {
    await Promise.all(workers.map((w) => stopCli(w)));
    await q?.close();
    await client?.close();
  });

  async function start(name: string): Promise<{ config: Config; ids: DropFlowIds }> {
    await Promise.all(workers.map((w) => stopCli(w)));
    await q?.close();
    await client?.close();
    const config = prefixed(name);
    client = await freshNeo4j(config);
    q = await openQueues(config, { backoffDelayMs: 1000 });
    // The outage is expected: without listeners BullMQ prints every refused reconnect.
    for (const x of Object.values(q.queues)) x.on('error', () => undefined);
    q.flows.on('error', () => undefined);
    workers = [spawnCli(['worker', ...FAST_LOCKS], childEnv(env, { RINGSCOPE_QUEUE_PREFIX: config.queuePrefix }))];
    await eventually('worker start', async () => workers[0]!.output().includes('worker started'), 60_000);
    const r = await submitDrop(q, client, drop, config.stateDir, { outDir: tmpDir(`h8-${name}`) });
    expect(r.status).toBe('queued');
    return { config, ids: dropFlowIds(ref) };
  }

  it('Redis SIGKILLed mid-ingest and restarted on the same port: the run completes, graph and clusters as clean', async () => {
    const { ids } = await start('redis');
    await midIngest(q!, ids);
    const before = env.REDIS_URL;
    // The follower behind `ringscope run` is already following when Redis dies: it must ride out
    // the outage (its polls fail meanwhile) and report the completed flow, not exit.
    let outages = 0;
    const following = followFlow(q!, ids, { timeoutMs: 240_000, pollMs: 200, onOutage: () => outages++ });
    following.catch(() => undefined);
    await killRedis(INSTANCE);
    await new Promise((r) => setTimeout(r, 2000));
    const again = await instanceEnv(INSTANCE);
    // services.mjs reuses the instance's port file: clients reconnect to the same URL.
    expect(again.REDIS_URL).toBe(before);
    await following;
    expect(outages).toBeGreaterThan(0);
    const fp = await graphFingerprint(client!, ids.runId);
    expect(fp).toEqual(clean);
    // The worker saw the outage (ioredis reconnects; BullMQ resumes) and did not die.
    expect(workers[0]!.child.exitCode).toBeNull();
  }, 360_000);

  it('Neo4j restarted mid-ingest: retries resume the file, the batch ledger prevents double counts', async () => {
    const { ids } = await start('neo4j');
    const killed = await midIngest(q!, ids);
    const before = env.NEO4J_URI;
    const restarted = await restartNeo4j(INSTANCE);
    expect(restarted.uri).toBe(before);
    await followThroughOutage(q!, ids, 300_000);
    // The client of this test predates the restart: the driver reconnects by itself.
    const fp = await graphFingerprint(client!, ids.runId);
    expect(fp).toEqual(clean);
    const job = await q!.queues.ingest.getJob(killed);
    expect(await job!.getState()).toBe('completed');
    const log = workers[0]!.output();
    // Either the driver's own retry absorbed the outage inside the transaction function, or the
    // job failed an attempt and BullMQ retried it; when a retry happened, it skipped committed batches.
    const result = job!.returnvalue as { batchesSkipped: number };
    if (job!.attemptsMade > 1) expect(result.batchesSkipped).toBeGreaterThan(0);
    expect(log).not.toMatch(/"msg":"job failed".*"willRetry":false/);
  }, 420_000);

  it('Neo4j killed during `ringscope detect`: one line naming the lost service, exit 3, no stack', async () => {
    // The graph of the runs above is still in this instance's Neo4j: detect reads it in pages.
    const p = spawnCli(['detect', '--keep-runs', '0'], childEnv(env, { LOG_LEVEL: 'silent' }));
    await eventually('detect to start reading', async () => /^read:/m.test(p.output()), 60_000, 10);
    await killNeo4j(INSTANCE);
    const code = await p.exited;
    const errors = p
      .output()
      .split('\n')
      .filter((l) => l.startsWith('ringscope:'));
    expect(code, p.output()).toBe(3);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^ringscope: ServiceUnavailableError: Neo4j at bolt:\/\/127\.0\.0\.1:\d+ (was lost|is unavailable)/);
    expect(p.output()).not.toMatch(/\n\s+at /);
    // Bring it back for the next run of this file (same port, same store).
    await instanceEnv(INSTANCE);
  }, 180_000);
});
