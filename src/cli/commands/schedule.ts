import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { listSchedules, openQueues, removeSchedule, SCHEDULE_DEFAULTS, setSchedule, type PipelineQueues } from '../../jobs/index.js';
import { isoMoment, nonNegativeInt } from '../option-parsers.js';

async function withQueues<T>(fn: (q: PipelineQueues) => Promise<T>): Promise<T> {
  const q = await openQueues(loadConfig());
  try {
    return await fn(q);
  } finally {
    await q.close();
  }
}

const show = (x: { id: string; cron?: string; tz?: string; drops?: string; releaseDate?: string; fullEvery?: number; next?: number }): string =>
  `${x.id}\t${x.cron ?? ''}\t${x.tz ?? ''}\t${x.drops ?? ''}\trelease ${x.releaseDate ?? '(worker config)'}\tfull every ${x.fullEvery ?? 7}\tnext ${x.next ? new Date(x.next).toISOString() : '?'}\n`;

/** `ringscope schedule set|list|remove`: the nightly run, as an idempotent BullMQ job scheduler. */
export function register(program: Command): void {
  const schedule = program.command('schedule').description('Manage the nightly pipeline schedule (BullMQ job scheduler)');
  schedule
    .command('set')
    .description('Create or replace a schedule (idempotent: safe on every deploy)')
    .requiredOption('--cron <pattern>', 'cron pattern, e.g. "0 2 * * *"')
    .option('--tz <zone>', 'IANA time zone', SCHEDULE_DEFAULTS.tz)
    .requiredOption('--drops <dir-or-glob>', 'drop folder, folder of drops, or glob (last segment) to scan at each tick')
    .option('--id <id>', 'schedule id', SCHEDULE_DEFAULTS.id)
    .option('--release-date <iso>', "model release for this schedule's runs (default: the worker's RINGSCOPE_RELEASE_DATE)", isoMoment('--release-date'))
    .option(
      '--full-every <n>',
      'a full detection run every N nights, incremental runs between (0: only when needed; default 7)',
      nonNegativeInt('--full-every'),
    )
    .action(async (o: { cron: string; tz: string; drops: string; id: string; releaseDate?: number; fullEvery?: number }) => {
      const info = await withQueues((q) =>
        setSchedule(q, {
          id: o.id,
          cron: o.cron,
          tz: o.tz,
          drops: o.drops,
          releaseDate: o.releaseDate,
          ...(o.fullEvery !== undefined ? { fullEvery: o.fullEvery } : {}),
        }),
      );
      process.stdout.write(show(info));
    });
  schedule
    .command('list')
    .description('List schedules')
    .action(async () => {
      const all = await withQueues((q) => listSchedules(q));
      if (all.length === 0) process.stdout.write('no schedules\n');
      for (const x of all) process.stdout.write(show(x));
    });
  schedule
    .command('remove')
    .description('Remove a schedule')
    .option('--id <id>', 'schedule id', SCHEDULE_DEFAULTS.id)
    .action(async (o: { id: string }) => {
      await withQueues((q) => removeSchedule(q, o.id));
      process.stdout.write(`removed ${o.id}\n`);
    });
}
