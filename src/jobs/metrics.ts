import type { Job, Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** States whose depth is exported; `waiting-children` is where flow parents wait for their children. */
export const DEPTH_STATES = ['waiting', 'waiting-children', 'prioritized', 'active', 'delayed', 'failed', 'completed'] as const;

export interface MetricsOptions {
  /** Finished jobs inspected per queue and scrape to feed the duration histogram. @defaultValue 500 */
  readonly scanLimit: number;
  /** Optional source of the number of linkage runs written to Neo4j. */
  readonly countRuns?: () => Promise<number>;
}

export const METRICS_DEFAULTS: MetricsOptions = Object.freeze({ scanLimit: 500 });

/**
 * Prometheus metrics of the pipeline, computed at scrape time from Redis (no extra blocking
 * connections). Durations come from jobs that finished since the previous scrape, so a job is
 * observed once; a burst larger than `scanLimit` between two scrapes is under-sampled, not double-counted.
 */
export class PipelineMetrics {
  readonly registry = new Registry();
  private readonly opts: MetricsOptions;
  private readonly depth: Gauge<'queue' | 'state'>;
  private readonly duration: Histogram<'queue' | 'name' | 'status'>;
  private readonly finished: Counter<'queue' | 'name' | 'status'>;
  private readonly runs: Gauge;
  private readonly seen = new Map<string, number>();
  private watermark = new Map<string, number>();

  constructor(
    private readonly queues: readonly Queue[],
    opts: Partial<MetricsOptions> = {},
  ) {
    this.opts = { ...METRICS_DEFAULTS, ...opts };
    const registers = [this.registry];
    this.depth = new Gauge({ name: 'ringscope_queue_jobs', help: 'Jobs per queue and state', labelNames: ['queue', 'state'], registers });
    this.duration = new Histogram({
      name: 'ringscope_job_duration_seconds',
      help: 'Processing time of finished jobs (processedOn to finishedOn)',
      labelNames: ['queue', 'name', 'status'],
      // From a one-file ingest (sub-second) to a full nightly detection (tens of minutes).
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    });
    this.finished = new Counter({
      name: 'ringscope_jobs_finished_total',
      help: 'Finished jobs observed by this exporter (export-run completions are finished pipeline runs)',
      labelNames: ['queue', 'name', 'status'],
      registers,
    });
    this.runs = new Gauge({ name: 'ringscope_linkage_runs', help: 'LinkageRun nodes in Neo4j', registers });
    this.registry.setDefaultLabels({ app: 'ringscope' });
  }

  /** Refresh gauges and observe newly finished jobs; then `registry.metrics()` renders the text format. */
  async collect(): Promise<void> {
    for (const q of this.queues) {
      const counts = await q.getJobCounts(...DEPTH_STATES);
      for (const state of DEPTH_STATES) this.depth.set({ queue: q.name, state }, counts[state] ?? 0);
      await this.observe(q, 'completed', await q.getCompleted(0, this.opts.scanLimit - 1));
      await this.observe(q, 'failed', await q.getFailed(0, this.opts.scanLimit - 1));
    }
    if (this.opts.countRuns) this.runs.set(await this.opts.countRuns());
  }

  async render(): Promise<string> {
    await this.collect();
    return this.registry.metrics();
  }

  private async observe(q: Queue, status: 'completed' | 'failed', jobs: Job[]): Promise<void> {
    const key = `${q.name}/${status}`;
    const since = this.watermark.get(key) ?? 0;
    let max = since;
    for (const job of jobs) {
      const fin = job.finishedOn;
      if (!fin || fin < since || !job.id) continue;
      const id = `${key}/${job.id}/${fin}`;
      if (this.seen.has(id)) continue;
      this.seen.set(id, fin);
      max = Math.max(max, fin);
      const labels = { queue: q.name, name: job.name, status };
      this.finished.inc(labels);
      if (job.processedOn) this.duration.observe(labels, Math.max(0, fin - job.processedOn) / 1000);
    }
    this.watermark.set(key, max);
    // Forget ids older than the watermark: they can never be seen again (finishedOn < since).
    for (const [id, fin] of this.seen) if (fin < max) this.seen.delete(id);
  }
}
