import fs from 'node:fs';
import path from 'node:path';
import { InvalidFileError } from '../util/errors.js';
import { readRecordBatches, type FileSource, type ReadOptions } from './record-reader.js';
import { validateRow, type Row } from './row-schemas.js';

/** A row that failed validation, located for the exporter who must fix it. */
export interface Reject {
  readonly file: string;
  readonly line: number;
  readonly field: string;
  readonly reason: string;
}

export type ValidatedItem = { readonly line: number; readonly row: Row } | { readonly reject: Reject };

/** Stream a file's valid rows and its rejects, in file order, in constant memory, a batch at a time. */
export async function* validatedBatches(file: FileSource, opts: ReadOptions = {}): AsyncGenerator<ValidatedItem[]> {
  for await (const recs of readRecordBatches(file, opts)) {
    const out: ValidatedItem[] = new Array(recs.length);
    for (let i = 0; i < recs.length; i++) {
      const rec = recs[i]!;
      if ('values' in rec) {
        const r = validateRow(file.kind, rec.values);
        out[i] = r.ok ? { line: rec.line, row: r.row } : { reject: { file: file.name, line: rec.line, field: r.field, reason: r.reason } };
      } else {
        out[i] = { reject: { file: file.name, line: rec.line, field: rec.field, reason: rec.reason } };
      }
    }
    yield out;
  }
}

/** One item at a time (convenience over validatedBatches). */
export async function* validatedRows(file: FileSource, opts: ReadOptions = {}): AsyncGenerator<ValidatedItem> {
  for await (const batch of validatedBatches(file, opts)) yield* batch;
}

/** `file:line:field: reason`, one line; the reason never carries the rejected value. */
export function formatReject(r: Reject): string {
  return `${r.file}:${r.line}:${r.field}: ${r.reason.replace(/[\r\n]+/g, ' ')}`;
}

/** Counts from a validation pass. */
export interface ValidationCounts {
  readonly rows: number;
  readonly rejects: number;
  /** The first few rejects, for summaries and errors. */
  readonly sample: readonly Reject[];
}

/**
 * First pass: validate the whole file, append rejects to `rejectsPath` (when given), and throw
 * InvalidFileError when the reject ratio exceeds `maxRejectRatio`. Nothing is written to the database.
 */
export async function validateFile(
  file: FileSource,
  opts: ReadOptions & {
    readonly maxRejectRatio: number;
    readonly rejectsPath?: string;
    readonly onProgress?: (rows: number, rejects: number) => void;
    /** Sees every valid row, in file order (bulk load aggregates in the same pass). */
    readonly onRow?: (row: Row) => void;
  },
): Promise<ValidationCounts> {
  let rows = 0;
  let rejects = 0;
  const sample: Reject[] = [];
  let out: fs.WriteStream | undefined;
  if (opts.rejectsPath) {
    fs.mkdirSync(path.dirname(opts.rejectsPath), { recursive: true });
    out = fs.createWriteStream(opts.rejectsPath, { flags: 'w' });
  }
  try {
    let reported = 0;
    for await (const batch of validatedBatches(file, opts)) {
      for (const item of batch) {
        if ('row' in item) {
          rows++;
          opts.onRow?.(item.row);
        } else {
          rejects++;
          if (sample.length < 5) sample.push(item.reject);
          if (out && !out.write(formatReject(item.reject) + '\n')) await new Promise<void>((r) => out!.once('drain', () => r()));
        }
      }
      if (opts.onProgress && rows + rejects - reported >= 50_000) {
        reported = rows + rejects;
        opts.onProgress(rows, rejects);
      }
    }
  } finally {
    if (out) await new Promise<void>((resolve) => out!.end(resolve));
  }
  const total = rows + rejects;
  if (total > 0 && rejects / total > opts.maxRejectRatio) {
    const first = sample[0]!;
    throw new InvalidFileError(
      file.name,
      `${rejects} of ${total} rows rejected (${((100 * rejects) / total).toFixed(2)}% > ${(100 * opts.maxRejectRatio).toFixed(2)}% allowed); first: line ${first.line} field ${first.field}: ${first.reason}` +
        (opts.rejectsPath ? `; all rejects in ${opts.rejectsPath}` : ''),
      first.line,
      first.field,
    );
  }
  return { rows, rejects, sample };
}
