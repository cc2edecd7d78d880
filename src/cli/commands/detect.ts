import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { detectAndWrite, Neo4jClient } from '../../db/index.js';
import { withDetectionOptions, type DetectionFlags } from '../detection-options.js';
import { safeId } from '../option-parsers.js';
import { ProgressLog } from '../../util/progress-log.js';

interface DetectFlags extends DetectionFlags {
  runId?: string;
  json?: boolean;
}

/** `ringscope detect`: the detection service in this process (the pipeline's detect-run calls the same); progress on stderr. */
export function register(program: Command): void {
  withDetectionOptions(
    program.command('detect').description('Find, score and explain account rings in the loaded graph and write them back to Neo4j as a new linkage run'),
  )
    .option('--run-id <id>', 'run id (default: run-<UTC timestamp>)', safeId('--run-id'))
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
          mode: o.full ? 'full' : 'auto',
          fullEvery: o.fullEvery,
          stateDir: config.stateDir,
          targetCapabilities: config.targetCapabilities,
          onProgress: (phase, done, total) =>
            log.update(phase, `${phase}: ${done.toLocaleString('en')}${total ? `/${total.toLocaleString('en')}` : ''}`, total > 0 && done === total),
        });
        const s = res.stats;
        if (o.json) {
          process.stdout.write(
            `${JSON.stringify({ runId: res.runId, previousRunId: res.previousRunId ?? null, mode: res.mode, fullReason: res.fullReason ?? null, read: res.read, readDetail: res.readDetail, snapshotMs: res.snapshotMs, pruned: res.pruned, stats: s })}\n`,
          );
          return;
        }
        process.stdout.write(
          [
            `run ${res.runId}${res.previousRunId ? ` (previous: ${res.previousRunId})` : ''}: ${res.mode}${res.fullReason ? ` (${res.fullReason})` : ''}`,
            ...(res.mode === 'incremental'
              ? [
                  res.read === 'delta'
                    ? `read: the delta (${s.deltaAccounts} accounts touched by the drops since, ${s.deltaGroups} identifiers read again)`
                    : `read: the whole graph (${res.readDetail ?? 'no usable snapshot input'})`,
                  `frontier ${s.frontierAccounts} accounts, ${s.frontierLinks} links (${s.touchedAccounts} accounts touched); carried ${s.carriedClusters} clusters, ${s.carriedAccounts} accounts`,
                ]
              : []),
            `accounts ${s.accounts}, links ${s.edges}, clusters ${s.clusters}: ${s.enforce} enforce, ${s.review} review, ${s.monitor} monitor; ${s.respawns} respawned accounts`,
            `time: read ${s.ms.read} ms, project ${s.ms.project} ms, communities ${s.ms.communities} ms, scoring ${s.ms.scoring} ms, write ${s.ms.write} ms, snapshot ${res.snapshotMs} ms`,
            ...(res.pruned.length ? [`pruned runs: ${res.pruned.join(', ')}`] : []),
            ...(res.snapshotError ? [`warning: detection snapshot not written (${res.snapshotError}); the next run will be full`] : []),
            '',
          ].join('\n'),
        );
      } finally {
        await client.close();
      }
    });
}
