import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_IMPORT_DEFAULTS, importArguments, runAdminImport } from '../db/neo4j-admin-import.js';
import { InvalidFileError } from '../util/errors.js';
import { BulkGraph } from './bulk-graph.js';
import { writeImportFiles, type ImportInput } from './bulk-files.js';
import { openDrop, type DropRef } from './drop.js';
import { rejectsPath, DEFAULTS as INGEST_DEFAULTS } from './ingest.js';
import type { ReadOptions } from './record-reader.js';
import { validateFile } from './validated-rows.js';
import { stripUndefined } from '../util/defined.js';

/**
 * Bulk load: a drop into a new database with Neo4j's offline importer, for a first load (a
 * backfill of history) too large for transactional ingest. Nightly drops then go through
 * `ingestDrop` as usual; the store is the same (docs/neo4j-model.md), ledger included, so
 * re-ingesting the bulk-loaded drop is a no-op.
 *
 * All or nothing: every file is validated (same rules, rejects files and reject ratio as ingest)
 * and merged in memory in one pass; if any file fails, nothing is imported and the database is
 * untouched. The DBMS must be stopped, and the database empty unless `overwrite` is set.
 */
export interface BulkLoadOptions extends ReadOptions {
  /** Home of the stopped DBMS to load into (see AdminImportOptions.neo4jHome). Not needed with `filesOnly`. */
  readonly neo4jHome?: string;
  /** @defaultValue 'neo4j' */
  readonly database?: string;
  /** Replace an existing database (its data is lost). @defaultValue false */
  readonly overwrite?: boolean;
  /** Where the importer's CSV files go. @defaultValue `<stateDir>/bulk/<drop id>` */
  readonly workDir?: string;
  /** Write the importer's files and return the command, without running it (Docker users). @defaultValue false */
  readonly filesOnly?: boolean;
  /** Keep the importer's CSV files after a successful import. @defaultValue false */
  readonly keepFiles?: boolean;
  /** As for ingest. @defaultValue 0.01 */
  readonly maxRejectRatio?: number;
  /** As for ingest (rejects go to `<stateDir>/rejects/<drop id>/`). @defaultValue '.ringscope/dev' */
  readonly stateDir?: string;
  /** @defaultValue the drop folder's name */
  readonly dropId?: string;
  /** Passed to the importer. */
  readonly neo4jLib?: string;
  /** Importer JVM heap. @defaultValue '2g' */
  readonly importHeap?: string;
  readonly onProgress?: (p: BulkLoadProgress) => void;
}

export interface BulkLoadProgress {
  readonly phase: 'read' | 'files' | 'import';
  readonly file?: string;
  readonly rows?: number;
  readonly message?: string;
}

export interface BulkLoadSummary {
  readonly dropId: string;
  readonly sha256: string;
  readonly rows: number;
  readonly rejects: number;
  /** Nodes and relationships handed to the importer, by label / type. */
  readonly written: Readonly<Record<string, number>>;
  readonly readSeconds: number;
  readonly filesSeconds: number;
  readonly importSeconds: number;
  readonly seconds: number;
  /** The importer command's arguments (after `neo4j-admin`), for `filesOnly`. */
  readonly importArgs: readonly string[];
  readonly workDir: string;
  readonly warnings: readonly string[];
}

export const DEFAULTS = {
  database: ADMIN_IMPORT_DEFAULTS.database,
  overwrite: false,
  filesOnly: false,
  keepFiles: false,
  maxRejectRatio: INGEST_DEFAULTS.maxRejectRatio,
  stateDir: INGEST_DEFAULTS.stateDir,
} as const;

export async function bulkLoad(dropDir: string, options: BulkLoadOptions = {}): Promise<BulkLoadSummary> {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  if (!o.filesOnly && o.neo4jHome === undefined) throw new RangeError('bulkLoad needs neo4jHome (or filesOnly)');
  const t0 = performance.now();
  const drop: DropRef = await openDrop(dropDir, { dropId: o.dropId });
  const workDir = path.resolve(o.workDir ?? path.join(o.stateDir, 'bulk', drop.id));

  // One pass per file: validate (rejects file, reject ratio) and merge into the graph.
  const g = new BulkGraph();
  const fileRows = new Map<string, number>();
  let rejects = 0;
  let firstFailure: InvalidFileError | undefined;
  for (const f of drop.files) {
    try {
      const counts = await validateFile(f, {
        ...o,
        rejectsPath: rejectsPath(drop, f.name, o.stateDir),
        onRow: (row) => g.add(row),
        onProgress: (rows) => o.onProgress?.({ phase: 'read', file: f.name, rows }),
      });
      fileRows.set(f.name, counts.rows);
      rejects += counts.rejects;
    } catch (err) {
      // Go on validating, so that every file's rejects are reported in one run; import nothing.
      if (!(err instanceof InvalidFileError)) throw err;
      firstFailure ??= err;
    }
  }
  if (firstFailure) throw firstFailure;
  const rows = [...fileRows.values()].reduce((s, n) => s + n, 0);
  const t1 = performance.now();

  o.onProgress?.({ phase: 'files', message: `writing importer files to ${workDir}` });
  fs.rmSync(workDir, { recursive: true, force: true });
  const inputs: ImportInput[] = writeImportFiles(g, { drop, rows, rejects, fileRows, ingestedAt: Date.now() }, workDir);
  const t2 = performance.now();
  const reportFile = path.join(workDir, 'import.report');
  const importArgs = importArguments(inputs, { database: o.database, overwrite: o.overwrite, reportFile });
  if (!o.filesOnly) {
    await runAdminImport(inputs, {
      neo4jHome: o.neo4jHome!,
      database: o.database,
      overwrite: o.overwrite,
      reportFile,
      ...(o.neo4jLib ? { neo4jLib: o.neo4jLib } : {}),
      ...(o.importHeap ? { heap: o.importHeap } : {}),
      onOutput: (line) => o.onProgress?.({ phase: 'import', message: line }),
    });
    if (!o.keepFiles) for (const i of inputs) fs.rmSync(i.file, { force: true });
  }
  const t3 = performance.now();
  const written: Record<string, number> = {};
  for (const i of inputs) written[i.name] = i.rows;
  return {
    dropId: drop.id,
    sha256: drop.sha256,
    rows,
    rejects,
    written,
    readSeconds: (t1 - t0) / 1000,
    filesSeconds: (t2 - t1) / 1000,
    importSeconds: (t3 - t2) / 1000,
    seconds: (t3 - t0) / 1000,
    importArgs,
    workDir,
    warnings: drop.warnings,
  };
}
