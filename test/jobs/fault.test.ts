import { beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/index.js';
import { toNum, type Neo4jClient } from '../../src/db/index.js';
import { openDrop, type DropRef } from '../../src/loaders/index.js';
import { dropFlowIds, followFlow, openQueues, startWorkers, submitDrop, type PipelineQueues } from '../../src/jobs/index.js';
import { freshNeo4j } from '../helpers/services.js';
import { graphFingerprint, jobsConfig, quietLog, smallDrop, spawnWorker, tmpDir, waitFor, type GraphFingerprint } from './helpers.js';

/**
 * Fault injection (issue #5 acceptance, issue #8 item 2): a real `ringscope worker` process is
 * SIGKILLed in the middle of ingest and in the middle of detection; a second worker process takes
 * the stalled jobs over (short lockDuration / stalledInterval), and the graph and the cluster list
 * must be identical to an uninterrupted run: node and relationship counts, summed counts (a batch
 * written twice would change them), and a checksum of the run's assignments.
 */
const FAST_LOCKS = ['--lock-duration', '2000', '--stalled-interval', '1000'];

describe('fault injection: SIGKILL a worker mid-ingest and mid-detection', () => {
  let drop: string;
  let ref: DropRef;
  let clean: GraphFingerprint;

  beforeAll(async () => {
    drop = await smallDrop('fault', 1500, 8);
    ref = await openDrop(drop);
    // The uninterrupted reference run.
    const config = jobsConfig('fault-clean');
    const client = await freshNeo4j(config);
    const q = await openQueues(config);
    const pool = await startWorkers(config, quietLog);
    try {
      const r = await submitDrop(q, client, drop, config.stateDir, { outDir: tmpDir('fault-clean') });
      await followFlow(q, r);
      clean = await graphFingerprint(client, r.runId);
    } finally {
      await pool.close();
      await q.close();
      await client.close();
    }
    expect(clean.clusters).toBeGreaterThan(0);
  });

  async function interrupted(
    name: string,
    killWhen: (config: Config, client: Neo4jClient, q: PipelineQueues) => Promise<string>,
    fanOut?: { batchAccounts: number; minAccounts: number },
  ): Promise<{ fp: GraphFingerprint; killedJob: string; q: PipelineQueues; client: Neo4jClient }> {
    const config = jobsConfig(name);
    const client = await freshNeo4j(config);
    const q = await openQueues(config);
    const first = spawnWorker(config.queuePrefix, FAST_LOCKS);
    let second: ReturnType<typeof spawnWorker> | undefined;
    try {
      await waitFor('worker start', async () => first.logs().includes('worker started'), 60_000);
      const r = await submitDrop(q, client, drop, config.stateDir, { outDir: tmpDir(name), ...(fanOut ? { fanOut } : {}) });
      let killedJob: string;
      try {
        killedJob = await killWhen(config, client, q);
      } catch (err) {
        throw new Error(`${(err as Error).message}\nworker log tail:\n${first.logs().slice(-3000)}`);
      }
      first.child.kill('SIGKILL');
      await first.exited;
      second = spawnWorker(config.queuePrefix, FAST_LOCKS);
      await followFlow(q, r, { timeoutMs: 240_000 });
      expect(second.logs()).toContain('stalled');
      const fp = await graphFingerprint(client, r.runId);
      return { fp, killedJob, q, client };
    } finally {
      if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
      if (second) {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    }
  }

  it('mid-ingest: some batches of a file committed, worker killed, the rest resumed exactly once', async () => {
    const activityJob = dropFlowIds(ref).ingestJobIds[ref.files.findIndex((f) => f.name === 'activity.csv')]!;
    const { fp, killedJob, q, client } = await interrupted('fault-ingest', async (_c, _client, q) => {
      // Kill once the biggest file reports committed batches (write phase) and is not done yet.
      await waitFor(
        'a partly written activity file',
        async () => {
          const job = await q.queues.ingest.getJob(activityJob);
          const p = job?.progress as { phase?: string; rows?: number; percent?: number } | undefined;
          return p?.phase === 'write' && (p.rows ?? 0) > 0 && (p.percent ?? 100) < 100 && (await job!.getState()) === 'active';
        },
        60_000,
        10,
      );
      return activityJob;
    });
    try {
      const job = await q.queues.ingest.getJob(killedJob);
      expect(await job!.getState()).toBe('completed');
      // The resumed file skipped the batches committed before the kill.
      expect((job!.returnvalue as { batchesSkipped: number }).batchesSkipped).toBeGreaterThan(0);
      expect(fp).toEqual(clean);
    } finally {
      await q.close();
      await client.close();
    }
  }, 300_000);

  it('mid-detection: the detect job stalls with the worker, another worker reruns it, same clusters', async () => {
    const ids = dropFlowIds(ref);
    const { fp, q, client } = await interrupted('fault-detect', async (_c, client, q) => {
      await waitFor('detect running', async () => (await q.queues.detect.getActiveCount()) > 0, 120_000, 20);
      await new Promise((r) => setTimeout(r, 300));
      const done = await client.query('MATCH (r:LinkageRun {id: $id}) WHERE r.finishedAt IS NOT NULL RETURN count(r) AS n', { id: ids.runId }, 'READ');
      expect(toNum(done.records[0]?.get('n'))).toBe(0);
      return ids.detectJobId;
    });
    try {
      const job = await q.queues.detect.getJob(ids.detectJobId);
      expect(await job!.getState()).toBe('completed');
      expect(fp).toEqual(clean);
    } finally {
      await q.close();
      await client.close();
    }
  }, 300_000);

  it('mid-fan-out: the parent waits on its children when the worker dies; the next worker reuses or reruns them, same clusters', async () => {
    const ids = dropFlowIds(ref);
    const { fp, q, client } = await interrupted(
      'fault-fanout',
      async (_c, _client, q) => {
        await waitFor(
          'detect waiting on its children',
          async () => {
            const job = await q.queues.detect.getJob(ids.detectJobId);
            return /^fan-out \d+\//.test(String((job?.progress as { phase?: string } | undefined)?.phase ?? ''));
          },
          120_000,
          10,
        );
        return ids.detectJobId;
      },
      { batchAccounts: 40, minAccounts: 1 },
    );
    try {
      const job = await q.queues.detect.getJob(ids.detectJobId);
      expect(await job!.getState()).toBe('completed');
      expect(job!.returnvalue.fannedOut).toBeGreaterThan(2);
      // The children were removed once the run was written, including any the dead worker held.
      expect(await q.queues['detect-batch'].getJobCountByTypes('completed', 'failed', 'waiting', 'active', 'delayed')).toBe(0);
      expect(fp).toEqual(clean);
    } finally {
      await q.close();
      await client.close();
    }
  }, 300_000);
});
