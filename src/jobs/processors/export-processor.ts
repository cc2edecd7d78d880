import fs from 'node:fs/promises';
import path from 'node:path';
import type { Job } from 'bullmq';
import { clustersDocument, createWebhookQueue, enqueueWebhook, exportRun, type ExportFormat } from '../../export/index.js';
import { toJobError } from '../failure.js';
import type { ExportRunData } from '../job-data.js';
import type { ProcessorContext } from './context.js';

export interface ExportRunResult {
  readonly runId: string;
  readonly files: readonly string[];
  readonly accounts: number;
  readonly clusters: number;
  readonly webhookJobId?: string;
}

function fileFor(outDir: string, runId: string, format: ExportFormat): string {
  return path.join(outDir, format === 'stix' ? `${runId}.stix.json` : `${runId}.${format}`);
}

/**
 * Root of a drop's flow: write the run's cluster lists (atomic files; rewriting them on a retry
 * gives the same bytes) and hand the optional webhook to the exports module's `webhook` queue.
 */
export function exportProcessor(ctx: ProcessorContext) {
  return async (job: Job<ExportRunData>): Promise<ExportRunResult> => {
    try {
      const { runId, formats, outDir } = job.data;
      const client = await ctx.neo4j();
      await fs.mkdir(outDir, { recursive: true });
      const files: string[] = [];
      let accounts = 0;
      let clusters = 0;
      let body: string | undefined;
      for (const [i, format] of formats.entries()) {
        const written = await exportRun(client, { run: runId, format, out: fileFor(outDir, runId, format) });
        files.push(...written.files);
        accounts = written.export.accounts.length;
        clusters = written.export.clusters.length;
        body ??= JSON.stringify(clustersDocument(written.export));
        await job.updateProgress(Math.round(((i + 1) / formats.length) * 100));
      }
      let webhookJobId: string | undefined;
      if (job.data.webhookUrl && body !== undefined) {
        const queue = createWebhookQueue({ redisUrl: ctx.config.redis.url, prefix: ctx.config.queuePrefix });
        try {
          webhookJobId = (await enqueueWebhook(queue, { runId, url: job.data.webhookUrl, body })).id;
        } finally {
          await queue.close();
        }
      }
      ctx.log.info({ queue: job.queueName, jobId: job.id, runId, files: files.length, accounts, clusters }, 'export written');
      return { runId, files, accounts, clusters, ...(webhookJobId ? { webhookJobId } : {}) };
    } catch (err) {
      throw toJobError(err);
    }
  };
}
