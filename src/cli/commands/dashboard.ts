import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { countRuns, Neo4jClient } from '../../db/index.js';
import { DASHBOARD_DEFAULTS, openQueues, startDashboard } from '../../jobs/index.js';
import { ConfigError } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';
import { intIn } from '../option-parsers.js';

/** `ringscope dashboard`: bull-board and /metrics behind bearer tokens, until SIGINT/SIGTERM. */
export function register(program: Command): void {
  program
    .command('dashboard')
    .description('Serve bull-board and Prometheus /metrics (needs RINGSCOPE_DASHBOARD_TOKEN)')
    .option('--port <n>', 'port (0: any free port)', intIn('--port', 0, 65535), DASHBOARD_DEFAULTS.port)
    .option('--host <host>', 'address to bind', DASHBOARD_DEFAULTS.host)
    .action(async (o: { port: number; host: string }) => {
      const config = loadConfig();
      if (!config.dashboardToken) throw new ConfigError('RINGSCOPE_DASHBOARD_TOKEN', 'is required to serve the dashboard (at least 16 characters)');
      const log = createLogger(config.logLevel);
      const q = await openQueues(config);
      const client = await Neo4jClient.connect(config).catch((err: Error) => {
        log.warn({ reason: err.message }, 'Neo4j unavailable: /metrics will not report linkage runs');
        return undefined;
      });
      const dash = await startDashboard(config, q, {
        port: o.port,
        host: o.host,
        log,
        ...(client ? { metrics: { countRuns: () => countRuns(client) } } : {}),
      });
      process.stderr.write(`dashboard: ${dash.url}/ui  metrics: ${dash.url}/metrics\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await dash.close();
      await q.close();
      await client?.close();
      process.exit(0);
    });
}
