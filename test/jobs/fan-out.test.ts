import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnrecoverableError, Worker } from 'bullmq';
import { detectAndWrite } from '../../src/db/index.js';
import type { Neo4jClient } from '../../src/db/index.js';
import { project, runDetection } from '../../src/graph/index.js';
import { runFinished } from '../../src/db/index.js';
import { connectRedis, followFlow, openQueues, startWorkers, submitDrop, type PipelineQueues, type WorkerPool } from '../../src/jobs/index.js';
import { batchGraph, batchPayload, batchPayloads, mergeResults, planBatches, planFirstRound, planRefineRound } from '../../src/jobs/fan-out.js';
import { JobFailedError } from '../../src/util/errors.js';
import { detectBatch } from '../../src/jobs/processors/detect-sandbox.js';
import { readDropAsLinkageInput } from '../../src/loaders/index.js';
import { freshNeo4j } from '../helpers/services.js';
import { jobsConfig, partitionChecksum, quietLog, smallDrop, tmpDir, waitFor } from './helpers.js';

const SEED = 5;

describe('per-component fan-out', () => {
  let drop: string;
  beforeAll(async () => {
    drop = await smallDrop('fanout', 400, 2);
  });

  it('batches of components give the same communities as one runDetection call (pure)', async () => {
    const input = await readDropAsLinkageInput(drop);
    const graph = project(input, { seed: SEED });
    const batches = planBatches(graph, 25);
    expect(batches.length).toBeGreaterThan(2);
    // Batches are disjoint and cover every account that has a link.
    const covered = batches.flat();
    expect(new Set(covered).size).toBe(covered.length);
    const spec = { runId: 'r', communities: { seed: SEED, resolution: 1 } };
    // Out of order on purpose: a batch's result cannot depend on which worker ran first.
    const payloads = batchPayloads(
      graph,
      batches.map((nodes) => ({ nodes, mode: 'components' as const })),
      spec,
    );
    const results = [...batches.keys()].reverse().map((i) => detectBatch(payloads[i]!));
    const fanned = mergeResults(results);
    const single = (await runDetection(input, { seed: SEED })).assignment;
    expect(fanned.size).toBe(single.size);
    for (const [account, community] of single) expect(fanned.get(account)).toBe(community);
  });

  it('a component too big for a batch is split, its parts refined in a second round: same communities (pure)', async () => {
    // Network coherence keeps the 400-account drop's components small (≤ 16 accounts): this one
    // needs a component over the batch bound, which 800 accounts of seed 2 have (37 and 27).
    const input = await readDropAsLinkageInput(await smallDrop('fanout-split', 800, 2));
    const graph = project(input, { seed: SEED });
    const max = 25;
    const first = planFirstRound(graph, max);
    expect(first.some((b) => b.mode === 'split')).toBe(true);
    const spec = { runId: 'r', communities: { seed: SEED, resolution: 1 } };
    const r1 = batchPayloads(graph, first, spec).map(detectBatch);
    const parts = r1.flatMap((r) => r.parts ?? []);
    expect(parts.length).toBeGreaterThan(1);
    const index = new Map(graph.accounts.map((a, i) => [a, i]));
    const second = planRefineRound(
      parts.map((p) => p.map((a) => index.get(a)!)),
      max,
    );
    expect(second.length).toBeGreaterThan(1);
    // Refine batches drop the edges between parts in different batches; numbering goes on after round 1.
    const p2 = batchPayloads(graph, second, spec, first.length);
    expect(p2[0]!.batch).toBe(first.length);
    const fanned = mergeResults([...r1, ...p2.reverse().map(detectBatch)]);
    const single = (await runDetection(input, { seed: SEED })).assignment;
    expect(fanned.size).toBe(single.size);
    for (const [account, community] of single) expect(fanned.get(account)).toBe(community);
  });

  it('a batch payload carries its edges exactly, and its digest changes with its content', async () => {
    const input = await readDropAsLinkageInput(drop);
    const graph = project(input, { seed: SEED });
    const [big] = planBatches(graph, graph.accounts.length);
    const p = batchPayload(graph, big!, { runId: 'r', communities: { seed: SEED, resolution: 1 } }, 0);
    const g = batchGraph(p);
    expect(g.edgeCount).toBe(graph.edgeCount);
    for (let e = 0; e < g.edgeCount; e++) {
      expect(g.accounts[g.src[e]!]).toBe(graph.accounts[graph.src[e]!]);
      expect(g.accounts[g.dst[e]!]).toBe(graph.accounts[graph.dst[e]!]);
      expect(g.weight[e]).toBe(graph.weight[e]); // bit for bit: Louvain's result depends on it
    }
    expect(batchPayload(graph, big!, { runId: 'other-run', communities: { seed: SEED, resolution: 1 } }, 0).digest).toBe(p.digest);
    expect(batchPayload(graph, big!, { runId: 'r', communities: { seed: SEED + 1, resolution: 1 } }, 0).digest).not.toBe(p.digest);
    const lighter = { ...graph, weight: graph.weight.map((w, e) => (e === 0 ? w + 1 : w)) };
    expect(batchPayload(lighter, big!, { runId: 'r', communities: { seed: SEED, resolution: 1 } }, 0).digest).not.toBe(p.digest);
    // A truncated edge list is refused, not silently read short.
    expect(() => batchGraph({ ...p, weight: p.weight.slice(0, 8) })).toThrow(TypeError);
  });

  describe('through the detect and detect-batch queues (real Redis + Neo4j)', () => {
    const config = jobsConfig('fanout');
    let client: Neo4jClient;
    let q: PipelineQueues;
    let pool: WorkerPool;

    beforeAll(async () => {
      client = await freshNeo4j(config);
      q = await openQueues(config);
      // One slot per queue: the parent waits for its children on the detect queue while they run on
      // detect-batch, so a single worker with concurrency 1 does the whole run.
      pool = await startWorkers(config, quietLog, { concurrency: 1 });
    });
    afterAll(async () => {
      await pool?.close();
      await q?.close();
      await client?.close();
    });

    it('a fanned-out run writes the same clusters as a single-process run with the same seed', async () => {
      let childrenDone = 0;
      pool.workers.get('detect-batch')!.on('completed', () => childrenDone++);
      const r = await submitDrop(q, client, drop, config.stateDir, { outDir: tmpDir('fanout-out'), seed: SEED, fanOut: { batchAccounts: 25, minAccounts: 1 } });
      await followFlow(q, r);
      const detect = await q.queues.detect.getJob(r.detectJobId);
      expect(detect!.returnvalue.fannedOut).toBeGreaterThan(2);
      // The children ran on detect-batch and were removed once the run was written.
      expect(childrenDone).toBe(detect!.returnvalue.fannedOut);
      expect(await q.queues['detect-batch'].getJobCountByTypes('completed', 'failed', 'waiting', 'active')).toBe(0);

      await detectAndWrite(client, { runId: 'single-process', seed: SEED, keepRuns: 0 });
      const fanned = await partitionChecksum(client, r.runId);
      const single = await partitionChecksum(client, 'single-process');
      expect(fanned.clusters).toBeGreaterThan(0);
      expect(fanned).toEqual(single);
    });

    it("a child that fails for good fails its run with the child's reason; a retry of the run replaces the failed children", async () => {
      const cfg = jobsConfig('fanout-childfail');
      // Two attempts, short backoff: the run is retried once, and gives up.
      const q3 = await openQueues(cfg, { attempts: 2, backoffDelayMs: 50 });
      const pool3 = await startWorkers(cfg, quietLog, { queues: ['ingest', 'detect', 'export'] });
      const tried = new Map<string, number>();
      const brokenConnection = await connectRedis(cfg, 'worker');
      const broken = new Worker(
        'detect-batch',
        async (job) => {
          tried.set(job.id!, (tried.get(job.id!) ?? 0) + 1);
          throw new UnrecoverableError('injected: this batch cannot be computed');
        },
        { connection: brokenConnection, prefix: cfg.queuePrefix },
      );
      await broken.waitUntilReady();
      const c3 = await freshNeo4j(cfg);
      try {
        const r = await submitDrop(q3, c3, drop, cfg.stateDir, {
          outDir: tmpDir('fanout-childfail'),
          seed: SEED,
          fanOut: { batchAccounts: 25, minAccounts: 1 },
        });
        const err = await followFlow(q3, r).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(JobFailedError);
        const detect = await q3.queues.detect.getJob(r.detectJobId);
        expect(await detect!.getState()).toBe('failed');
        expect(detect!.attemptsMade).toBe(2);
        expect(detect!.failedReason).toContain('injected: this batch cannot be computed');
        // The retry removed and re-added the children the first attempt saw fail (a failed id would
        // otherwise block its re-add, and the retry fail on the old result): once the queue is
        // drained, those ran twice. UnrecoverableError is never retried by BullMQ itself.
        await waitFor(
          'detect-batch drained',
          async () => (await q3.queues['detect-batch'].getJobCountByTypes('waiting', 'active', 'delayed', 'prioritized')) === 0,
          60_000,
        );
        expect(Math.max(...tried.values())).toBe(2);
        // Nothing was written for the run.
        expect(await runFinished(c3, r.runId)).toBe(false);
      } finally {
        await broken.close();
        brokenConnection.disconnect();
        await pool3.close();
        await q3.close();
        await c3.close();
      }
    });

    it('with no worker on detect-batch, a run that would fan out computes its communities itself', async () => {
      const cfg = jobsConfig('fanout-nobatch');
      const q2 = await openQueues(cfg);
      const detectOnly = await startWorkers(cfg, quietLog, { queues: ['ingest', 'detect', 'export'] });
      try {
        const c2 = await freshNeo4j(cfg);
        const r = await submitDrop(q2, c2, drop, cfg.stateDir, { outDir: tmpDir('fanout-nobatch'), seed: SEED, fanOut: { batchAccounts: 25, minAccounts: 1 } });
        await followFlow(q2, r);
        const detect = await q2.queues.detect.getJob(r.detectJobId);
        expect(detect!.returnvalue.fannedOut).toBe(0);
        expect(await q2.queues['detect-batch'].getJobCountByTypes('completed', 'failed', 'waiting', 'active')).toBe(0);
        await detectAndWrite(c2, { runId: 'single-process-2', seed: SEED, keepRuns: 0 });
        expect(await partitionChecksum(c2, r.runId)).toEqual(await partitionChecksum(c2, 'single-process-2'));
        await c2.close();
      } finally {
        await detectOnly.close();
        await q2.close();
      }
    });
  });
});
