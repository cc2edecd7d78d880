import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { Neo4jClient } from '../../db/index.js';
import { listClusters, resolveRunId } from '../../db/linkage-writer.js';
import { RECOMMENDATIONS, type Recommendation } from '../../graph/index.js';
import { InvalidParameterError, NotFoundError } from '../../util/errors.js';

/** `ringscope clusters`: the clusters of a run, best score first. */
export function register(program: Command): void {
  program
    .command('clusters')
    .description('List the clusters of a linkage run')
    .option('--run <id>', 'run id or "latest"', 'latest')
    .option('--min-recommendation <r>', 'monitor | review | enforce', 'review')
    .option('--json', 'print JSON lines, one cluster per line')
    .action(async (o: { run: string; minRecommendation: string; json?: boolean }) => {
      if (!RECOMMENDATIONS.includes(o.minRecommendation as Recommendation))
        throw new InvalidParameterError('--min-recommendation', `must be one of ${RECOMMENDATIONS.join(', ')}`);
      const client = await Neo4jClient.connect(loadConfig());
      try {
        const runId = await resolveRunId(client, o.run);
        if (!runId) throw new NotFoundError('no finished linkage run (run `ringscope detect` first)');
        const list = await listClusters(client, runId, o.minRecommendation as Recommendation);
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
