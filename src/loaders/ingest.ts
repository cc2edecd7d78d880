import path from 'node:path';
import {
  claimDropFile,
  existingBatchLayout,
  isDropIngested,
  isFileBulkLoaded,
  recordDrop,
  writeBatch,
} from '../db/ingest-repository.js';
import type { Neo4jClient } from '../db/neo4j-client.js';
import { ensureSchema } from '../db/schema.js';
import { InvalidFileError, InvalidParameterError, RingscopeError } from '../util/errors.js';
import { batchParams } from './batch-params.js';
import { bulkBatchId } from './bulk-files.js';
import { ActivityBuffer } from './activity-buffer.js';
import { SeenKeys } from './seen-keys.js';
import { dropFile, openDrop, type DropFile, type DropRef } from './drop.js';
import { assertDropUnchanged } from './drop-changes.js';
import type { FileKind } from './file-kinds.js';
import type { ReadOptions } from './record-reader.js';
import type { ActivityRow, Row } from './row-schemas.js';
import { validateFile, validatedBatches, type ValidationCounts } from './validated-rows.js';
import { stripUndefined } from '../util/defined.js';

export interface IngestProgress {
  readonly file: string;
  /** `validate`: first pass (nothing written); `write`: second pass, batches committed. */
  readonly phase: 'validate' | 'write';
  readonly rows: number;
  readonly rejects: number;
  readonly rowsPerSec: number;
}

export interface IngestOptions extends ReadOptions {
  /** Valid rows per transaction. Resuming a file must use the size of its earlier batches (checked). @defaultValue 10_000 */
  readonly batchSize?: number;
  /** Concurrent write transactions per file. Parsing runs while they write (pipelining). @defaultValue 2 */
  readonly writers?: number;
  /**
   * Activity rows grouped by account before they are written (see ActivityBuffer; ~16 bytes a row).
   * Resuming a file must use the value of its earlier batches (checked). @defaultValue 8_000_000
   */
  readonly activityBufferRows?: number;
  /** A file whose reject ratio exceeds this fails whole, with nothing committed. @defaultValue 0.01 */
  readonly maxRejectRatio?: number;
  /** Rejects go to `<stateDir>/rejects/<drop id>/<file>.rejects.txt`. @defaultValue '.ringscope/dev' */
  readonly stateDir?: string;
  /** Drop id for the ledger and the rejects folder. @defaultValue the drop folder's name */
  readonly dropId?: string;
  readonly onProgress?: (p: IngestProgress) => void;
}

export const DEFAULTS: Readonly<Required<Pick<IngestOptions, 'batchSize' | 'writers' | 'activityBufferRows' | 'maxRejectRatio' | 'stateDir'>>> = {
  batchSize: 10_000,
  writers: 2,
  activityBufferRows: 8_000_000,
  maxRejectRatio: 0.01,
  stateDir: '.ringscope/dev',
};

export interface FileResult {
  readonly file: string;
  readonly kind: FileKind;
  readonly status: 'ok' | 'failed';
  /** Valid rows (written, or already present from an earlier run). */
  readonly rows: number;
  readonly rejects: number;
  readonly batches: number;
  /** Batches found already committed (resumed or retried file). */
  readonly batchesSkipped: number;
  readonly seconds: number;
  /** Valid rows per second over both passes. */
  readonly rowsPerSec: number;
  readonly rejectsPath: string;
  /** For a failed file: the error (InvalidFileError for bad input). */
  readonly error?: RingscopeError;
}

export interface IngestSummary {
  readonly dropId: string;
  readonly sha256: string;
  /** The drop's sha256 was already in the ledger: nothing was read or written. */
  readonly skippedAsDuplicate: boolean;
  /** The ledger entry was written by this run (every file succeeded). */
  readonly ledgerWritten: boolean;
  readonly files: readonly FileResult[];
  readonly rows: number;
  readonly rejects: number;
  readonly seconds: number;
  readonly rowsPerSec: number;
  readonly warnings: readonly string[];
}

function resolve(opts: IngestOptions): IngestOptions & typeof DEFAULTS {
  const o = { ...DEFAULTS, ...stripUndefined(opts) };
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new RangeError('batchSize must be a positive integer');
  if (!Number.isInteger(o.writers) || o.writers < 1) throw new RangeError('writers must be a positive integer');
  if (!Number.isInteger(o.activityBufferRows) || o.activityBufferRows < 1) throw new RangeError('activityBufferRows must be a positive integer');
  return o;
}

/**
 * Ingest a whole drop: schema, every file (one failing file does not stop the others), then the
 * ledger if all files succeeded. A drop already in the ledger is a no-op; a drop id that already
 * loaded other content is refused before anything is written (EditedDropError).
 */
export async function ingestDrop(client: Neo4jClient, dropDir: string, options: IngestOptions = {}): Promise<IngestSummary> {
  const opts = resolve(options);
  const t0 = performance.now();
  const drop = await openDrop(dropDir, { dropId: opts.dropId });
  await ensureSchema(client);
  if (await isDropIngested(client, drop.sha256)) {
    return summarise(drop, [], t0, { skippedAsDuplicate: true, ledgerWritten: false });
  }
  await assertDropUnchanged(client, drop);
  const results: FileResult[] = [];
  // Validating a file is client CPU; writing one is mostly Neo4j's. So the next file's validation
  // pass runs while the current file is written, and only the first file's validation is waited for.
  type Validated = { readonly started: number; readonly counts?: ValidationCounts; readonly error?: unknown };
  const validate = (i: number): Promise<Validated> => {
    const started = performance.now();
    return validatePass(drop, drop.files[i]!, opts, started).then(
      (counts) => ({ started, counts }),
      (error: unknown) => ({ started, error }),
    );
  };
  let next: Promise<Validated> | undefined = drop.files.length > 0 ? validate(0) : undefined;
  for (let i = 0; i < drop.files.length; i++) {
    const f = drop.files[i]!;
    const v = await next!;
    next = i + 1 < drop.files.length ? validate(i + 1) : undefined;
    try {
      if (v.error !== undefined) throw v.error;
      results.push(await writePass(client, drop, f, v.counts!, opts, v.started));
    } catch (err) {
      // Bad input fails this file only; anything else (Neo4j down...) aborts the drop for a retry.
      if (!(err instanceof InvalidFileError)) {
        await next; // never rejects; let it finish rather than leave it running
        throw err;
      }
      results.push({
        file: f.name,
        kind: f.kind,
        status: 'failed',
        rows: 0,
        rejects: 0,
        batches: 0,
        batchesSkipped: 0,
        seconds: (performance.now() - v.started) / 1000,
        rowsPerSec: 0,
        rejectsPath: rejectsPath(drop, f.name, opts.stateDir),
        error: err,
      });
    }
  }
  const allOk = results.every((r) => r.status === 'ok');
  const ledgerWritten = allOk ? await finalizeDrop(client, drop, results) : false;
  return summarise(drop, results, t0, { skippedAsDuplicate: false, ledgerWritten });
}

export function rejectsPath(drop: DropRef, file: string, stateDir: string = DEFAULTS.stateDir): string {
  return path.join(stateDir, 'rejects', drop.id, `${file}.rejects.txt`);
}

/**
 * Ingest one file of a drop (one BullMQ job per file): validate it whole first (throws
 * InvalidFileError, nothing written, if its reject ratio is too high), then write it in batches,
 * each batch exactly once. Safe to rerun after a crash: committed batches are skipped. A drop id
 * that already loaded other content is refused first (EditedDropError), as in ingestDrop.
 */
export async function ingestFile(client: Neo4jClient, drop: DropRef, fileName: string, options: IngestOptions = {}): Promise<FileResult> {
  const opts = resolve(options);
  const file = dropFile(drop, fileName);
  const t0 = performance.now();
  await ensureSchema(client);
  if (!(await isDropIngested(client, drop.sha256))) await assertDropUnchanged(client, drop);
  const counts = await validatePass(drop, file, opts, t0);
  return writePass(client, drop, file, counts, opts, t0);
}

type Resolved = ReturnType<typeof resolve>;

const rateSince = (t0: number, rows: number): number => rows / Math.max(1e-3, (performance.now() - t0) / 1000);

/** Pass 1: validate the whole file and write its rejects; throws InvalidFileError past the reject ratio. */
function validatePass(drop: DropRef, file: DropFile, opts: Resolved, t0: number): Promise<ValidationCounts> {
  return validateFile(file, {
    ...opts,
    rejectsPath: rejectsPath(drop, file.name, opts.stateDir),
    onProgress: (rows, rejects) => opts.onProgress?.({ file: file.name, phase: 'validate', rows, rejects, rowsPerSec: rateSince(t0, rows) }),
  });
}

/** Pass 2: write a validated file in batches, each exactly once (committed batches are skipped). */
async function writePass(client: Neo4jClient, drop: DropRef, file: DropFile, counts: ValidationCounts, opts: Resolved, t0: number): Promise<FileResult> {
  const rp = rejectsPath(drop, file.name, opts.stateDir);
  const rate = (rows: number): number => rateSince(t0, rows);
  await ensureSchema(client);
  // Keyed by the file's own hash: re-sending an unchanged file (e.g. in a fixed drop) adds nothing.
  const prefix = `${file.sha256}/${file.kind}/`;
  // Claimed before the first batch: this drop id now stands for this content of the file.
  await claimDropFile(client, drop.id, file);
  if (await isFileBulkLoaded(client, bulkBatchId(file.sha256, file.kind))) {
    // Loaded whole by `ringscope bulk-load`: one batch, already committed.
    const seconds = (performance.now() - t0) / 1000;
    const rowsPerSec = counts.rows / Math.max(1e-3, seconds);
    return { file: file.name, kind: file.kind, status: 'ok', rows: counts.rows, rejects: counts.rejects, batches: 1, batchesSkipped: 1, seconds, rowsPerSec, rejectsPath: rp };
  }
  const layout = { batchSize: opts.batchSize, ...(file.kind === 'activity' ? { bufferRows: opts.activityBufferRows } : {}) };
  const earlier = await existingBatchLayout(client, prefix);
  if (earlier !== undefined && (earlier.batchSize !== layout.batchSize || earlier.bufferRows !== layout.bufferRows)) {
    throw new InvalidParameterError(
      'batchSize',
      `${file.name}: resumed with batch size ${layout.batchSize}${layout.bufferRows === undefined ? '' : ` and activity buffer ${layout.bufferRows}`}, ` +
        `earlier batches used ${earlier.batchSize}${earlier.bufferRows === undefined ? '' : ` and ${earlier.bufferRows}`}; use the same settings`,
    );
  }

  const seen = new SeenKeys();
  const inflight = new Set<Promise<void>>();
  /** Batches cut but not yet handed to a writer, in order (built when handed over). */
  const pending: Array<() => Row[]> = [];
  let failure: unknown;
  let batchNo = 0;
  let written = 0;
  let skipped = 0;
  let committedRows = 0;
  const submit = (rows: Row[]): void => {
    const meta = { id: `${prefix}${batchNo++}`, rows: rows.length, ...layout };
    const params = batchParams(file.kind, rows, seen);
    const task = (async () => {
      const s = client.session('WRITE');
      try {
        const did = await s.executeWrite((tx) => writeBatch(tx, meta, params));
        if (did) written++;
        else skipped++;
        committedRows += meta.rows;
        opts.onProgress?.({ file: file.name, phase: 'write', rows: committedRows, rejects: counts.rejects, rowsPerSec: rate(committedRows) });
      } finally {
        await s.close();
      }
    })().catch((err: unknown) => {
      failure ??= err;
    });
    const tracked = task.finally(() => {
      inflight.delete(tracked);
      pump();
    });
    inflight.add(tracked);
  };
  // Batch numbers follow the order batches are cut, whatever order writers finish in.
  const pump = (): void => {
    while (failure === undefined && inflight.size < opts.writers && pending.length > 0) submit(pending.shift()!());
  };
  /** Back-pressure: wait until every cut batch is with a writer (at most `writers` in flight). */
  const drained = async (): Promise<void> => {
    while (failure === undefined && pending.length > 0) await Promise.race(inflight);
  };

  // Activity rows are grouped by account first (ActivityBuffer); the reader goes on filling the next
  // buffer while the previous one is written, so at most two buffers are held.
  const buffer = file.kind === 'activity' ? new ActivityBuffer(opts.activityBufferRows) : undefined;
  let batch: Row[] = [];
  let rows = 0;
  read: for await (const items of validatedBatches(file, opts)) {
    for (const item of items) {
      if (!('row' in item)) continue;
      rows++;
      if (buffer) {
        buffer.add(item.row as ActivityRow);
        if (!buffer.full) continue;
        await drained();
        if (failure !== undefined) break read;
        pending.push(...buffer.drain(opts.batchSize));
        pump();
        continue;
      }
      batch.push(item.row);
      if (batch.length === opts.batchSize) {
        const full = batch;
        pending.push(() => full);
        batch = [];
        pump();
        await drained();
        if (failure !== undefined) break read;
      }
    }
  }
  if (failure === undefined) {
    if (buffer) {
      await drained();
      if (buffer.size > 0) pending.push(...buffer.drain(opts.batchSize));
    } else if (batch.length > 0) {
      const last = batch;
      pending.push(() => last);
    }
    pump();
    await drained();
  }
  await Promise.all(inflight);
  if (failure !== undefined) throw failure;
  if (rows !== counts.rows) {
    throw new InvalidFileError(file.name, `file changed during ingest (${counts.rows} valid rows, then ${rows})`);
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    file: file.name,
    kind: file.kind,
    status: 'ok',
    rows,
    rejects: counts.rejects,
    batches: written + skipped,
    batchesSkipped: skipped,
    seconds,
    rowsPerSec: rows / Math.max(1e-3, seconds),
    rejectsPath: rp,
  };
}

/** Write the drop's ledger entry once every file is in; returns false if it was already there. */
export async function finalizeDrop(client: Neo4jClient, drop: DropRef, results: readonly FileResult[]): Promise<boolean> {
  const failed = results.filter((r) => r.status !== 'ok').map((r) => r.file);
  if (failed.length > 0) throw new RingscopeError(`drop ${drop.id}: cannot finalize, failed files: ${failed.join(', ')}`);
  const missing = drop.files.filter((f) => !results.some((r) => r.file === f.name)).map((f) => f.name);
  if (missing.length > 0) throw new RingscopeError(`drop ${drop.id}: cannot finalize, files not ingested: ${missing.join(', ')}`);
  return recordDrop(client, {
    sha256: drop.sha256,
    id: drop.id,
    rows: results.reduce((s, r) => s + r.rows, 0),
    rejects: results.reduce((s, r) => s + r.rejects, 0),
    files: drop.files.map((f) => f.name),
    fileSha256s: drop.files.map((f) => f.sha256),
  });
}

function summarise(
  drop: DropRef,
  files: FileResult[],
  t0: number,
  flags: { skippedAsDuplicate: boolean; ledgerWritten: boolean },
): IngestSummary {
  const seconds = (performance.now() - t0) / 1000;
  const rows = files.reduce((s, r) => s + r.rows, 0);
  return {
    dropId: drop.id,
    sha256: drop.sha256,
    ...flags,
    files,
    rows,
    rejects: files.reduce((s, r) => s + r.rejects, 0),
    seconds,
    rowsPerSec: rows / Math.max(1e-3, seconds),
    warnings: drop.warnings,
  };
}
