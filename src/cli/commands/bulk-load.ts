import type { Command } from 'commander';
import { loadSettings } from '../../config/index.js';
import { bulkLoad, BULK_LOAD_DEFAULTS } from '../../loaders/index.js';
import { InvalidParameterError } from '../../util/errors.js';
import { ratio, safeId } from '../option-parsers.js';
import { ProgressLog } from '../../util/progress-log.js';

/**
 * `ringscope bulk-load <drop> --neo4j-home <dir>`: first load of a large drop with Neo4j's offline
 * importer (the DBMS must be stopped). `--files-only <dir>` writes the importer's files and prints
 * the command, for a Neo4j that runs elsewhere (e.g. the Docker image's `neo4j-admin`).
 */
export function register(program: Command): void {
  program
    .command('bulk-load')
    .description('First load of a large drop into a new, stopped Neo4j database with the offline importer (all files or nothing)')
    .argument('<drop>', 'drop directory (see docs/data-contract.md)')
    .option('--neo4j-home <dir>', 'home of the stopped Neo4j DBMS to load into')
    .option('--database <name>', 'database name', BULK_LOAD_DEFAULTS.database)
    .option('--overwrite', 'replace an existing database of that name (its data is lost)', false)
    .option('--files-only <dir>', 'only write the importer files into <dir> and print the neo4j-admin command')
    .option('--keep-files', 'keep the importer files after the import', false)
    .option('--drop-id <id>', 'drop id for the ledger and rejects folder (default: folder name)', safeId('--drop-id'))
    .option('--max-reject-ratio <r>', 'a file with more rejects fails the whole load', ratio('--max-reject-ratio'), BULK_LOAD_DEFAULTS.maxRejectRatio)
    .action(
      async (
        dropDir: string,
        o: { neo4jHome?: string; database: string; overwrite: boolean; filesOnly?: string; keepFiles: boolean; dropId?: string; maxRejectRatio: number },
      ) => {
        if (!o.filesOnly && !o.neo4jHome) throw new InvalidParameterError('--neo4j-home', 'is required (or --files-only <dir>)');
        const log = new ProgressLog(process.stderr);
        const s = await bulkLoad(dropDir, {
          neo4jHome: o.neo4jHome,
          database: o.database,
          overwrite: o.overwrite,
          filesOnly: o.filesOnly !== undefined,
          workDir: o.filesOnly,
          keepFiles: o.keepFiles,
          dropId: o.dropId,
          maxRejectRatio: o.maxRejectRatio,
          stateDir: loadSettings().stateDir,
          onProgress: (p) => {
            if (p.phase === 'read') log.update(`${p.file} read`, `${p.file} read: ${(p.rows ?? 0).toLocaleString('en')} rows`);
            else if (p.message && (p.phase === 'files' || /IMPORT DONE|Imported|nodes$|relationships$|properties$/.test(p.message))) log.line(p.message);
          },
        });
        log.end();
        for (const w of s.warnings) process.stderr.write(`warning: ${w}\n`);
        const lines = [
          `drop ${s.dropId}: ${s.rows.toLocaleString('en')} rows, ${s.rejects} rejects`,
          ...Object.entries(s.written).map(([k, n]) => `  ${k}: ${n.toLocaleString('en')}`),
          `read+merge ${s.readSeconds.toFixed(1)} s, files ${s.filesSeconds.toFixed(1)} s, import ${s.importSeconds.toFixed(1)} s`,
        ];
        if (o.filesOnly) lines.push(`files in ${s.workDir}; run: neo4j-admin ${s.importArgs.join(' ')}`);
        else lines.push('done: start Neo4j; constraints are created by the first ingest or detect (or `ringscope ingest` of a later drop)');
        process.stdout.write(lines.join('\n') + '\n');
      },
    );
}
