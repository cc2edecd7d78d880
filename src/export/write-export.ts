import path from 'node:path';
import type { Neo4jClient } from '../db/index.js';
import { InvalidParameterError } from '../util/errors.js';
import { writeFileAtomic } from './atomic-write.js';
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

/**
 * Serialise a loaded export and write it atomically. For csv/ndjson/json the cluster companion
 * is written first, so a consumer that waits for the account file always finds its companion.
 */
export async function writeExport(e: RunExport, format: ExportFormat, out: string, stix: StixOptions = {}): Promise<WrittenExport> {
  if (!EXPORT_FORMATS.includes(format)) throw new InvalidParameterError('format', `must be one of ${EXPORT_FORMATS.join('|')}`);
  if (format === 'stix') {
    await writeFileAtomic(out, JSON.stringify(buildStixBundle(e, stix), null, 2) + '\n');
    return { format, files: [out] };
  }
  const { accounts, clusters } = serialiseTabular(e, format);
  const companion = companionPath(out);
  await writeFileAtomic(companion, clusters);
  await writeFileAtomic(out, accounts);
  return { format, files: [companion, out] };
}

export interface ExportRunOptions extends LoadExportOptions, StixOptions {
  readonly format: ExportFormat;
  readonly out: string;
}

/** Load a run and write it: `ringscope export` without the webhook. */
export async function exportRun(client: Neo4jClient, options: ExportRunOptions): Promise<WrittenExport & { readonly export: RunExport }> {
  const e = await loadRunExport(client, options);
  const written = await writeExport(e, options.format, options.out, options);
  return { ...written, export: e };
}
