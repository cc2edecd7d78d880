import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { Neo4jClient } from '../../db/index.js';
import { formatStatus, openQueues, pipelineStatus } from '../../jobs/index.js';

/** `ringscope status`: queue depths, schedules, recent runs and recent failures. */
export function register(program: Command): void {
  program
    .command('status')
    .description('Show queue depths, schedules, recent runs and failures')
    .option('--json', 'machine-readable output')
    .option('--no-runs', 'skip Neo4j (queues only)')
    .action(async (o: { json?: boolean; runs: boolean }) => {
      const config = loadConfig();
      const q = await openQueues(config);
      const client = o.runs ? await Neo4jClient.connect(config) : undefined;
      try {
        const s = await pipelineStatus(q, client);
        process.stdout.write(o.json ? `${JSON.stringify(s, null, 2)}\n` : formatStatus(s));
      } finally {
        await q.close();
        await client?.close();
      }
    });
}
