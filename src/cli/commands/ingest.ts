import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { Neo4jClient } from '../../db/index.js';
import { INGEST_DEFAULTS, ingestDrop, type IngestProgress, type IngestSummary } from '../../loaders/index.js';
import { positiveInt, safeId } from '../option-parsers.js';
import { ProgressLog } from '../../util/progress-log.js';

/** `ringscope ingest <drop>`: progress on stderr, summary table on stdout, exit 1 if a file failed. */
export function register(program: Command): void {
  program
    .command('ingest')
    .description('Validate a drop and load it into Neo4j (exactly once; re-ingesting the same drop is a no-op)')
    .argument('<drop>', 'drop directory (see docs/data-contract.md)')
    .option(
      '--drop-id <id>',
      'drop id for the ledger and rejects folder (default: folder name); a new id loads edited content of an ingested drop as a new drop',
      safeId('--drop-id'),
    )
    .option('--batch-size <n>', 'valid rows per transaction', positiveInt('--batch-size'), INGEST_DEFAULTS.batchSize)
    .option('--writers <n>', 'concurrent write transactions per file', positiveInt('--writers'), INGEST_DEFAULTS.writers)
    .action(async (dropDir: string, o: { dropId?: string; batchSize: number; writers: number }) => {
      const config = loadConfig();
      const client = await Neo4jClient.connect(config);
      const log = new ProgressLog(process.stderr);
      const progress = (p: IngestProgress): void =>
        log.update(
          `${p.file} ${p.phase}`,
          `${p.file} ${p.phase}: ${p.rows.toLocaleString('en')} rows, ${p.rejects} rejects, ${Math.round(p.rowsPerSec).toLocaleString('en')} rows/s`,
        );
      try {
        const summary = await ingestDrop(client, dropDir, {
          dropId: o.dropId,
          batchSize: o.batchSize,
          writers: o.writers,
          maxRejectRatio: config.maxRejectRatio,
          stateDir: config.stateDir,
          onProgress: progress,
        });
        log.end();
        for (const w of summary.warnings) process.stderr.write(`warning: ${w}\n`);
        process.stdout.write(formatSummary(summary));
        if (summary.files.some((f) => f.status === 'failed')) process.exitCode = 1;
      } finally {
        await client.close();
      }
    });
}

/** Plain-text summary table (one line per file, then the total). */
export function formatSummary(s: IngestSummary): string {
  if (s.skippedAsDuplicate) return `drop ${s.dropId} (sha256 ${s.sha256.slice(0, 12)}…) is already ingested: nothing to do\n`;
  const rows = [
    ['file', 'status', 'rows', 'rejects', 'batches', 'skipped', 'seconds', 'rows/s'],
    ...s.files.map((f) => [
      f.file,
      f.status,
      String(f.rows),
      String(f.rejects),
      String(f.batches),
      String(f.batchesSkipped),
      f.seconds.toFixed(1),
      String(Math.round(f.rowsPerSec)),
    ]),
    [
      'total',
      s.ledgerWritten ? 'ledger written' : 'ledger NOT written',
      String(s.rows),
      String(s.rejects),
      '',
      '',
      s.seconds.toFixed(1),
      String(Math.round(s.rowsPerSec)),
    ],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => (i === 0 || i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  const errors = s.files.filter((f) => f.error).map((f) => `error: ${f.error!.name}: ${f.error!.message}`);
  const rejects = s.files.filter((f) => f.rejects > 0 || f.status === 'failed').map((f) => `rejects: ${f.rejectsPath}`);
  return [`drop ${s.dropId} (sha256 ${s.sha256.slice(0, 12)}…)`, ...lines, ...errors, ...rejects, ''].join('\n');
}
