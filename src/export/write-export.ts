import path from 'node:path';
import type { Neo4jClient } from '../db/index.js';
import { InvalidParameterError } from '../util/errors.js';
import { writeFileAtomic, writeFilesAtomic, type AtomicIo } from './atomic-write.js';
import { loadRunExport, type LoadExportOptions } from './export-repository.js';
import { EXPORT_FORMATS, type ExportFormat, type RunExport } from './schema.js';
import { buildStixBundle, type StixOptions } from './stix.js';
import { serialiseTabular } from './tabular-formats.js';

/** `ring.csv` → `ring.clusters.csv`: the companion cluster file sits next to the account file. */
export function companionPath(out: string): string {
  const ext = path.extname(out);
  return ext ? `${out.slice(0, -ext.length)}.clusters${ext}` : `${out}.clusters`;
}

export interface WrittenExport {
  readonly format: ExportFormat;
  /** Paths written, companion first (it is renamed into place before the account file). */
  readonly files: readonly string[];
}

export interface WriteExportOptions extends StixOptions {
  /** File-system calls of the atomic write (tests inject a failing one). @defaultValue node:fs/promises */
  readonly io?: AtomicIo;
}

/**
 * Serialise a loaded export and write it atomically. For csv/ndjson/json both files are written to
 * temp files first, then the companion is renamed into place and the account file last, so a
 * consumer that waits for the account file always finds its companion. Any failure (ENOSPC, EROFS,
 * EACCES, a failed rename) leaves the previous pair as it was and removes the temp files; the
 * error is a StorageError naming `out`.
 */
export async function writeExport(e: RunExport, format: ExportFormat, out: string, options: WriteExportOptions = {}): Promise<WrittenExport> {
  if (!EXPORT_FORMATS.includes(format)) throw new InvalidParameterError('format', `must be one of ${EXPORT_FORMATS.join('|')}`);
  const io = options.io ? { io: options.io } : {};
  if (format === 'stix') {
    await writeFileAtomic(out, JSON.stringify(buildStixBundle(e, options), null, 2) + '\n', io);
    return { format, files: [out] };
  }
  const { accounts, clusters } = serialiseTabular(e, format);
  const companion = companionPath(out);
  await writeFilesAtomic(
    [
      { path: companion, data: clusters },
      { path: out, data: accounts },
    ],
    { target: out, ...io },
  );
  return { format, files: [companion, out] };
}

export interface ExportRunOptions extends LoadExportOptions, WriteExportOptions {
  readonly format: ExportFormat;
  readonly out: string;
}

/** Load a run and write it: `ringscope export` without the webhook. */
export async function exportRun(client: Neo4jClient, options: ExportRunOptions): Promise<WrittenExport & { readonly export: RunExport }> {
  const e = await loadRunExport(client, options);
  const written = await writeExport(e, options.format, options.out, options);
  return { ...written, export: e };
}
