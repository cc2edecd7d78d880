import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { Neo4jClient } from '../../db/index.js';
import { EXPORT_FORMATS, type ExportFormat } from '../../export/index.js';
import { FLOW_DEFAULTS, followFlow, openQueues, ProgressRenderer, startWorkers, submitDrop, type WorkerPool } from '../../jobs/index.js';
import { createLogger } from '../../util/logger.js';
import { withDetectionOptions, type DetectionFlags } from '../detection-options.js';
import { choiceList, httpUrl, positiveInt, safeId } from '../option-parsers.js';

interface RunFlags extends DetectionFlags {
  withWorker?: boolean;
  concurrency: number;
  format: ExportFormat[];
  out?: string;
  webhook?: string;
  dropId?: string;
  follow: boolean;
}

/**
 * `ringscope run <drop>`: enqueue the drop's flow (ingest → detect → export) and follow it with a
 * progress bar per stage on stderr. `--with-worker` runs the workers in this process, so one command
 * does everything on one machine. Exits non-zero when a job fails for good.
 */
export function register(program: Command): void {
  withDetectionOptions(program.command('run'))
    .description('Run the whole pipeline for a drop (ingest → detect → export) as BullMQ jobs and follow it')
    .argument('<drop>', 'drop directory (see docs/data-contract.md)')
    .option('--with-worker', 'run the workers in this process (one command does everything)')
    .option('--concurrency <n>', 'with --with-worker: jobs in flight per queue', positiveInt('--concurrency'), 1)
    .option('--format <list>', `export formats (${EXPORT_FORMATS.join(',')})`, choiceList('--format', EXPORT_FORMATS), [...FLOW_DEFAULTS.formats])
    .option('--out <dir>', 'export folder (default: <state dir>/exports)')
    .option('--webhook <url>', 'also POST the signed cluster list to this URL', httpUrl('--webhook'))
    .option('--drop-id <id>', 'drop id for the ledger (default: folder name)', safeId('--drop-id'))
    .option('--no-follow', 'enqueue and return at once')
    .action(async (dropDir: string, o: RunFlags) => {
      const config = loadConfig();
      // Worker logs would interleave with the bars: quieter unless LOG_LEVEL asks otherwise.
      const log = createLogger(config.logLevelGiven ? config.logLevel : 'warn');
      const release = o.releaseDate ?? config.releaseDate;
      const client = await Neo4jClient.connect(config);
      let pool: WorkerPool | undefined;
      const q = await openQueues(config);
      try {
        if (o.withWorker) pool = await startWorkers(config, log, { concurrency: o.concurrency });
        const r = await submitDrop(q, client, dropDir, config.stateDir, {
          seed: o.seed,
          resolution: o.resolution,
          releaseDate: release === undefined ? null : new Date(release).toISOString(),
          keepRuns: o.keepRuns,
          full: o.full === true,
          fullEvery: o.fullEvery,
          formats: o.format,
          ...(o.out ? { outDir: o.out } : {}),
          ...(o.webhook ? { webhookUrl: o.webhook } : {}),
          ...(o.dropId ? { dropId: o.dropId } : {}),
        });
        for (const w of r.ref.warnings) process.stderr.write(`warning: ${w}\n`);
        process.stderr.write(`drop ${r.drop} (sha256 ${r.ref.sha256.slice(0, 12)}…): ${r.status}, run ${r.runId}\n`);
        if (r.status === 'already-done') {
          process.stdout.write(`${JSON.stringify({ drop: r.drop, runId: r.runId, status: r.status })}\n`);
          return;
        }
        if (!o.follow) {
          process.stdout.write(`${JSON.stringify({ drop: r.drop, runId: r.runId, status: r.status, job: r.exportJobId })}\n`);
          return;
        }
        if (!pool) process.stderr.write('following the flow; start `ringscope worker` somewhere if nothing moves\n');
        const bars = new ProgressRenderer(process.stderr);
        const result = await followFlow(q, r, { onUpdate: (s) => bars.update(s) });
        process.stdout.write(`${JSON.stringify({ drop: r.drop, runId: r.runId, status: 'completed', export: result })}\n`);
      } finally {
        await pool?.close();
        await q.close();
        await client.close();
      }
    });
}
