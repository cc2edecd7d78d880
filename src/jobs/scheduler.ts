import { InvalidParameterError, NotFoundError } from '../util/errors.js';
import { JOB } from './names.js';
import { jobOptions } from './options.js';
import type { PipelineQueues } from './queues.js';

/** The data of a scheduler tick (a `scan-drops` job on the ingest queue). */
export interface ScanJobData {
  /** A drop folder, a folder of drop folders, or a glob whose last segment has `*` / `?`. */
  readonly drops: string;
  readonly schedulerId?: string;
  /** Model release (ISO 8601) for the runs of this schedule; unset: the worker's RINGSCOPE_RELEASE_DATE. */
  readonly releaseDate?: string;
  /** A full detection run when the last N-1 were incremental (docs/incremental.md); unset: the service's default. */
  readonly fullEvery?: number;
}

export interface ScheduleSpec {
  /** @defaultValue 'nightly' */
  readonly id?: string;
  /** Cron pattern, e.g. `0 2 * * *` (5 fields, or 6 with seconds first). */
  readonly cron: string;
  /** IANA time zone. @defaultValue 'UTC' */
  readonly tz?: string;
  readonly drops: string;
  /** Model release (epoch ms) recorded with every run of this schedule. @defaultValue undefined (the worker's config) */
  readonly releaseDate?: number;
  /** A full detection run every N nights, incremental between. @defaultValue undefined (the detection service's default, 7) */
  readonly fullEvery?: number;
}

export interface ScheduleInfo {
  readonly id: string;
  readonly cron: string | undefined;
  readonly tz: string | undefined;
  readonly drops: string | undefined;
  readonly releaseDate: string | undefined;
  readonly fullEvery: number | undefined;
  /** Next tick, epoch ms. */
  readonly next: number | undefined;
}

export const SCHEDULE_DEFAULTS = { id: 'nightly', tz: 'UTC' } as const;

function validate(spec: ScheduleSpec): Required<Omit<ScheduleSpec, 'releaseDate' | 'fullEvery'>> & Pick<ScheduleSpec, 'releaseDate' | 'fullEvery'> {
  const id = spec.id ?? SCHEDULE_DEFAULTS.id;
  const tz = spec.tz ?? SCHEDULE_DEFAULTS.tz;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new InvalidParameterError('--id', 'letters, digits, _ and - only');
  const fields = spec.cron.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 6) throw new InvalidParameterError('--cron', 'expected 5 or 6 cron fields');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new InvalidParameterError('--tz', `unknown time zone ${JSON.stringify(tz)}`);
  }
  if (spec.drops.trim() === '') throw new InvalidParameterError('--drops', 'must not be empty');
  if (spec.fullEvery !== undefined && !(Number.isInteger(spec.fullEvery) && spec.fullEvery >= 0)) {
    throw new InvalidParameterError('--full-every', 'expected a whole number ≥ 0');
  }
  return { id, cron: fields.join(' '), tz, drops: spec.drops, releaseDate: spec.releaseDate, fullEvery: spec.fullEvery };
}

/**
 * Create or replace the nightly scheduler. `upsertJobScheduler` keys on the id, so calling this on
 * every deploy leaves exactly one scheduler (and one pending tick).
 */
export async function setSchedule(q: PipelineQueues, spec: ScheduleSpec): Promise<ScheduleInfo> {
  const s = validate(spec);
  const data: ScanJobData = {
    drops: s.drops,
    schedulerId: s.id,
    ...(s.releaseDate !== undefined ? { releaseDate: new Date(s.releaseDate).toISOString() } : {}),
    ...(s.fullEvery !== undefined ? { fullEvery: s.fullEvery } : {}),
  };
  try {
    await q.queues.ingest.upsertJobScheduler(
      s.id,
      { pattern: s.cron, tz: s.tz },
      // A tick is cheap and safe to repeat (it skips drops already in the ledger): few attempts.
      { name: JOB.scan, data, opts: { ...jobOptions(q.options), attempts: 3 } },
    );
  } catch (err) {
    // BullMQ parses the pattern (cron-parser) while upserting; a bad field surfaces here.
    throw new InvalidParameterError('--cron', (err as Error).message);
  }
  const info = (await listSchedules(q)).find((x) => x.id === s.id);
  if (!info) throw new NotFoundError(`scheduler ${s.id} vanished right after being set`);
  return info;
}

export async function listSchedules(q: PipelineQueues): Promise<ScheduleInfo[]> {
  const all = await q.queues.ingest.getJobSchedulers(0, -1, true);
  return all.map((j) => ({
    id: j.id ?? j.key,
    cron: j.pattern,
    tz: j.tz,
    drops: (j.template?.data as ScanJobData | undefined)?.drops,
    releaseDate: (j.template?.data as ScanJobData | undefined)?.releaseDate,
    fullEvery: (j.template?.data as ScanJobData | undefined)?.fullEvery,
    next: j.next,
  }));
}

/** Remove a scheduler; NotFoundError when there is none with that id. */
export async function removeSchedule(q: PipelineQueues, id: string = SCHEDULE_DEFAULTS.id): Promise<void> {
  const removed = await q.queues.ingest.removeJobScheduler(id);
  if (!removed) throw new NotFoundError(`no scheduler with id ${id}`);
}
