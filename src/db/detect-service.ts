import { DEFAULT_TARGET_CAPABILITIES } from '../vocabulary/capabilities.js';
import { runDetection, type CommunitiesBy, type DetectedCluster, type DetectionOptions, type DetectionStats } from '../graph/run-detection.js';
import {
  fullRunFrontier,
  fullRunState,
  runIncrementalDetection,
  type CarriedCluster,
  type ComputedState,
  type FrontierStats,
} from '../graph/incremental-detection.js';
import type { DetectionState } from '../graph/detection-state.js';
import type { FrontierOptions } from '../graph/frontier.js';
import { STATE_FORMAT_VERSION } from './snapshot-codec.js';
import { deltaAccounts } from '../graph/account-digest.js';
import { composeDeltas, patchInput } from '../graph/input-patch.js';
import type { LinkageInput } from '../graph/types.js';
import { readLinkageDelta, readLinkageInput, readTouchedAccounts } from './linkage-source.js';
import {
  checkSnapshot,
  ledgerDrops,
  paramsDigest,
  readSnapshotInput,
  storeIdentity,
  writeSnapshot,
  type FullReason,
  type SnapshotInput,
} from './snapshot-repository.js';
import { writeRun } from './linkage-writer.js';
import type { Neo4jClient } from './neo4j-client.js';
import { countRunClusters, latestFinishedRunId, pruneRuns, readRunClusters } from './run-repository.js';
import { ensureSchema } from './schema.js';
import { releaseBatchAccounts } from './ingest-repository.js';

/**
 * The one detection service: read → detect → write back → prune. `ringscope detect` and the
 * pipeline's `detect-run` job both call `detectAndWrite` with the same options, so the same drop
 * gives the same clusters whichever path ran it. What differs between them is a hook, not a copy:
 * the job passes `communitiesBy` (its fan-out to child jobs) and a progress callback. The CPU-heavy
 * middle is the pure runDetection (src/graph/), so a worker can run it apart from the I/O.
 */
export interface DetectAndWriteOptions {
  /** Seed of every random choice (MinHash salts, Louvain order). @defaultValue 42 */
  readonly seed: number;
  /** Louvain resolution. @defaultValue 1 */
  readonly resolution: number;
  /** Model-release time (epoch ms) for the traffic-shift feature. @defaultValue undefined */
  readonly releaseDate: number | undefined;
  /** Run id; a fresh time-based one when unset (no ':' so it can be a BullMQ job id). @defaultValue undefined */
  readonly runId: string | undefined;
  /** Keep only the newest N finished runs (0 or less: keep all). @defaultValue 10 */
  readonly keepRuns: number;
  /** Neo4j page size for reads. @defaultValue 5000 */
  readonly pageSize: number;
  /** Capability labels that count as targeted (Config.targetCapabilities); recorded in the run's params. @defaultValue DEFAULT_TARGET_CAPABILITIES */
  readonly targetCapabilities: readonly string[];
  /** Further detection options (projection, communities, scoring, lineage). @defaultValue {} */
  readonly detection: Partial<Omit<DetectionOptions, 'seed' | 'resolution' | 'releaseDate' | 'runId' | 'previous' | 'onProgress' | 'communitiesBy'>>;
  /** Computes the communities elsewhere (the pipeline's fan-out); see DetectionOptions. @defaultValue undefined */
  readonly communitiesBy: CommunitiesBy | undefined;
  /** Progress (phase, done, total); total 0 when unknown. @defaultValue undefined */
  readonly onProgress: ((phase: string, done: number, total: number) => void) | undefined;
  /**
   * `auto`: incremental when the snapshot is valid (docs/incremental.md), else full; `full`: always
   * full (`ringscope detect --full`). @defaultValue 'auto'
   */
  readonly mode: 'auto' | 'full';
  /** In `auto` mode, every Nth run is full (the N−1 runs after a full run are incremental); 0: never forced. @defaultValue 7 */
  readonly fullEvery: number;
  /** Folder of the detection snapshot (Config.stateDir); undefined: no snapshot, every run full. @defaultValue undefined */
  readonly stateDir: string | undefined;
  /** Frontier options of incremental runs (link tolerance). @defaultValue {} */
  readonly frontier: Partial<FrontierOptions>;
}

export const DETECT_AND_WRITE_DEFAULTS: DetectAndWriteOptions = Object.freeze({
  seed: 42,
  resolution: 1,
  releaseDate: undefined,
  runId: undefined,
  keepRuns: 10,
  pageSize: 5000,
  targetCapabilities: DEFAULT_TARGET_CAPABILITIES,
  detection: {},
  communitiesBy: undefined,
  onProgress: undefined,
  mode: 'auto',
  fullEvery: 7,
  stateDir: undefined,
  frontier: {},
});

export type RunStats = DetectionStats & FrontierStats & Partial<ReadStats> & { readonly ms: DetectionStats['ms'] & { read: number; write: number } };

/** What the delta read of an incremental run read (run stats; absent when the whole graph was read). */
export interface ReadStats {
  /** Accounts the ingest batches since the snapshot wrote. */
  readonly deltaAccounts: number;
  /** Accounts whose prompt totals were read again (the touched ones and the holders of their shared fingerprints). */
  readonly deltaPromptAccounts: number;
  /** Identifier groups read again, whole. */
  readonly deltaGroups: number;
  /**
   * Milliseconds of the delta read's parts: decoding the snapshot's input files (and listing the
   * fingerprints they hold as shared), listing the accounts the batches since touched, reading what
   * they touch from Neo4j, and patching (with finding the accounts the delta can change).
   */
  readonly deltaReadMs: { readonly snapshot: number; readonly touched: number; readonly delta: number; readonly patch: number };
}

/**
 * The input of a run. An incremental run patches the snapshot's input with the delta of the drops
 * since (docs/incremental.md, "The delta"); it reads the whole graph when the snapshot holds no
 * usable input or an ingest batch since does not list its accounts, and records why
 * (`params.read` = `delta` or `whole`, `params.readDetail`).
 */
async function readInput(
  client: Neo4jClient,
  o: DetectAndWriteOptions,
  state: DetectionState | undefined,
  progress: (phase: string, done: number, total: number) => void,
): Promise<{
  input: LinkageInput;
  params: { read: 'delta' | 'whole'; readDetail: string | null };
  stats: Partial<ReadStats>;
  /** How the next snapshot keeps this input: the previous input file and the nights since it, or whole. */
  keep: SnapshotInput;
  /** The accounts tonight's delta can change (their digests are taken again); undefined: all. */
  changed: ReadonlySet<string> | undefined;
}> {
  const source = { pageSize: o.pageSize, onProgress: (phase: string, n: number) => progress(`read:${phase}`, n, 0) };
  const whole = async (detail: string | null) => {
    const input = await readLinkageInput(client, source);
    return { input, params: { read: 'whole' as const, readDetail: detail }, stats: {}, keep: { whole: input }, changed: undefined };
  };
  if (!state || o.stateDir === undefined) return whole(null);
  let t = performance.now();
  const lap = (): number => {
    const now = performance.now();
    const ms = Math.round(now - t);
    t = now;
    return ms;
  };
  const held = await readSnapshotInput(o.stateDir, state);
  if ('reason' in held) return whole(held.reason);
  // Shared prompt fingerprints of the previous input: the input file's, as its delta left them.
  const sharedBefore = new Set<string>();
  for (const g of held.base.identifiers) if (g.kind === 'prompt' && g.members.length > 1) sharedBefore.add(g.key);
  for (const g of held.delta?.identifiers ?? []) {
    if (g.kind !== 'prompt') continue;
    if (g.members.length > 1) sharedBefore.add(g.key);
    else sharedBefore.delete(g.key);
  }
  const snapshotMs = lap();
  const touched = await readTouchedAccounts(client, state.drops);
  const touchedMs = lap();
  if (!touched.complete) return whole('an ingest batch since the snapshot does not list its accounts (a bulk load, or an older version)');
  const delta = await readLinkageDelta(client, touched.accounts, { ...source, wasShared: (k) => sharedBefore.has(k) });
  const deltaMs = lap();
  // One patch of the input file with every night since it, composed (docs/incremental.md, "What a run keeps").
  const since = held.delta ? composeDeltas(held.delta, delta) : delta;
  const input = patchInput(held.base, since);
  const changed = deltaAccounts(delta);
  return {
    input,
    params: { read: 'delta' as const, readDetail: null },
    stats: {
      deltaAccounts: touched.accounts.length,
      deltaPromptAccounts: delta.promptAccounts.length,
      deltaGroups: delta.identifiers.length,
      deltaReadMs: { snapshot: snapshotMs, touched: touchedMs, delta: deltaMs, patch: lap() },
    },
    keep: { whole: input, base: { sha256: held.baseSha256, delta: since } },
    changed,
  };
}

export interface DetectAndWriteResult {
  readonly runId: string;
  readonly previousRunId: string | undefined;
  readonly mode: 'full' | 'incremental';
  /** Why the run is full (undefined for an incremental run). */
  readonly fullReason: FullReason | undefined;
  /** `delta`: the snapshot's input patched with what the drops since touched; `whole`: the whole graph read (docs/incremental.md). */
  readonly read: 'delta' | 'whole';
  /** Why an incremental run read the whole graph (null otherwise). */
  readonly readDetail: string | null;
  /** Clusters detected and scored by this run (an incremental run's frontier only). */
  readonly clusters: readonly DetectedCluster[];
  /** Clusters carried over unchanged from the previous run (incremental runs). */
  readonly carried: readonly CarriedCluster[];
  /** The snapshot could not be written (the next run is then full); undefined when it was. */
  readonly snapshotError: string | undefined;
  /** Time to build and write the snapshot, after the run finished (not in LinkageRun.stats). */
  readonly snapshotMs: number;
  readonly stats: RunStats;
  readonly pruned: readonly string[];
}

/** A sortable, job-id-safe run id: run-YYYYMMDDTHHMMSSmmmZ. */
export function newRunId(now = new Date()): string {
  return `run-${now.toISOString().replace(/[-:.]/g, '')}`;
}

/** The parameters a run records (LinkageRun.params): enough to reproduce it. */
export function runParams(o: DetectAndWriteOptions, previousRunId: string | undefined): Record<string, unknown> {
  return {
    seed: o.seed,
    resolution: o.resolution,
    releaseDate: o.releaseDate === undefined ? null : new Date(o.releaseDate).toISOString(),
    previousRunId: previousRunId ?? null,
    targetCapabilities: o.detection.scoring?.targetCapabilities ?? o.targetCapabilities,
    ...o.detection,
  };
}

/** What a snapshot depends on besides the data: another value is a foreign snapshot. */
function stateParams(o: DetectAndWriteOptions): string {
  return paramsDigest({
    format: STATE_FORMAT_VERSION,
    seed: o.seed,
    resolution: o.resolution,
    releaseDate: o.releaseDate ?? null,
    targetCapabilities: o.detection.scoring?.targetCapabilities ?? o.targetCapabilities,
    detection: o.detection,
    frontier: o.frontier,
  });
}

export async function detectAndWrite(client: Neo4jClient, options: Partial<DetectAndWriteOptions> = {}): Promise<DetectAndWriteResult> {
  const o: DetectAndWriteOptions = { ...DETECT_AND_WRITE_DEFAULTS, ...options };
  const progress = o.onProgress ?? (() => undefined);
  const startedAt = Date.now();
  const runId = o.runId ?? newRunId(new Date(startedAt));
  await ensureSchema(client);
  let t = performance.now();
  // The ledger before the read: a drop recorded meanwhile is new to the next run (its rows are seen by digest anyway).
  const [storeId, drops] = await Promise.all([storeIdentity(client), ledgerDrops(client)]);
  const digest = stateParams(o);
  const latest = await latestFinishedRunId(client);
  const previousRunId = latest !== runId ? latest : undefined;
  let fullReason: FullReason | undefined;
  let fullDetail = '';
  let snapshot: Awaited<ReturnType<typeof checkSnapshot>> | undefined;
  if (o.mode === 'full') fullReason = 'requested';
  else if (o.stateDir === undefined) fullReason = 'disabled';
  else {
    snapshot = await checkSnapshot(client, o.stateDir, { paramsDigest: digest, latestRunId: previousRunId });
    if (!snapshot.ok) {
      fullReason = snapshot.reason;
      fullDetail = snapshot.detail;
    } else if ((await countRunClusters(client, snapshot.state.runId)) !== snapshot.state.clusters.length) {
      // Carried clusters are the previous run's nodes: a run whose clusters were deleted or edited since cannot lend them.
      fullReason = 'stale-run';
      fullDetail = `run ${snapshot.state.runId} no longer holds the ${snapshot.state.clusters.length} clusters the snapshot names`;
    } else if (o.fullEvery > 0 && snapshot.state.sinceFull + 1 >= o.fullEvery) {
      fullReason = 'scheduled';
      fullDetail = `${snapshot.state.sinceFull} incremental run(s) since full run ${snapshot.state.fullRunId}; a full run every ${o.fullEvery}`;
    }
  }
  const read = await readInput(client, o, fullReason === undefined && snapshot?.ok ? snapshot.state : undefined, progress);
  const input = read.input;
  const header = (mode: 'full' | 'incremental', extra: Record<string, unknown>) => ({
    id: runId,
    startedAt,
    seed: o.seed,
    params: { ...runParams(o, previousRunId), mode, ...extra },
  });
  const finish = async (computed: () => ComputedState, fullRunId: string): Promise<{ snapshotError: string | undefined; snapshotMs: number }> => {
    const t0 = performance.now();
    if (o.stateDir === undefined) return { snapshotError: undefined, snapshotMs: 0 };
    let snapshotError: string | undefined;
    try {
      await writeSnapshot(o.stateDir, { ...computed(), runId, storeId, paramsDigest: digest, drops, fullRunId }, read.keep);
    } catch (err) {
      snapshotError = (err as Error).message;
    }
    return { snapshotError, snapshotMs: Math.round(performance.now() - t0) };
  };
  // The options both paths detect with: the same seed, resolution, release date and scoring.
  const detection = {
    ...o.detection,
    scoring: { targetCapabilities: o.targetCapabilities, ...o.detection.scoring },
    seed: o.seed,
    resolution: o.resolution,
    releaseDate: o.releaseDate,
    runId,
    onProgress: progress,
  };
  if (fullReason === undefined && snapshot?.ok) {
    const state = snapshot.state;
    const tRead = performance.now() - t;
    const result = await runIncrementalDetection(input, state, {
      ...detection,
      frontier: o.frontier,
      ...(read.changed ? { changedAccounts: read.changed } : {}),
    });
    t = performance.now();
    const { frontier, ...detectionStats } = result.stats;
    const stats: RunStats = { ...detectionStats, ...frontier, ...read.stats, ms: { ...result.stats.ms, read: Math.round(tRead), write: 0 } };
    await writeRun(
      client,
      header('incremental', { snapshotRunId: state.runId, fullRunId: state.fullRunId, newDrops: snapshot.newDrops, ...read.params }),
      result.clusters,
      stats,
      { onProgress: (p, d, n) => progress(`write:${p}`, d, n), carry: { fromRunId: state.runId, clusterIds: result.carried.map((c) => c.id) } },
    );
    stats.ms.write = Math.round(performance.now() - t);
    const snap = await finish(() => result.state, state.fullRunId);
    await releaseBatchAccounts(client, drops);
    const pruned = o.keepRuns > 0 ? await pruneRuns(client, o.keepRuns) : [];
    return {
      runId,
      previousRunId,
      mode: 'incremental',
      fullReason: undefined,
      ...read.params,
      clusters: result.clusters,
      carried: result.carried,
      ...snap,
      stats,
      pruned,
    };
  }
  const previous = previousRunId ? await readRunClusters(client, previousRunId) : [];
  const tRead = performance.now() - t;
  const result = await runDetection(input, { ...detection, previous, communitiesBy: o.communitiesBy });
  t = performance.now();
  const stats: RunStats = { ...result.stats, ...fullRunFrontier(result.graph), ms: { ...result.stats.ms, read: Math.round(tRead), write: 0 } };
  await writeRun(client, header('full', { fullReason, fullReasonDetail: fullDetail || null, ...read.params }), result.clusters, stats, {
    onProgress: (p, d, n) => progress(`write:${p}`, d, n),
  });
  stats.ms.write = Math.round(performance.now() - t);
  const snap = await finish(() => fullRunState(input, result.graph, result.clusters), runId);
  // The drops this finished run read are in every later snapshot: their batches' account lists are done with.
  await releaseBatchAccounts(client, drops);
  const pruned = o.keepRuns > 0 ? await pruneRuns(client, o.keepRuns) : [];
  return { runId, previousRunId, mode: 'full', fullReason, ...read.params, clusters: result.clusters, carried: [], ...snap, stats, pruned };
}
