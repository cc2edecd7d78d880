import { recentRuns, type Neo4jClient, type RecentRun } from '../db/index.js';
import { DEPTH_STATES } from './metrics.js';
import type { QueueName } from './names.js';
import type { PipelineQueues } from './queues.js';
import { listSchedules, type ScheduleInfo } from './scheduler.js';

export interface FailureInfo {
  readonly queue: string;
  readonly jobId: string;
  readonly name: string;
  readonly reason: string;
  readonly attemptsMade: number;
  readonly finishedAt: string | null;
}

export interface PipelineStatus {
  readonly prefix: string;
  readonly queues: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly schedules: readonly ScheduleInfo[];
  readonly runs: readonly RecentRun[];
  readonly failures: readonly FailureInfo[];
}

/** Queue depths, schedulers, recent runs (Neo4j, when a client is given) and the latest failures. */
export async function pipelineStatus(q: PipelineQueues, client?: Neo4jClient, options: { runs?: number; failures?: number } = {}): Promise<PipelineStatus> {
  const queues: Record<string, Record<string, number>> = {};
  const failures: FailureInfo[] = [];
  for (const [name, queue] of Object.entries(q.queues) as Array<[QueueName, (typeof q.queues)[QueueName]]>) {
    queues[name] = await queue.getJobCounts(...DEPTH_STATES);
    for (const job of await queue.getFailed(0, (options.failures ?? 10) - 1)) {
      failures.push({
        queue: name,
        jobId: job.id ?? '?',
        name: job.name,
        reason: job.failedReason ?? '',
        attemptsMade: job.attemptsMade,
        finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
      });
    }
  }
  failures.sort((a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? ''));
  return {
    prefix: q.prefix,
    queues,
    schedules: await listSchedules(q),
    runs: client ? await recentRuns(client, options.runs ?? 5) : [],
    failures: failures.slice(0, options.failures ?? 10),
  };
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
}

export function formatStatus(s: PipelineStatus): string {
  const states = ['waiting', 'waiting-children', 'active', 'delayed', 'failed', 'completed'];
  const out = [
    `queues (prefix ${s.prefix})`,
    ...table([['queue', ...states], ...Object.entries(s.queues).map(([q, c]) => [q, ...states.map((st) => String(c[st] ?? 0))])]),
  ];
  out.push('', 'schedules');
  if (s.schedules.length === 0) out.push('  (none)');
  for (const x of s.schedules) out.push(`  ${x.id}: "${x.cron}" ${x.tz ?? ''} drops=${x.drops ?? '?'} next=${x.next ? new Date(x.next).toISOString() : '?'}`);
  out.push('', 'recent runs');
  if (s.runs.length === 0) out.push('  (none)');
  else
    out.push(
      ...table([
        ['run', 'started', 'finished', 'clusters', 'enforce', 'review'],
        ...s.runs.map((r) => [r.id, r.startedAt ?? '', r.finishedAt ?? 'unfinished', String(r.clusters), String(r.enforce), String(r.review)]),
      ]).map((l) => `  ${l}`),
    );
  out.push('', 'recent failures');
  if (s.failures.length === 0) out.push('  (none)');
  for (const f of s.failures) out.push(`  ${f.finishedAt ?? ''} ${f.queue}/${f.jobId} (${f.name}, ${f.attemptsMade} attempts): ${f.reason}`);
  return out.join('\n') + '\n';
}
