import type { Job } from 'bullmq';
import { finalizeDrop, ingestFile, type FileResult, type IngestProgress } from '../../loaders/index.js';
import { toJobError } from '../failure.js';
import type { FinalizeDropData, IngestFileData } from '../job-data.js';
import { JOB } from '../names.js';
import type { ProcessorContext } from './context.js';

/** Progress written to Redis at most this often per job (each update is a Redis round trip and an event). */
const PROGRESS_EVERY_MS = 500;

export interface IngestJobProgress {
  readonly file: string;
  readonly phase: IngestProgress['phase'];
  readonly rows: number;
  readonly rejects: number;
  /** Rough percentage: validation is the first half, writing the second. */
  readonly percent: number;
}

export interface FinalizeResult {
  readonly drop: string;
  readonly sha256: string;
  readonly ledgerWritten: boolean;
  readonly rows: number;
  readonly rejects: number;
}

/**
 * The ingest queue's in-process processor: `ingest-file` jobs load one file (exactly once per batch,
 * so a retried or stalled-and-resumed job adds nothing twice), and the `finalize-drop` parent writes
 * the drop ledger from its children's results once all of them are in.
 */
export function ingestProcessor(ctx: ProcessorContext) {
  return async (job: Job, _token?: string): Promise<FileResult | FinalizeResult> => {
    try {
      if (job.name === JOB.ingestFile) return await runIngestFile(ctx, job as Job<IngestFileData>);
      if (job.name === JOB.finalizeDrop) return await runFinalize(ctx, job as Job<FinalizeDropData>);
      throw new Error(`ingest queue: unknown job name ${job.name}`);
    } catch (err) {
      throw toJobError(err);
    }
  };
}

async function runIngestFile(ctx: ProcessorContext, job: Job<IngestFileData>): Promise<FileResult> {
  const { drop, file } = job.data;
  const client = await ctx.neo4j();
  const bytes = drop.files.find((f) => f.name === file)?.bytes ?? 0;
  let last = 0;
  let validated = 0;
  let pending: Promise<void> = Promise.resolve();
  const onProgress = (p: IngestProgress): void => {
    if (p.phase === 'validate') validated = p.rows;
    const now = Date.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    // Rows are counted twice (validate, then write); the validate pass's final count sizes the write half.
    const percent = p.phase === 'validate' ? 25 : 50 + Math.min(49, Math.round((p.rows / Math.max(1, validated)) * 49));
    const progress: IngestJobProgress = { file, phase: p.phase, rows: p.rows, rejects: p.rejects, percent };
    pending = pending.then(() => job.updateProgress(progress as unknown as object)).catch(() => undefined);
  };
  const result = await ingestFile(client, drop, file, {
    maxRejectRatio: ctx.config.maxRejectRatio,
    stateDir: ctx.config.stateDir,
    dropId: drop.id,
    onProgress,
  });
  await pending;
  await job.updateProgress({ file, phase: 'write', rows: result.rows, rejects: result.rejects, percent: 100 });
  ctx.log.info(
    { queue: job.queueName, jobId: job.id, drop: drop.id, file, rows: result.rows, rejects: result.rejects, batchesSkipped: result.batchesSkipped, bytes },
    'file ingested',
  );
  return result;
}

async function runFinalize(ctx: ProcessorContext, job: Job<FinalizeDropData>): Promise<FinalizeResult> {
  const { drop } = job.data;
  const client = await ctx.neo4j();
  const values = await job.getChildrenValues<FileResult>();
  const results = Object.values(values);
  const ledgerWritten = await finalizeDrop(client, drop, results);
  await job.updateProgress(100);
  const rows = results.reduce((s, r) => s + r.rows, 0);
  const rejects = results.reduce((s, r) => s + r.rejects, 0);
  ctx.log.info({ queue: job.queueName, jobId: job.id, drop: drop.id, ledgerWritten, rows, rejects }, 'drop finalized');
  return { drop: drop.id, sha256: drop.sha256, ledgerWritten, rows, rejects };
}
