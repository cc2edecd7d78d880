/**
 * Sandboxed processor of the `detect` and `detect-batch` queues: BullMQ loads this compiled file in
 * a worker thread (dist/jobs/processors/detect-sandbox.js), so projection and Louvain never block the
 * main thread's lock renewals. The thread keeps one Neo4j driver across jobs.
 *
 * `detect-run` calls the same detection service as `ringscope detect` (detectAndWrite) with the
 * run's options from the job data. Its one hook is where the communities are computed: a large
 * graph with several batches of connected components (or one component too big for a batch, which
 * is split; src/jobs/fan-out.ts) adds one `detect-components` job per batch to the `detect-batch`
 * queue, which every worker process serves, and waits for them holding its projection. The children
 * are plain jobs on their own queue, not flow children: a worker with a single detect slot cannot
 * deadlock on them, and the waiting parent keeps its in-memory graph.
 */
import { Queue, type SandboxedJob } from 'bullmq';
import type { Redis } from 'ioredis';
import { loadConfig } from '../../config/index.js';
import { detectAndWrite, Neo4jClient, runFinished, TX_RETRY_MS, type DetectAndWriteResult } from '../../db/index.js';
import { detectCommunities, refineParts, splitComponent, type Assignment, type CommunityOptions, type ProjectedGraph } from '../../graph/index.js';
import { readReturnValue } from '../child-results.js';
import { connectRedis } from '../connection.js';
import { toJobError } from '../failure.js';
import { batchGraph, batchPayloads, communitiesResult, mergeResults, planFirstRound, planRefineRound, toResult, type BatchPlan } from '../fan-out.js';
import type { DetectComponentsData, DetectComponentsResult, DetectRunData } from '../job-data.js';
import { jobIds } from '../job-ids.js';
import { JOB, QUEUE } from '../names.js';
import { jobOptions, pipelineOptions } from '../options.js';

/** How often a waiting parent looks at its children's states. */
const POLL_MS = 250;

/** What a `detect-run` job returns (its job's return value; `ringscope status` and the tests read it). */
export interface DetectRunSummary {
  readonly runId: string;
  readonly previousRunId: string | null;
  readonly clusters: number;
  readonly enforce: number;
  readonly review: number;
  readonly monitor: number;
  readonly accounts: number;
  /** Fan-out children over both rounds; 0 when the communities were computed in the job itself. */
  readonly fannedOut: number;
  /** True when the run had already finished (a retried or duplicated job): nothing was recomputed. */
  readonly alreadyFinished: boolean;
  /** Wall time of each step in ms (communities: in this thread, or the wait for the fan-out children). */
  readonly ms?: { readonly read: number; readonly project: number; readonly communities: number; readonly scoreAndWrite: number };
}

let client: Promise<Neo4jClient> | undefined;
function neo4jClient(): Promise<Neo4jClient> {
  client ??= Neo4jClient.connect(loadConfig(), { waitMs: TX_RETRY_MS }).catch((err: unknown) => {
    client = undefined;
    throw err;
  });
  return client;
}

/** Communities of one batch: the calls runDetection makes, on the batch's subgraph (see BatchMode). */
export function detectBatch(d: DetectComponentsData): DetectComponentsResult {
  const g = batchGraph(d);
  if (d.mode === 'split') {
    const top = splitComponent(
      g,
      g.accounts.map((_, i) => i),
      d.communities,
    );
    return { ...communitiesResult(g, d.batch, top.done), parts: top.parts.map((p) => p.map((v) => g.accounts[v]!)) };
  }
  if (d.mode === 'refine')
    return communitiesResult(
      g,
      d.batch,
      refineParts(
        g,
        (d.parts ?? []).map((p) => [...p]),
        d.communities,
      ),
    );
  return toResult(d.batch, detectCommunities(g, d.communities));
}

interface FanOut {
  readonly assignment: Assignment;
  /** Children in both rounds. */
  readonly children: number;
  /**
   * Close the queue; with `remove`, also delete the children. They are removed only once the run
   * is written: a retry after a failed write reuses their results.
   */
  readonly done: (remove: boolean) => Promise<void>;
}

type Progress = (phase: string, done: number, total: number) => Promise<void>;

/** The children of one fan-out: adding a round of batches and waiting for their results. */
class ChildBatches {
  readonly ids: string[] = [];

  constructor(
    private readonly job: SandboxedJob<DetectRunData>,
    private readonly queue: Queue,
    private readonly connection: Redis,
    private readonly graph: ProjectedGraph,
    private readonly communities: Partial<CommunityOptions>,
  ) {}

  /** Add one child per plan (replacing failed ones of an earlier attempt) and wait for all of them. */
  async round(phase: string, plans: readonly BatchPlan[], progress: Progress): Promise<DetectComponentsResult[]> {
    const mine = await this.add(plans);
    const results = new Map<number, DetectComponentsResult>();
    for (;;) {
      for (let i = 0; i < mine.length; i++) {
        if (!results.has(i)) {
          const r = await this.result(mine[i]!);
          if (r) results.set(i, r);
        }
      }
      await progress(phase, results.size, mine.length);
      if (results.size === mine.length) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return [...results.keys()].sort((a, b) => a - b).map((i) => results.get(i)!);
  }

  private async add(plans: readonly BatchPlan[]): Promise<string[]> {
    const tuning = pipelineOptions();
    // Kept until this run has read them (a count bound could trim results not read yet); the age
    // bounds what an abandoned run leaves behind.
    const opts = { ...jobOptions(tuning), removeOnComplete: { age: tuning.keepFailedAgeS }, removeOnFail: { age: tuning.keepFailedAgeS } };
    const payloads = batchPayloads(this.graph, plans, { runId: this.job.data.runId, communities: this.communities }, this.ids.length);
    const mine = payloads.map((p) => jobIds.detectComponents(this.job.data.runId, p.batch, p.digest));
    this.ids.push(...mine);
    for (const id of mine) if ((await this.queue.getJobState(id)) === 'failed') await this.queue.remove(id);
    await this.queue.addBulk(payloads.map((data, i) => ({ name: JOB.detectComponents, data, opts: { ...opts, jobId: mine[i]! } })));
    return mine;
  }

  /** A child's result once it completed; undefined while it waits or runs; throws when it failed for good. */
  private async result(id: string): Promise<DetectComponentsResult | undefined> {
    const state = await this.queue.getJobState(id);
    if (state === 'completed') {
      const r = await readReturnValue<DetectComponentsResult>(this.connection, this.queue, id);
      if (r === null) throw new Error(`fan-out child ${id} completed without a result`);
      return r;
    }
    if (state === 'failed') throw new Error(`fan-out child ${id} failed: ${(await this.queue.getJob(id))?.failedReason ?? 'unknown reason'}`);
    if (state === 'unknown') throw new Error(`fan-out child ${id} is no longer in the ${QUEUE.detectBatch} queue`);
    return undefined;
  }
}

/**
 * Fan the communities of `graph` out to the `detect-batch` queue, in two rounds (whole components
 * and first levels of the giant ones, then the refinement of those). Child ids carry the batch's
 * content digest, so a retried parent (its worker died) finds the children of the same graph still
 * queued, running or done, and adds none twice; a failed child is replaced once, and a child that
 * fails for good fails the run with the child's reason. Undefined when no worker serves the queue.
 */
async function fanOut(
  job: SandboxedJob<DetectRunData>,
  graph: ProjectedGraph,
  plan: readonly BatchPlan[],
  communities: Partial<CommunityOptions>,
  maxAccounts: number,
  progress: Progress,
): Promise<FanOut | undefined> {
  const prefix = job.queueQualifiedName.slice(0, job.queueQualifiedName.lastIndexOf(':'));
  const connection = await connectRedis(loadConfig(), 'producer');
  const queue = new Queue(QUEUE.detectBatch, { connection, prefix });
  const close = async (): Promise<void> => {
    await queue.close();
    await connection.quit().catch(() => connection.disconnect());
  };
  try {
    // Workers started with --queues that leave out detect-batch would leave the children waiting
    // forever: with no worker on that queue, the run computes its communities itself.
    if ((await queue.getWorkersCount()) === 0) {
      await close();
      return undefined;
    }
    const children = new ChildBatches(job, queue, connection, graph, communities);
    const results = await children.round('fan-out', plan, progress);
    const splitParts = results.flatMap((r) => r.parts ?? []);
    if (splitParts.length > 0) {
      const index = new Map<string, number>();
      graph.accounts.forEach((a, i) => index.set(a, i));
      const parts = splitParts.map((p) => p.map((a) => index.get(a)!));
      results.push(...(await children.round('fan-out refine', planRefineRound(parts, maxAccounts), progress)));
    }
    return {
      assignment: mergeResults(results),
      children: children.ids.length,
      done: async (remove) => {
        try {
          if (remove) await Promise.all(children.ids.map((id) => queue.remove(id)));
        } finally {
          await close();
        }
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Job progress from the service's (phase, done, total), at most twice a second. */
function jobProgress(job: SandboxedJob<DetectRunData>): (phase: string, done: number, total: number) => void {
  let last = 0;
  return (phase, done, total) => {
    const now = Date.now();
    if (now - last < 500) return;
    last = now;
    const base = phase.startsWith('read') ? 5 : phase === 'project' ? 20 : phase === 'communities' ? 30 : phase.startsWith('write') ? 80 : 75;
    const span = phase === 'communities' ? 45 : phase.startsWith('write') ? 19 : 0;
    void job.updateProgress({ phase, percent: Math.round(base + (total > 0 ? (done / total) * span : 0)) }).catch(() => undefined);
  };
}

async function detectRun(job: SandboxedJob<DetectRunData>): Promise<DetectRunSummary> {
  const c = await neo4jClient();
  const d = job.data;
  if (await runFinished(c, d.runId)) {
    // A duplicate or a retry after the write finished: rewriting would redo lineage against itself.
    await job.updateProgress({ percent: 100, phase: 'already finished' });
    return { runId: d.runId, previousRunId: null, clusters: 0, enforce: 0, review: 0, monitor: 0, accounts: 0, fannedOut: 0, alreadyFinished: true };
  }
  const tuning = pipelineOptions(d.fanOut ? { fanOutBatchAccounts: d.fanOut.batchAccounts, fanOutMinAccounts: d.fanOut.minAccounts } : {});
  let fanned: FanOut | undefined;
  const communitiesBy = async (graph: ProjectedGraph, options: Partial<CommunityOptions>): Promise<Assignment | undefined> => {
    // Fan out when there is work to share: several batches, or one component to split.
    const plan = graph.accounts.length >= tuning.fanOutMinAccounts ? planFirstRound(graph, tuning.fanOutBatchAccounts) : [];
    if (!(plan.length >= 2 || plan.some((b) => b.mode === 'split'))) return undefined;
    await job.updateProgress({ phase: `fan-out 0/${plan.length} batches`, percent: 30 });
    fanned = await fanOut(job, graph, plan, options, tuning.fanOutBatchAccounts, (phase, done, total) =>
      job.updateProgress({ phase: `${phase} ${done}/${total} batches`, percent: Math.round(30 + (45 * done) / total) }),
    );
    if (!fanned) await job.updateProgress({ phase: `communities (no ${QUEUE.detectBatch} worker: in this job)`, percent: 30 });
    return fanned?.assignment;
  };
  await job.updateProgress({ phase: 'read', percent: 5 });
  let res: DetectAndWriteResult;
  try {
    res = await detectAndWrite(c, {
      runId: d.runId,
      seed: d.seed,
      resolution: d.resolution,
      // A job enqueued before releaseDate was part of the data (or by an older scheduler) has none: no release.
      releaseDate: d.releaseDate === null || d.releaseDate === undefined ? undefined : Date.parse(d.releaseDate),
      keepRuns: d.keepRuns,
      mode: d.full === true ? 'full' : 'auto',
      ...(d.fullEvery !== undefined ? { fullEvery: d.fullEvery } : {}),
      // The snapshot lives in this worker's state dir: a worker without it (another machine) runs full.
      stateDir: loadConfig().stateDir,
      // Which capabilities count as targeted is the worker's configuration (RINGSCOPE_TARGET_CAPABILITIES).
      targetCapabilities: loadConfig().targetCapabilities,
      communitiesBy,
      onProgress: jobProgress(job),
    });
  } catch (err) {
    await fanned?.done(false).catch(() => undefined);
    throw err;
  }
  await fanned?.done(true);
  const s = res.stats;
  return {
    runId: res.runId,
    previousRunId: res.previousRunId ?? null,
    clusters: s.clusters,
    enforce: s.enforce,
    review: s.review,
    monitor: s.monitor,
    accounts: s.accounts,
    fannedOut: fanned?.children ?? 0,
    alreadyFinished: false,
    ms: { read: s.ms.read, project: s.ms.project, communities: s.ms.communities, scoreAndWrite: s.ms.scoring + s.ms.write },
  };
}

export default async function detectSandbox(job: SandboxedJob<DetectRunData | DetectComponentsData>): Promise<DetectRunSummary | DetectComponentsResult> {
  try {
    if (job.name === JOB.detectComponents) return detectBatch(job.data as DetectComponentsData);
    if (job.name === JOB.detectRun) return await detectRun(job as SandboxedJob<DetectRunData>);
    throw new Error(`detect queue: unknown job name ${job.name}`);
  } catch (err) {
    throw toJobError(err);
  }
}
