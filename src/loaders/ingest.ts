import path from 'node:path';
import {
  claimDropFile,
  existingBatchLayout,
  hasIngestProcedure,
  INGEST_PROCEDURE,
  isCreateConflict,
  isDropIngested,
  isFileBulkLoaded,
  recordDrop,
  writeBatch,
  type BatchLayout,
} from '../db/ingest-repository.js';
import type { Neo4jClient } from '../db/neo4j-client.js';
import { ensureSchema } from '../db/schema.js';
import { InvalidFileError, InvalidParameterError, RingscopeError } from '../util/errors.js';
import { batchParams } from './batch-params.js';
import { bulkBatchId } from './bulk-files.js';
import { AccountBuffer } from './account-buffer.js';
import { ActivityBuffer } from './activity-buffer.js';
import { SeenKeys } from './seen-keys.js';
import { dropFile, openDrop, type DropFile, type DropRef } from './drop.js';
import { assertDropUnchanged } from './drop-changes.js';
import type { FileKind } from './file-kinds.js';
import type { ReadOptions } from './record-reader.js';
import type { Row } from './row-schemas.js';
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
  /**
   * Rows of payment methods, IPs and prompt fingerprints grouped by account before they are written
   * (see AccountBuffer; ~250 bytes a row). A file that fits is read once. Resuming a file must use
   * the value of its earlier batches (checked). @defaultValue 2_000_000
   */
  readonly groupBufferRows?: number;
  /** A file whose reject ratio exceeds this fails whole, with nothing committed. @defaultValue 0.01 */
  readonly maxRejectRatio?: number;
  /** Rejects go to `<stateDir>/rejects/<drop id>/<file>.rejects.txt`. @defaultValue '.ringscope/dev' */
  readonly stateDir?: string;
  /** Drop id for the ledger and the rejects folder. @defaultValue the drop folder's name */
  readonly dropId?: string;
  /**
   * How batches reach Neo4j. `procedure`: ringscope's `ringscope.ingest` procedure, which the local
   * services load (neo4j-launcher/procedures/); `cypher`: UNWIND statements, for a server without
   * it; `auto`: the procedure where the server has it. Both write the same graph (tested).
   * @defaultValue 'auto'
   */
  readonly writePath?: WritePath;
  readonly onProgress?: (p: IngestProgress) => void;
}

export type WritePath = 'auto' | 'procedure' | 'cypher';

/** The warning ingestDrop reports when `auto` finds no procedure on the server. */
export const CYPHER_FALLBACK_WARNING = `Neo4j has no ${INGEST_PROCEDURE} procedure: ingest uses its slower Cypher write path (docs/neo4j-model.md, "How ingest writes")`;

export const DEFAULTS: Readonly<
  Required<Pick<IngestOptions, 'batchSize' | 'writers' | 'activityBufferRows' | 'groupBufferRows' | 'maxRejectRatio' | 'stateDir' | 'writePath'>>
> = {
  writePath: 'auto',
  batchSize: 10_000,
  writers: 2,
  activityBufferRows: 8_000_000,
  groupBufferRows: 2_000_000,
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
  if (!Number.isInteger(o.groupBufferRows) || o.groupBufferRows < 1) throw new RangeError('groupBufferRows must be a positive integer');
  if (!['auto', 'procedure', 'cypher'].includes(o.writePath)) throw new RangeError("writePath must be 'auto', 'procedure' or 'cypher'");
  return o;
}

/** Whether batches go through the procedure; `procedure` on a server without it is refused before anything is written. */
async function useProcedure(client: Neo4jClient, writePath: WritePath): Promise<boolean> {
  if (writePath === 'cypher') return false;
  const has = await hasIngestProcedure(client);
  if (!has && writePath === 'procedure') {
    throw new InvalidParameterError('writePath', `Neo4j has no ${INGEST_PROCEDURE} procedure (start the local services, or mount neo4j-launcher/plugins: docs/neo4j-model.md)`);
  }
  return has;
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
  const procedure = await useProcedure(client, opts.writePath);
  const warnings = procedure || opts.writePath === 'cypher' ? [] : [CYPHER_FALLBACK_WARNING];
  const results: FileResult[] = [];
  // Validating a file is client CPU; writing one is mostly Neo4j's. So the next file's validation
  // pass runs while the current file is written, and only the first file's validation is waited for.
  type Pass1 = { readonly started: number; readonly validated?: Validated; readonly error?: unknown };
  const validate = (i: number): Promise<Pass1> => {
    const started = performance.now();
    return validatePass(drop, drop.files[i]!, opts, started).then(
      (validated) => ({ started, validated }),
      (error: unknown) => ({ started, error }),
    );
  };
  let next: Promise<Pass1> | undefined = drop.files.length > 0 ? validate(0) : undefined;
  for (let i = 0; i < drop.files.length; i++) {
    const f = drop.files[i]!;
    const v = await next!;
    next = i + 1 < drop.files.length ? validate(i + 1) : undefined;
    try {
      if (v.error !== undefined) throw v.error;
      results.push(await writePass(client, drop, f, v.validated!, opts, v.started, procedure));
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
  return summarise(drop, results, t0, { skippedAsDuplicate: false, ledgerWritten }, warnings);
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
  const procedure = await useProcedure(client, opts.writePath);
  return writePass(client, drop, file, await validatePass(drop, file, opts, t0), opts, t0, procedure);
}

type Resolved = ReturnType<typeof resolve>;

const rateSince = (t0: number, rows: number): number => rows / Math.max(1e-3, (performance.now() - t0) / 1000);

type GroupBuffer = AccountBuffer<Row, unknown>;

/** Rows of every kind but accounts are grouped by account before they are written (see AccountBuffer). */
function groupBuffer(kind: FileKind, opts: Resolved): GroupBuffer | undefined {
  if (kind === 'accounts') return undefined;
  return (kind === 'activity' ? new ActivityBuffer(opts.activityBufferRows) : new AccountBuffer<Row>(opts.groupBufferRows)) as GroupBuffer;
}

/**
 * Pass 1: validate the whole file and write its rejects; throws InvalidFileError past the reject
 * ratio. Valid rows also fill the file's group buffer while they fit: a file that fits whole is then
 * written from memory, without reading it a second time.
 */
async function validatePass(drop: DropRef, file: DropFile, opts: Resolved, t0: number): Promise<Validated> {
  let buffer = groupBuffer(file.kind, opts);
  const counts = await validateFile(file, {
    ...opts,
    rejectsPath: rejectsPath(drop, file.name, opts.stateDir),
    onProgress: (rows, rejects) => opts.onProgress?.({ file: file.name, phase: 'validate', rows, rejects, rowsPerSec: rateSince(t0, rows) }),
    onRow: (row) => {
      if (buffer === undefined) return;
      if (buffer.size < buffer.capacity) buffer.add(row);
      else buffer = undefined; // larger than the buffer: the write pass reads the file again
    },
  });
  return { counts, buffered: buffer };
}

interface Validated {
  readonly counts: ValidationCounts;
  /** The whole file, grouped by account, when it fitted the buffer. */
  readonly buffered?: GroupBuffer;
}

/** Pass 2: write a validated file in batches, each exactly once (committed batches are skipped). */
async function writePass(client: Neo4jClient, drop: DropRef, file: DropFile, v: Validated, opts: Resolved, t0: number, procedure: boolean): Promise<FileResult> {
  const { counts } = v;
  const base = { file: file.name, kind: file.kind, status: 'ok', rejects: counts.rejects, rejectsPath: rejectsPath(drop, file.name, opts.stateDir) } as const;
  const finished = (rows: number, batches: number, batchesSkipped: number): FileResult => {
    const seconds = (performance.now() - t0) / 1000;
    return { ...base, rows, batches, batchesSkipped, seconds, rowsPerSec: rows / Math.max(1e-3, seconds) };
  };
  await ensureSchema(client);
  // Keyed by the file's own hash: re-sending an unchanged file (e.g. in a fixed drop) adds nothing.
  const prefix = `${file.sha256}/${file.kind}/`;
  // Claimed before the first batch: this drop id now stands for this content of the file.
  await claimDropFile(client, drop.id, file);
  // Loaded whole by `ringscope bulk-load`: one batch, already committed.
  if (await isFileBulkLoaded(client, bulkBatchId(file.sha256, file.kind))) return finished(counts.rows, 1, 1);
  const layout = batchLayout(file.kind, opts);
  await checkResumedLayout(client, file, prefix, layout);
  const writer = new BatchWriter(client, file, prefix, layout, opts, procedure, (rows) =>
    opts.onProgress?.({ file: file.name, phase: 'write', rows, rejects: counts.rejects, rowsPerSec: rateSince(t0, rows) }),
  );
  let rows: number;
  if (v.buffered) {
    rows = v.buffered.size;
    writer.cut(v.buffered.drain(opts.batchSize));
  } else {
    rows = await feedFromFile(file, opts, writer);
  }
  await writer.finish(); // a failed write is the error to report, not the short count it caused
  if (rows !== counts.rows) throw new InvalidFileError(file.name, `file changed during ingest (${counts.rows} valid rows, then ${rows})`);
  return finished(rows, writer.written + writer.skipped, writer.skipped);
}

function batchLayout(kind: FileKind, opts: Resolved): BatchLayout {
  if (kind === 'accounts') return { batchSize: opts.batchSize };
  return { batchSize: opts.batchSize, bufferRows: kind === 'activity' ? opts.activityBufferRows : opts.groupBufferRows };
}

/** A resumed file must be cut into the same batches as its earlier, partly committed run. */
async function checkResumedLayout(client: Neo4jClient, file: DropFile, prefix: string, layout: BatchLayout): Promise<void> {
  const earlier = await existingBatchLayout(client, prefix);
  if (earlier === undefined || (earlier.batchSize === layout.batchSize && earlier.bufferRows === layout.bufferRows)) return;
  const describe = (l: BatchLayout): string => `batch size ${l.batchSize}${l.bufferRows === undefined ? '' : ` and group buffer ${l.bufferRows}`}`;
  throw new InvalidParameterError(
    'batchSize',
    `${file.name}: resumed with ${describe(layout)}, earlier batches used ${describe(earlier)}; use the same settings`,
  );
}

/**
 * Read the file again (it did not fit the buffer) and cut its batches: grouped by account through
 * the buffer, drained whenever it is full, so at most two buffers are held (one being written).
 * Returns the valid rows read.
 */
async function feedFromFile(file: DropFile, opts: Resolved, writer: BatchWriter): Promise<number> {
  const buffer = groupBuffer(file.kind, opts);
  let batch: Row[] = [];
  let rows = 0;
  for await (const items of validatedBatches(file, opts)) {
    for (const item of items) {
      if (!('row' in item)) continue;
      rows++;
      if (buffer) {
        buffer.add(item.row);
        if (!buffer.full) continue;
        if (!(await writer.drained())) return rows;
        writer.cut(buffer.drain(opts.batchSize));
        continue;
      }
      batch.push(item.row);
      if (batch.length === opts.batchSize) {
        const full = batch;
        writer.cut([() => full]);
        batch = [];
        if (!(await writer.drained())) return rows;
      }
    }
  }
  if (buffer) {
    if (!(await writer.drained())) return rows;
    if (buffer.size > 0) writer.cut(buffer.drain(opts.batchSize));
  } else if (batch.length > 0) {
    const last = batch;
    writer.cut([() => last]);
  }
  return rows;
}

/**
 * Hands cut batches to at most `writers` concurrent write transactions, each batch with its
 * IngestBatch marker (writeBatch), numbered in the order they were cut whatever order writers finish in.
 */
class BatchWriter {
  private readonly seen = new SeenKeys();
  private readonly inflight = new Set<Promise<void>>();
  /** Batches cut but not yet handed to a writer, in order (built when handed over). */
  private readonly pending: Array<() => Row[]> = [];
  private failure: unknown;
  private batchNo = 0;
  private committedRows = 0;
  written = 0;
  skipped = 0;

  constructor(
    private readonly client: Neo4jClient,
    private readonly file: DropFile,
    private readonly prefix: string,
    private readonly layout: BatchLayout,
    private readonly opts: Resolved,
    private readonly procedure: boolean,
    private readonly onCommitted: (rows: number) => void,
  ) {}

  /** Queue batches (in order) and start writers for them. */
  cut(batches: ReadonlyArray<() => Row[]>): void {
    this.pending.push(...batches);
    this.pump();
  }

  /** Back-pressure: wait until every cut batch is with a writer; false once a write failed. */
  async drained(): Promise<boolean> {
    while (this.failure === undefined && this.pending.length > 0) await Promise.race(this.inflight);
    return this.failure === undefined;
  }

  /** Wait for every batch; throws the first failure. */
  async finish(): Promise<void> {
    await this.drained();
    await Promise.all(this.inflight);
    if (this.failure !== undefined) throw this.failure;
  }

  private pump(): void {
    while (this.failure === undefined && this.inflight.size < this.opts.writers && this.pending.length > 0) this.submit(this.pending.shift()!());
  }

  private submit(rows: Row[]): void {
    const meta = { id: `${this.prefix}${this.batchNo++}`, rows: rows.length, ...this.layout };
    const params = batchParams(this.file.kind, rows, this.seen);
    const task = (async () => {
      const s = this.client.session('WRITE');
      try {
        // Nodes the batch found missing are CREATEd; if another writer created one meanwhile, the
        // transaction rolled back whole and the batch is written again with MERGE only. (The
        // procedure merges under the index-entry lock, so it has no such conflict.)
        const did = await s
          .executeWrite((tx) => writeBatch(tx, meta, params, { procedure: this.procedure }))
          .catch((err: unknown) => {
            if (!isCreateConflict(err)) throw err;
            return s.executeWrite((tx) => writeBatch(tx, meta, params, { createNew: false }));
          });
        if (did) this.written++;
        else this.skipped++;
        this.committedRows += meta.rows;
        this.onCommitted(this.committedRows);
      } finally {
        await s.close();
      }
    })().catch((err: unknown) => {
      this.failure ??= err;
    });
    const tracked = task.finally(() => {
      this.inflight.delete(tracked);
      this.pump();
    });
    this.inflight.add(tracked);
  }
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
  warnings: readonly string[] = [],
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
    warnings: [...drop.warnings, ...warnings],
  };
}
