import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { DETECT_AND_WRITE_DEFAULTS, detectAndWrite, Neo4jClient } from '../../db/index.js';
import { isoMoment, nonNegativeInt, positiveNumber, safeId } from '../option-parsers.js';
import { ProgressLog } from '../../util/progress-log.js';

interface DetectFlags {
  seed: number;
  resolution: number;
  releaseDate?: number;
  runId?: string;
  keepRuns: number;
  json?: boolean;
}

/** `ringscope detect`: the detection service in this process (the pipeline's detect-run calls the same); progress on stderr. */
export function register(program: Command): void {
  const d = DETECT_AND_WRITE_DEFAULTS;
  program
    .command('detect')
    .description('Find, score and explain account rings in the loaded graph and write them back to Neo4j as a new linkage run')
    .option('--seed <n>', 'seed for MinHash and Louvain (same data + seed = same clusters)', nonNegativeInt('--seed'), d.seed)
    .option('--resolution <x>', 'Louvain resolution (higher: smaller clusters)', positiveNumber('--resolution'), d.resolution)
    .option(
      '--release-date <iso>',
      'model-release date or date-time (ISO 8601) for the traffic-shift feature (default: RINGSCOPE_RELEASE_DATE)',
      isoMoment('--release-date'),
    )
    .option('--run-id <id>', 'run id (default: run-<UTC timestamp>)', safeId('--run-id'))
    .option('--keep-runs <n>', 'keep only the newest N runs (0: keep all)', nonNegativeInt('--keep-runs'), d.keepRuns)
    .option('--json', 'print the summary as JSON')
    .action(async (o: DetectFlags) => {
      const config = loadConfig();
      const client = await Neo4jClient.connect(config);
      const log = new ProgressLog(process.stderr, { ttyMode: 'lines' });
      try {
        const res = await detectAndWrite(client, {
          seed: o.seed,
          resolution: o.resolution,
          releaseDate: o.releaseDate ?? config.releaseDate,
          runId: o.runId,
          keepRuns: o.keepRuns,
          targetCapabilities: config.targetCapabilities,
          onProgress: (phase, done, total) =>
            log.update(phase, `${phase}: ${done.toLocaleString('en')}${total ? `/${total.toLocaleString('en')}` : ''}`, total > 0 && done === total),
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
