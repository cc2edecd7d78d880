/**
 * Sandboxed processor of the `detect` and `detect-batch` queues: BullMQ loads this compiled file in
 * a worker thread (dist/jobs/processors/detect-sandbox.js), so projection and Louvain never block the
 * main thread's lock renewals. The thread keeps one Neo4j driver across jobs.
 *
 * `detect-run` reads the graph and projects it once. A small graph gets its communities in this
 * thread. A large one with several batches of connected components (or one component too big for
 * a batch, which is split; src/jobs/fan-out.ts) adds one `detect-components`
 * job per batch to the `detect-batch` queue, which every worker process serves, and waits for them
 * holding its projection (no second read); then it scores and writes the union of their
 * communities. The children are plain jobs on their own queue, not flow children: a worker with a
 * single detect slot cannot deadlock on them, and the waiting parent keeps its in-memory graph.
 */
import { Queue, type SandboxedJob } from 'bullmq';
import { loadConfig } from '../../config/index.js';
import { Neo4jClient, TX_RETRY_MS } from '../../db/index.js';
import { detectCommunities, refineParts, splitComponent, type Assignment, type ProjectedGraph } from '../../graph/index.js';
import { connectRedis } from '../connection.js';
import { communitiesInProcess, communityOptions, readAndProject, scoreAndWrite, type DetectRunSummary } from '../detect-run.js';
import { toJobError } from '../failure.js';
import { batchGraph, batchPayloads, communitiesResult, mergeResults, planFirstRound, planRefineRound, toResult, type BatchPlan } from '../fan-out.js';
import type { DetectComponentsData, DetectComponentsResult, DetectRunData } from '../job-data.js';
import { jobIds } from '../job-ids.js';
import { runFinished } from '../ledger-repository.js';
import { JOB, QUEUE } from '../names.js';
import { jobOptions, pipelineOptions } from '../options.js';

/** How often a waiting parent looks at its children's states. */
const POLL_MS = 250;

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
  const options = communityOptions(d.seed);
  const g = batchGraph(d);
  if (d.mode === 'split') {
    const top = splitComponent(g, g.accounts.map((_, i) => i), options);
    return { ...communitiesResult(g, d.batch, top.done), parts: top.parts.map((p) => p.map((v) => g.accounts[v]!)) };
  }
  if (d.mode === 'refine') return communitiesResult(g, d.batch, refineParts(g, (d.parts ?? []).map((p) => [...p]), options));
  return toResult(d.batch, detectCommunities(g, options));
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

/**
 * Add one child per batch to the `detect-batch` queue and wait for all of them, in two rounds
 * (whole components and first levels of the giant ones, then the refinement of those). Child ids
 * carry the batch's content digest, so a retried parent (its worker died) finds the children of
 * the same graph still queued, running or done, and adds none twice; a failed child is replaced
 * once, and a child that fails for good fails the run with the child's reason. Undefined when no
 * worker serves the queue.
 */
async function fanOut(
  job: SandboxedJob<DetectRunData>,
  graph: ProjectedGraph,
  plan: readonly BatchPlan[],
  maxAccounts: number,
  progress: (phase: string, done: number, total: number) => Promise<void>,
): Promise<FanOut | undefined> {
  const prefix = job.queueQualifiedName.slice(0, job.queueQualifiedName.lastIndexOf(':'));
  const connection = await connectRedis(loadConfig(), 'producer');
  const queue = new Queue(QUEUE.detectBatch, { connection, prefix });
  const close = async (): Promise<void> => {
    await queue.close();
    await connection.quit().catch(() => connection.disconnect());
  };
  const ids: string[] = [];
  try {
    // Workers started with --queues that leave out detect-batch would leave the children waiting
    // forever: with no worker on that queue, the run computes its communities itself.
    if ((await queue.getWorkersCount()) === 0) {
      await close();
      return undefined;
    }
    const tuning = pipelineOptions();
    // Kept until this run has read them (a count bound could trim results not read yet); the age
    // bounds what an abandoned run leaves behind.
    const opts = { ...jobOptions(tuning), removeOnComplete: { age: tuning.keepFailedAgeS }, removeOnFail: { age: tuning.keepFailedAgeS } };

    const round = async (phase: string, plans: readonly BatchPlan[]): Promise<DetectComponentsResult[]> => {
      let payloads: DetectComponentsData[] | undefined = batchPayloads(graph, plans, job.data, ids.length);
      const mine = payloads.map((p) => jobIds.detectComponents(job.data.runId, p.batch, p.digest));
      ids.push(...mine);
      for (const id of mine) if ((await queue.getJobState(id)) === 'failed') await queue.remove(id);
      await queue.addBulk(payloads.map((data, i) => ({ name: JOB.detectComponents, data, opts: { ...opts, jobId: mine[i]! } })));
      payloads = undefined; // the batches' copies can go before the wait
      const results = new Map<number, DetectComponentsResult>();
      for (;;) {
        for (let i = 0; i < mine.length; i++) {
          if (results.has(i)) continue;
          const state = await queue.getJobState(mine[i]!);
          if (state === 'completed') {
            // Only the result: queue.getJob would also fetch back the batch's payload (tens of MB
            // for a split component). BullMQ keeps a job's return value as JSON in its hash.
            const raw = await connection.hget(queue.toKey(mine[i]!), 'returnvalue');
            if (raw === null) throw new Error(`fan-out child ${mine[i]} completed without a result`);
            results.set(i, JSON.parse(raw) as DetectComponentsResult);
          } else if (state === 'failed') {
            const child = await queue.getJob(mine[i]!);
            throw new Error(`fan-out child ${mine[i]} failed: ${child?.failedReason ?? 'unknown reason'}`);
          } else if (state === 'unknown') {
            throw new Error(`fan-out child ${mine[i]} is no longer in the ${QUEUE.detectBatch} queue`);
          }
        }
        await progress(phase, results.size, mine.length);
        if (results.size === mine.length) break;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      return [...results.keys()].sort((a, b) => a - b).map((i) => results.get(i)!);
    };

    const first = await round('fan-out', plan);
    const results = [...first];
    const splitParts = first.flatMap((r) => r.parts ?? []);
    if (splitParts.length > 0) {
      const index = new Map<string, number>();
      graph.accounts.forEach((a, i) => index.set(a, i));
      const parts = splitParts.map((p) => p.map((a) => index.get(a)!));
      results.push(...(await round('fan-out refine', planRefineRound(parts, maxAccounts))));
    }
    return {
      assignment: mergeResults(results),
      children: ids.length,
      done: async (remove) => {
        try {
          if (remove) await Promise.all(ids.map((id) => queue.remove(id)));
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

async function detectRun(job: SandboxedJob<DetectRunData>): Promise<DetectRunSummary> {
  const c = await neo4jClient();
  const { runId, seed } = job.data;
  if (await runFinished(c, runId)) {
    // A duplicate or a retry after the write finished: rewriting would redo lineage against itself.
    await job.updateProgress({ percent: 100, phase: 'already finished' });
    return { runId, previousRunId: null, clusters: 0, enforce: 0, review: 0, monitor: 0, accounts: 0, fannedOut: 0, alreadyFinished: true };
  }
  let last = 0;
  const onProgress = (phase: string, done: number, total: number): void => {
    const now = Date.now();
    if (now - last < 500) return;
    last = now;
    const base = phase.startsWith('read') ? 5 : phase === 'project' ? 20 : phase === 'communities' ? 30 : phase.startsWith('write') ? 80 : 75;
    const span = phase === 'communities' ? 45 : phase.startsWith('write') ? 19 : 0;
    void job.updateProgress({ phase, percent: Math.round(base + (total > 0 ? (done / total) * span : 0)) }).catch(() => undefined);
  };
  const tuning = pipelineOptions(
    job.data.fanOut ? { fanOutBatchAccounts: job.data.fanOut.batchAccounts, fanOutMinAccounts: job.data.fanOut.minAccounts } : {},
  );

  await job.updateProgress({ phase: 'read', percent: 5 });
  const { input, graph, ms } = await readAndProject(c, seed, onProgress);
  // Fan out when there is work to share: several batches, or one component to split.
  const plan = graph.accounts.length >= tuning.fanOutMinAccounts ? planFirstRound(graph, tuning.fanOutBatchAccounts) : [];
  const share = plan.length >= 2 || plan.some((b) => b.mode === 'split');
  let t = performance.now();
  let fanned: FanOut | undefined;
  let assignment: Assignment;
  if (share) {
    await job.updateProgress({ phase: `fan-out 0/${plan.length} batches`, percent: 30 });
    fanned = await fanOut(job, graph, plan, tuning.fanOutBatchAccounts, (phase, done, total) =>
      job.updateProgress({ phase: `${phase} ${done}/${total} batches`, percent: Math.round(30 + (45 * done) / total) }),
    );
  }
  if (fanned) assignment = fanned.assignment;
  else {
    await job.updateProgress({ phase: share ? `communities (no ${QUEUE.detectBatch} worker: in this job)` : 'communities', percent: 30 });
    assignment = communitiesInProcess(graph, seed);
  }
  const communities = Math.round(performance.now() - t);
  t = performance.now();
  let summary: DetectRunSummary;
  try {
    summary = await scoreAndWrite(c, { runId, seed, onProgress, targetCapabilities: loadConfig().targetCapabilities }, input, graph, assignment, fanned?.children ?? 0);
  } catch (err) {
    await fanned?.done(false).catch(() => undefined);
    throw err;
  }
  await fanned?.done(true);
  return { ...summary, ms: { ...ms, communities, scoreAndWrite: Math.round(performance.now() - t) } };
}

export default async function detectSandbox(
  job: SandboxedJob<DetectRunData | DetectComponentsData>,
): Promise<DetectRunSummary | DetectComponentsResult> {
  try {
    if (job.name === JOB.detectComponents) return detectBatch(job.data as DetectComponentsData);
    if (job.name === JOB.detectRun) return await detectRun(job as SandboxedJob<DetectRunData>);
    throw new Error(`detect queue: unknown job name ${job.name}`);
  } catch (err) {
    throw toJobError(err);
  }
}

