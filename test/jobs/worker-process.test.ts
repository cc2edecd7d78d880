import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sandboxThreadOptions, startWorkers, submitDrop } from '../../src/jobs/index.js';
import { createLogger } from '../../src/util/logger.js';
import { jobsConfig, smallDrop, useQueues, spawnWorker, tmpDir, waitFor } from './helpers.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('ringscope worker process', () => {
  const fx = useQueues('proc');
  const { config } = fx;

  it('SIGTERM with a job in flight: the job finishes, connections close, exit 0, no secret in the logs', async () => {
    const drop = await smallDrop('proc', 1500, 4);
    const w = spawnWorker(config.queuePrefix, ['--queues', 'ingest']);
    try {
      await waitFor('worker start', async () => w.logs().includes('worker started'), 60_000);
      const r = await submitDrop(fx.q, fx.client, drop, config.stateDir, { outDir: tmpDir('proc-out') });
      const activeId = await waitFor('an active ingest job', async () => (await fx.q.queues.ingest.getActive())[0]?.id, 60_000, 20);
      w.child.kill('SIGTERM');
      expect(await w.exited).toBe(0);
      const job = await fx.q.queues.ingest.getJob(activeId);
      expect(await job!.getState()).toBe('completed');
      expect(job!.attemptsMade).toBe(1);
      const logs = w.logs();
      expect(logs).toContain('worker closed');
      // Structured lines carry queue and job id.
      const started = logs
        .split('\n')
        .filter((l) => l.includes('"job started"'))
        .map((l) => JSON.parse(l) as { queue: string; jobId: string });
      expect(started.some((l) => l.queue === 'ingest' && r.ingestJobIds.includes(l.jobId))).toBe(true);
      expect(logs).not.toContain(config.neo4j.password);
    } finally {
      if (w.child.exitCode === null) w.child.kill('SIGKILL');
    }
  });

  it('warns at start when Redis maxmemory-policy is not noeviction', async () => {
    const port = await freePort();
    const dir = tmpDir('lru-redis');
    const redis = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--maxmemory-policy', 'allkeys-lru', '--save', '', '--dir', dir], {
      stdio: 'ignore',
    });
    try {
      await waitFor(
        'throwaway redis',
        () =>
          new Promise<boolean>((resolve) => {
            const s = net.connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)));
            s.once('error', () => resolve(false));
          }),
        20_000,
      );
      const capture = (): { log: ReturnType<typeof createLogger>; text: () => string } => {
        let text = '';
        const stream = new Writable({ write: (c: Buffer, _e, cb) => ((text += c.toString()), cb()) });
        return { log: createLogger('info', stream), text: () => text };
      };
      const lru = capture();
      const bad = jobsConfig('lru', { REDIS_URL: `redis://127.0.0.1:${port}` });
      const pool = await startWorkers(bad, lru.log, { queues: ['export'] });
      await pool.close();
      expect(pool.evictionPolicy).toBe('allkeys-lru');
      expect(lru.text()).toMatch(/"level":40.*maxmemory-policy/);

      const ok = capture();
      const good = await startWorkers(config, ok.log, { queues: ['export'] });
      await good.close();
      expect(good.evictionPolicy).toBe('noeviction');
      expect(ok.text()).not.toContain('maxmemory-policy');
    } finally {
      redis.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('detect sandbox threads drop V8 heap flags (refused in workers) and keep the heap limit', () => {
    expect(sandboxThreadOptions(['--max-old-space-size=8192', '--enable-source-maps', '--stack-size', '2000'])).toEqual({
      execArgv: ['--enable-source-maps'],
      resourceLimits: { maxOldGenerationSizeMb: 8192 },
    });
    expect(sandboxThreadOptions(['--enable-source-maps'])).toEqual({ execArgv: ['--enable-source-maps'] });
    expect(sandboxThreadOptions(['--max-semi-space-size=64', '--max-old-space-size', '4096'])).toEqual({
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: 4096, maxYoungGenerationSizeMb: 192 },
    });
  });
});
