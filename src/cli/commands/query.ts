import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { Neo4jClient } from '../../db/index.js';
import {
  MAX_ROWS_LIMIT,
  READ_ONLY_DEFAULTS,
  ROW_FORMATS,
  formatRows,
  listCookbook,
  parseParamArgs,
  runCookbookQuery,
  runReadOnly,
  truncationNotice,
  type RowFormat,
} from '../../analyst/index.js';
import { InvalidParameterError } from '../../util/errors.js';
import { intIn } from '../option-parsers.js';

/** `ringscope query`: run a cookbook query (queries/*.cypher) or ad-hoc Cypher, read-only. */
export function register(program: Command): void {
  program
    .command('query')
    .description('Run a cookbook query by name, or ad-hoc Cypher with --cypher; always read-only')
    .argument('[name]', 'cookbook query name (omit with --list or --cypher)')
    .option('--param <k=v>', 'query parameter (repeatable); typed from the query header', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--cypher <text>', 'ad-hoc Cypher, run in a read transaction (writes are refused)')
    .option('--format <format>', `output: ${ROW_FORMATS.join('|')}`, 'table')
    .option(
      '--limit <n>',
      `row cap: the result stream is stopped there, with a notice (1..${MAX_ROWS_LIMIT})`,
      intIn('--limit', 1, MAX_ROWS_LIMIT),
      READ_ONLY_DEFAULTS.maxRows,
    )
    .option('--list', 'list the cookbook queries and their parameters')
    .action(async (name: string | undefined, o: { param: string[]; cypher?: string; format: string; limit: number; list?: boolean }) => {
      if (o.list) {
        for (const q of listCookbook()) {
          const params = q.params.map((p) => `${p.name}:${p.type}${'default' in p ? `=${JSON.stringify(p.default)}` : ''}`).join(' ');
          process.stdout.write(`${q.name}  ${params}\n    ${q.summary}\n`);
        }
        return;
      }
      if (!ROW_FORMATS.includes(o.format as RowFormat)) throw new InvalidParameterError('--format', `must be one of ${ROW_FORMATS.join('|')}`);
      if (!name && !o.cypher) throw new InvalidParameterError('name', 'give a cookbook query name, --cypher or --list');
      if (name && o.cypher) throw new InvalidParameterError('--cypher', 'give either a query name or --cypher, not both');
      const maxRows = o.limit;
      const params = parseParamArgs(o.param);
      const config = loadConfig();
      const client = await Neo4jClient.connect(config);
      try {
        const rows = o.cypher ? await runReadOnly(client, o.cypher, params, { maxRows }) : await runCookbookQuery(client, name!, params, { maxRows });
        process.stdout.write(formatRows(rows, o.format as RowFormat));
        const notice = truncationNotice(rows);
        if (notice) process.stderr.write(`${notice}\n`);
        // Peak memory of the process, for the row-cap test and anyone checking a big query (LOG_LEVEL=debug).
        if (config.logLevel === 'debug' || config.logLevel === 'trace') process.stderr.write(`debug: maxRSS ${process.resourceUsage().maxRSS} KiB\n`);
      } finally {
        await client.close();
      }
    });
}
