import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { Neo4jClient } from '../../db/index.js';
import { EXPORT_FORMATS, clustersDocument, deliverWebhook, exportRun, isRecommendation, type ExportFormat } from '../../export/index.js';
import { InvalidParameterError } from '../../util/errors.js';

/** `ringscope export`: account rows + cluster companion (csv/ndjson/json) or a STIX 2.1 bundle, optionally POSTed to a webhook. */
export function register(program: Command): void {
  program
    .command('export')
    .description("Export a run's clusters for enforcement (docs/export-format.md)")
    .option('--run <id>', '`latest` or a LinkageRun id', 'latest')
    .option('--min-recommendation <level>', 'lowest recommendation exported: monitor|review|enforce', 'review')
    .requiredOption('--format <format>', `one of ${EXPORT_FORMATS.join('|')}`)
    .requiredOption('--out <path>', 'output file (the cluster companion is written next to it as <name>.clusters.<ext>)')
    .option('--max-identifiers <n>', 'longest shared-identifier list per kind in a cluster row', '50')
    .option('--webhook <url>', 'also POST the signed cluster list here (retried through the BullMQ webhook queue)')
    .option('--stix-members', "stix: also carry each member's own verdict with its account id (provider-internal; off for sharing)")
    .action(
      async (o: { run: string; minRecommendation: string; format: string; out: string; maxIdentifiers: string; webhook?: string; stixMembers?: boolean }) => {
        if (!EXPORT_FORMATS.includes(o.format as ExportFormat)) throw new InvalidParameterError('--format', `must be one of ${EXPORT_FORMATS.join('|')}`);
        if (!isRecommendation(o.minRecommendation)) throw new InvalidParameterError('--min-recommendation', 'must be monitor, review or enforce');
        if (!/^\d{1,6}$/.test(o.maxIdentifiers)) throw new InvalidParameterError('--max-identifiers', 'must be a non-negative integer');
        if (o.webhook && !/^https?:\/\//.test(o.webhook)) throw new InvalidParameterError('--webhook', 'must be an http(s) URL');
        const config = loadConfig();
        const client = await Neo4jClient.connect(config);
        try {
          const res = await exportRun(client, {
            run: o.run,
            minRecommendation: o.minRecommendation,
            format: o.format as ExportFormat,
            out: o.out,
            maxIdentifiersPerKind: Number(o.maxIdentifiers),
            members: o.stixMembers === true,
          });
          process.stdout.write(`run ${res.export.run.id}: ${res.export.clusters.length} clusters, ${res.export.accounts.length} accounts\n`);
          for (const f of res.files) process.stdout.write(`wrote ${f}\n`);
          if (o.webhook) {
            const d = await deliverWebhook({ redisUrl: config.redis.url, prefix: config.queuePrefix }, config.webhookSecret, {
              runId: res.export.run.id,
              url: o.webhook,
              body: JSON.stringify(clustersDocument(res.export)),
            });
            process.stdout.write(`webhook delivered (HTTP ${d.status}) after ${d.attemptsMade} attempt(s), job ${d.jobId}\n`);
          }
        } finally {
          await client.close();
        }
      },
    );
}
