import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { LATEST, listClusters, Neo4jClient, resolveRun } from '../../db/index.js';
import { RECOMMENDATIONS, type Recommendation } from '../../vocabulary/index.js';
import { choice } from '../option-parsers.js';

/** `ringscope clusters`: the clusters of a run, best score first. */
export function register(program: Command): void {
  program
    .command('clusters')
    .description('List the clusters of a linkage run')
    .option('--run <id>', 'run id or "latest" (the newest finished run)', LATEST)
    .option('--min-recommendation <r>', RECOMMENDATIONS.join(' | '), choice('--min-recommendation', RECOMMENDATIONS), 'review' as Recommendation)
    .option('--json', 'print JSON lines, one cluster per line')
    .action(async (o: { run: string; minRecommendation: Recommendation; json?: boolean }) => {
      const client = await Neo4jClient.connect(loadConfig());
      try {
        const { id: runId } = await resolveRun(client, o.run);
        const list = await listClusters(client, runId, o.minRecommendation);
        if (o.json) {
          for (const c of list) process.stdout.write(`${JSON.stringify(c)}\n`);
          return;
        }
        process.stdout.write(`run ${runId}: ${list.length} clusters at ${o.minRecommendation} or above\n`);
        const rows = [['cluster', 'recommendation', 'score', 'size', 'lineage', 'respawns', 'weakest', 'top reason']];
        for (const c of list)
          rows.push([c.id, c.recommendation, c.score.toFixed(3), String(c.size), c.lineage, String(c.respawns), c.weakestLink.toFixed(1), c.reasons[0] ?? '']);
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        for (const r of rows) process.stdout.write(`${r.map((x, i) => (i === r.length - 1 ? x : x.padEnd(widths[i]!))).join('  ')}\n`);
      } finally {
        await client.close();
      }
    });
}
