import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { Neo4jClient } from '../../db/index.js';
import { DETECT_AND_WRITE_DEFAULTS, detectAndWrite } from '../../db/linkage-pipeline.js';
import { InvalidParameterError } from '../../util/errors.js';
import { ProgressLog } from '../../util/progress-log.js';

/** `ringscope detect`: projection, communities, scoring and write-back in this process; progress on stderr. */
export function register(program: Command): void {
  program
    .command('detect')
    .description('Find, score and explain account rings in the loaded graph and write them back to Neo4j as a new linkage run')
    .option('--seed <n>', 'seed for MinHash and Louvain (same data + seed = same clusters)', String(DETECT_AND_WRITE_DEFAULTS.seed))
    .option('--resolution <x>', 'Louvain resolution (higher: smaller clusters)', String(DETECT_AND_WRITE_DEFAULTS.resolution))
    .option('--release-date <iso>', 'model-release date/time (ISO 8601) for the traffic-shift feature')
    .option('--run-id <id>', 'run id (default: run-<UTC timestamp>)')
    .option('--keep-runs <n>', 'keep only the newest N runs (0: keep all)', String(DETECT_AND_WRITE_DEFAULTS.keepRuns))
    .option('--json', 'print the summary as JSON')
    .action(async (o: { seed: string; resolution: string; releaseDate?: string; runId?: string; keepRuns: string; json?: boolean }) => {
      const seed = Number(o.seed);
      if (!Number.isSafeInteger(seed) || seed < 0) throw new InvalidParameterError('--seed', 'must be a non-negative integer');
      const resolution = Number(o.resolution);
      if (!(resolution > 0) || !Number.isFinite(resolution)) throw new InvalidParameterError('--resolution', 'must be a positive number');
      let releaseDate: number | undefined;
      if (o.releaseDate !== undefined) {
        releaseDate = Date.parse(o.releaseDate);
        if (Number.isNaN(releaseDate)) throw new InvalidParameterError('--release-date', 'must be an ISO 8601 date or date-time');
      }
      if (o.runId !== undefined && !/^[A-Za-z0-9_.-]+$/.test(o.runId)) throw new InvalidParameterError('--run-id', 'letters, digits, _ . - only');
      const keepRuns = Number(o.keepRuns);
      if (!Number.isInteger(keepRuns)) throw new InvalidParameterError('--keep-runs', 'must be an integer');

      const config = loadConfig();
      const client = await Neo4jClient.connect(config);
      const log = new ProgressLog(process.stderr, { ttyMode: 'lines' });
      try {
        const res = await detectAndWrite(client, {
          seed,
          resolution,
          releaseDate,
          runId: o.runId,
          keepRuns,
          targetCapabilities: config.targetCapabilities,
          onProgress: (phase, done, total) => log.update(phase, `${phase}: ${done.toLocaleString('en')}${total ? `/${total.toLocaleString('en')}` : ''}`, total > 0 && done === total),
        });
        const s = res.stats;
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ runId: res.runId, previousRunId: res.previousRunId ?? null, pruned: res.pruned, stats: s })}\n`);
          return;
        }
        process.stdout.write(
          [
            `run ${res.runId}${res.previousRunId ? ` (previous: ${res.previousRunId})` : ''}`,
            `accounts ${s.accounts}, links ${s.edges}, clusters ${s.clusters}: ${s.enforce} enforce, ${s.review} review, ${s.monitor} monitor; ${s.respawns} respawned accounts`,
            `time: read ${s.ms.read} ms, project ${s.ms.project} ms, communities ${s.ms.communities} ms, scoring ${s.ms.scoring} ms, write ${s.ms.write} ms`,
            ...(res.pruned.length ? [`pruned runs: ${res.pruned.join(', ')}`] : []),
            '',
          ].join('\n'),
        );
      } finally {
        await client.close();
      }
    });
}
