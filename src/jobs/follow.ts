import type { Job } from 'bullmq';
import { JobFailedError, ServiceUnavailableError } from '../util/errors.js';
import type { DropFlowIds } from './flow.js';
import type { PipelineQueues } from './queues.js';

export type StageName = 'ingest' | 'finalize' | 'detect' | 'export';

export interface StageState {
  readonly stage: StageName;
  /** 0..100 */
  readonly percent: number;
  readonly state: 'pending' | 'active' | 'done' | 'failed';
  /** e.g. `3/5 files` or `accounts.csv write 40000 rows`. */
  readonly detail: string;
}

export interface FollowOptions {
  /** @defaultValue 300 */
  readonly pollMs: number;
  /** Give up after this long (0: never). @defaultValue 0 */
  readonly timeoutMs: number;
  /**
   * Keep following through a Redis outage this long: the flow's workers reconnect and carry on, so
   * the follower should too, rather than exit while the run it reports on still completes.
   * @defaultValue 120_000
   */
  readonly maxOutageMs: number;
  /** Called on each failed poll during an outage. @defaultValue undefined */
  readonly onOutage?: (err: Error) => void;
  readonly onUpdate?: (stages: readonly StageState[]) => void;
}

export const FOLLOW_DEFAULTS: FollowOptions = Object.freeze({ pollMs: 300, timeoutMs: 0, maxOutageMs: 120_000 });

/** An error of the Redis connection itself (refused, reset, closed, offline), not of the flow. */
export function isRedisConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT') return true;
  return /Connection is closed|Stream isn't writeable|enableOfflineQueue|ECONNREFUSED|ECONNRESET/.test(err.message);
}

function pct(p: unknown): number {
  if (typeof p === 'number') return p;
  if (p && typeof p === 'object' && 'percent' in p && typeof (p as { percent: unknown }).percent === 'number') return (p as { percent: number }).percent;
  return 0;
}

async function stateOf(job: Job | undefined): Promise<string> {
  return job ? job.getState() : 'unknown';
}

function stage(stageName: StageName, state: string, percent: number, detail: string): StageState {
  const s = state === 'completed' ? 'done' : state === 'failed' ? 'failed' : state === 'active' ? 'active' : 'pending';
  return { stage: stageName, state: s, percent: s === 'done' ? 100 : Math.max(0, Math.min(100, Math.round(percent))), detail };
}

/** One snapshot of a drop flow's stages, from job states and progress. */
export async function flowStages(q: PipelineQueues, ids: DropFlowIds): Promise<StageState[]> {
  const files = await Promise.all(ids.ingestJobIds.map((id) => q.queues.ingest.getJob(id)));
  const fileStates = await Promise.all(files.map(stateOf));
  const out: StageState[] = [];
  if (ids.ingestJobIds.length > 0 && files.some(Boolean)) {
    const done = fileStates.filter((s) => s === 'completed').length;
    const failed = fileStates.filter((s) => s === 'failed').length;
    const active = files.find((j, i) => fileStates[i] === 'active');
    const percent = files.reduce((s, j, i) => s + (fileStates[i] === 'completed' ? 100 : pct(j?.progress)), 0) / files.length;
    const state = failed > 0 ? 'failed' : done === files.length ? 'completed' : active ? 'active' : 'waiting';
    const p = active?.progress as { file?: string; phase?: string; rows?: number } | undefined;
    const detail = `${done}/${files.length} files${p?.file ? ` · ${p.file} ${p.phase ?? ''} ${p.rows ?? 0} rows` : ''}`;
    out.push(stage('ingest', state, percent, detail));
    const fin = await q.queues.ingest.getJob(ids.finalizeJobId);
    out.push(stage('finalize', await stateOf(fin), pct(fin?.progress), 'drop ledger'));
  }
  const detect = await q.queues.detect.getJob(ids.detectJobId);
  const dp = detect?.progress as { percent?: number; phase?: string } | number | undefined;
  out.push(stage('detect', await stateOf(detect), pct(dp), typeof dp === 'object' && dp?.phase ? dp.phase : ids.runId));
  const exp = await q.queues.export.getJob(ids.exportJobId);
  out.push(stage('export', await stateOf(exp), pct(exp?.progress), 'cluster lists'));
  return out;
}

/**
 * The reason a flow failed, from the job that failed first: parents fail with "child … failed",
 * so the deepest failed job carries the real cause.
 */
export async function flowFailure(q: PipelineQueues, ids: DropFlowIds): Promise<JobFailedError | undefined> {
  const candidates: Array<[string, Job | undefined]> = [
    ...(await Promise.all(ids.ingestJobIds.map(async (id) => ['ingest', await q.queues.ingest.getJob(id)] as [string, Job | undefined]))),
    ['ingest', await q.queues.ingest.getJob(ids.finalizeJobId)],
    ['detect', await q.queues.detect.getJob(ids.detectJobId)],
    ['export', await q.queues.export.getJob(ids.exportJobId)],
  ];
  for (const [queue, job] of candidates) {
    if (job?.id && (await job.getState()) === 'failed') return new JobFailedError(queue, job.id, job.failedReason ?? 'unknown reason');
  }
  return undefined;
}

/**
 * Wait for a drop flow to finish, reporting stage progress. Resolves with the export job's return
 * value; rejects with JobFailedError naming the job that failed first.
 */
export async function followFlow<R = unknown>(q: PipelineQueues, ids: DropFlowIds, options: Partial<FollowOptions> = {}): Promise<R> {
  const o = { ...FOLLOW_DEFAULTS, ...options };
  const t0 = Date.now();
  let outageSince: number | undefined;
  for (;;) {
    let root: Job | undefined;
    let state: string;
    try {
      const stages = await flowStages(q, ids);
      o.onUpdate?.(stages);
      root = await q.queues.export.getJob(ids.exportJobId);
      state = await stateOf(root);
      outageSince = undefined;
    } catch (err) {
      if (!isRedisConnectionError(err)) throw err;
      outageSince ??= Date.now();
      if (Date.now() - outageSince > o.maxOutageMs) {
        throw new ServiceUnavailableError(
          `Redis unreachable for ${Math.round((Date.now() - outageSince) / 1000)} s while following the flow: ${(err as Error).message}`,
          { cause: err },
        );
      }
      o.onOutage?.(err as Error);
      await new Promise((r) => setTimeout(r, o.pollMs));
      continue;
    }
    if (state === 'completed') return root!.returnvalue as R;
    if (state === 'failed') {
      // A child that fails for good fails its parents up to the root; report the deepest cause.
      throw (await flowFailure(q, ids)) ?? new JobFailedError('export', ids.exportJobId, root?.failedReason ?? 'unknown reason');
    }
    if (state === 'unknown') throw new JobFailedError('export', ids.exportJobId, 'the flow is not in Redis (removed, or another prefix?)');
    if (o.timeoutMs > 0 && Date.now() - t0 > o.timeoutMs) throw new JobFailedError('export', ids.exportJobId, `still ${state} after ${o.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
}
