/**
 * Sandboxed processor of the `detect` queue: BullMQ loads this compiled file in a worker thread
 * (dist/jobs/processors/detect-sandbox.js), so projection and Louvain never block the main thread's
 * lock renewals. The thread keeps one Neo4j driver across jobs.
 *
 * `detect-run` either detects in this thread, or (a large graph with several component batches)
 * adds one `detect-components` child per batch, parks itself in waiting-children, and on its second
 * entry (`step: 'gather'`) scores and writes the union of the children's communities.
 */
import { Queue, WaitingChildrenError, type SandboxedJob } from 'bullmq';
import { loadConfig } from '../../config/index.js';
import { Neo4jClient, TX_RETRY_MS } from '../../db/index.js';
import { DETECTION_DEFAULTS, detectCommunities, type ProjectedGraph } from '../../graph/index.js';
import { connectRedis } from '../connection.js';
import { detectInProcess, readAndProject, writeFannedOut, type DetectRunSummary } from '../detect-run.js';
import { toJobError } from '../failure.js';
import { batchGraph, batchPayload, mergeResults, planBatches, toResult } from '../fan-out.js';
import type { DetectComponentsData, DetectComponentsResult, DetectRunData } from '../job-data.js';
import { jobIds } from '../job-ids.js';
import { runFinished } from '../ledger-repository.js';
import { JOB } from '../names.js';
import { jobOptions, pipelineOptions } from '../options.js';

let client: Promise<Neo4jClient> | undefined;
function neo4jClient(): Promise<Neo4jClient> {
  client ??= Neo4jClient.connect(loadConfig(), { waitMs: TX_RETRY_MS }).catch((err: unknown) => {
    client = undefined;
    throw err;
  });
  return client;
}

/** Communities of one batch: the same call runDetection makes, on the batch's subgraph. */
export function detectBatch(d: DetectComponentsData): DetectComponentsResult {
  const o = DETECTION_DEFAULTS;
  const assignment = detectCommunities(batchGraph(d), { seed: d.seed, resolution: o.resolution, ...o.communities });
  return toResult(d.batch, assignment);
}

async function addChildren(job: SandboxedJob<DetectRunData>, graph: ProjectedGraph, batches: number[][]): Promise<void> {
  // The sandbox has no queue of its own: open a producer on the same Redis and prefix.
  const prefix = job.queueQualifiedName.slice(0, job.queueQualifiedName.lastIndexOf(':'));
  const name = job.queueQualifiedName.slice(prefix.length + 1);
  const connection = await connectRedis(loadConfig(), 'producer');
  const queue = new Queue(name, { connection, prefix });
  try {
    const opts = { ...jobOptions(pipelineOptions()), failParentOnFailure: true };
    await queue.addBulk(
      batches.map((nodes, i) => ({
        name: JOB.detectComponents,
        data: batchPayload(graph, nodes, job.data, i),
        opts: { ...opts, jobId: jobIds.detectComponents(job.data.runId, i), parent: { id: job.id, queue: job.queueQualifiedName } },
      })),
    );
  } finally {
    await queue.close();
    await connection.quit().catch(() => connection.disconnect());
  }
}

async function detectRun(job: SandboxedJob<DetectRunData>, token: string | undefined): Promise<DetectRunSummary> {
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

  const gather = async (): Promise<DetectRunSummary> => {
    await job.updateProgress({ phase: 'gather', percent: 75 });
    // Children values also hold the finalize-drop result (the flow's ingest child): keep the batches.
    const batchKey = `${job.queueQualifiedName}:${jobIds.detectComponents(runId, 0).replace(/0$/, '')}`;
    const values = Object.entries(await job.getChildrenValues<DetectComponentsResult>())
      .filter(([key]) => key.startsWith(batchKey))
      .map(([, v]) => v);
    // The projection is recomputed (deterministic) rather than stored: Redis holds only job-sized data.
    const { input, graph } = await readAndProject(c, seed);
    const assignment = mergeResults(values);
    return writeFannedOut(c, { runId, seed, onProgress }, input, graph, assignment, values.length);
  };
  if (job.data.step === 'gather') return gather();

  await job.updateProgress({ phase: 'read', percent: 5 });
  const { graph } = await readAndProject(c, seed);
  const batches = graph.accounts.length >= tuning.fanOutMinAccounts ? planBatches(graph, tuning.fanOutBatchAccounts) : [];
  if (batches.length < 2) return detectInProcess(c, { runId, seed, onProgress });

  await job.updateProgress({ phase: `fan-out ${batches.length} batches`, percent: 30 });
  await addChildren(job, graph, batches);
  await job.updateData({ ...job.data, step: 'gather' });
  if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
  // Every child already finished (fast batches): gather now.
  return gather();
}

export default async function detectSandbox(
  job: SandboxedJob<DetectRunData | DetectComponentsData>,
  token?: string,
): Promise<DetectRunSummary | DetectComponentsResult> {
  try {
    if (job.name === JOB.detectComponents) return detectBatch(job.data as DetectComponentsData);
    if (job.name === JOB.detectRun) return await detectRun(job as SandboxedJob<DetectRunData>, token);
    throw new Error(`detect queue: unknown job name ${job.name}`);
  } catch (err) {
    if (err instanceof WaitingChildrenError) throw err;
    throw toJobError(err);
  }
}

