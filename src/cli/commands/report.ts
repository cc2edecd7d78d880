import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { Neo4jClient } from '../../db/index.js';
import { writeReport } from '../../report/index.js';
import { InvalidParameterError } from '../../util/errors.js';

/** `ringscope report`: a static HTML report of a run (opens offline from file://). */
export function register(program: Command): void {
  program
    .command('report')
    .description('Write a self-contained HTML report of a run: sortable cluster list and one graph page per cluster')
    .option('--run <id>', '`latest` or a LinkageRun id', 'latest')
    .requiredOption('--out <dir>', 'output folder')
    .option('--max-accounts <n>', 'most accounts drawn per cluster page', '150')
    .action(async (o: { run: string; out: string; maxAccounts: string }) => {
      if (!/^[1-9]\d{0,5}$/.test(o.maxAccounts)) throw new InvalidParameterError('--max-accounts', 'must be a positive integer');
      const config = loadConfig();
      const client = await Neo4jClient.connect(config);
      try {
        const r = await writeReport(client, o.out, { run: o.run, maxAccounts: Number(o.maxAccounts) });
        process.stdout.write(`run ${r.runId}: ${r.pages.size} cluster pages; open ${r.index}\n`);
      } finally {
        await client.close();
      }
    });
}
