import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findDropDirs, JOB, listSchedules, removeSchedule, setSchedule, startWorkers, type WorkerPool } from '../../src/jobs/index.js';
import type { ScanResult } from '../../src/jobs/processors/scan-processor.js';
import { InvalidParameterError, NotFoundError } from '../../src/util/errors.js';
import { quietLog, smallDrop, tmpDir, useQueues, waitFor } from './helpers.js';

describe('nightly scheduler', () => {
  const fx = useQueues('sched');
  const { config } = fx;

  it('upsert is idempotent: setting the same schedule twice leaves one scheduler and one pending tick', async () => {
    await setSchedule(fx.q, { cron: '0 2 * * *', tz: 'UTC', drops: '/data/drops' });
    await setSchedule(fx.q, { cron: '0 2 * * *', tz: 'UTC', drops: '/data/drops' });
    const all = await listSchedules(fx.q);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: 'nightly', cron: '0 2 * * *', tz: 'UTC', drops: '/data/drops' });
    expect(new Date(all[0]!.next!).getUTCHours()).toBe(2);
    expect(await fx.q.queues.ingest.getDelayedCount()).toBe(1);
    // A changed pattern replaces the scheduler instead of adding one.
    await setSchedule(fx.q, { cron: '30 3 * * *', tz: 'Europe/Paris', drops: '/data/drops' });
    expect(await listSchedules(fx.q)).toHaveLength(1);
    expect(await fx.q.queues.ingest.getDelayedCount()).toBe(1);
    await removeSchedule(fx.q);
    expect(await listSchedules(fx.q)).toHaveLength(0);
    await expect(removeSchedule(fx.q)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a bad cron or time zone', async () => {
    await expect(setSchedule(fx.q, { cron: '0 99 * * *', drops: '/x' })).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(setSchedule(fx.q, { cron: '0 2 * *', drops: '/x' })).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(setSchedule(fx.q, { cron: '0 2 * * *', tz: 'Mars/Olympus', drops: '/x' })).rejects.toBeInstanceOf(InvalidParameterError);
  });

  it('a tick enqueues only the drops not yet ingested', async () => {
    const landing = tmpDir('landing');
    const a = await smallDrop('sched-a', 80, 21);
    fs.renameSync(a, path.join(landing, '2026-01-01'));
    fs.mkdirSync(path.join(landing, 'not-a-drop'));
    expect(findDropDirs(landing).map((d) => path.basename(d))).toEqual(['2026-01-01']);
    expect(findDropDirs(path.join(landing, '2026-*')).map((d) => path.basename(d))).toEqual(['2026-01-01']);

    let pool: WorkerPool | undefined = await startWorkers(config, quietLog);
    try {
      const tick = async (id: string): Promise<ScanResult> => {
        await fx.q.queues.ingest.add(JOB.scan, { drops: landing }, { jobId: id });
        return waitFor('scan', async () => ((await fx.q.queues.ingest.getJob(id))?.returnvalue as ScanResult | undefined) ?? undefined, 60_000);
      };
      const first = await tick('scan-t1');
      expect(first.drops.map((d) => d.status)).toEqual(['queued']);
      await waitFor('first drop done', async () => (await fx.q.queues.export.getCompletedCount()) === 1, 120_000, 200);

      // A second drop lands; the next tick picks up only that one.
      const b = await smallDrop('sched-b', 80, 22);
      fs.renameSync(b, path.join(landing, '2026-01-02'));
      const second = await tick('scan-t2');
      expect(second.drops.map((d) => [path.basename(d.dir), d.status])).toEqual([
        ['2026-01-01', 'already-done'],
        ['2026-01-02', 'queued'],
      ]);
      await waitFor('second drop done', async () => (await fx.q.queues.export.getCompletedCount()) === 2, 120_000, 200);
      const drops = await fx.client.query('MATCH (d:Drop) RETURN d.id AS id ORDER BY id', {}, 'READ');
      expect(drops.records.map((r) => r.get('id'))).toEqual(['2026-01-01', '2026-01-02']);
    } finally {
      await pool?.close();
      pool = undefined;
    }
  });
});
