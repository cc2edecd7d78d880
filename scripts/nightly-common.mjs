// Shared by bench-nightly.mjs (speed) and bench-nightly-quality.mjs (quality): generated worlds of
// several nights, a detection run with its peak heap, and the mode/stats a run recorded in Neo4j.
// Code from dist/ (npm run bench compiles it first).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const dist = (p) => import(path.join(ROOT, 'dist', p));

const { generate, generateNight, readManifest } = await dist('generator/index.js');
const { detectAndWrite } = await dist('db/detect-service.js');

/**
 * Night 1 … night `nights` of a world under `dir` (night-<k>/), generated unless a previous run left
 * them with the same options. Returns each night's folder, drop, truth and night.csv.
 */
export async function worldNights(dir, { scenario, accounts, seed, nights, touchShare }) {
  const out = [];
  for (let k = 1; k <= nights; k++) {
    const nightDir = path.join(dir, `night-${k}`);
    let ok = false;
    try {
      const { manifest } = readManifest(nightDir);
      ok =
        manifest.day === k &&
        manifest.scenario === scenario &&
        manifest.accounts === accounts &&
        manifest.seed === seed &&
        (k === 1 || manifest.nights.at(-1).touchShare === touchShare);
    } catch {
      ok = false;
    }
    let generateS = null;
    if (!ok) {
      // A night depends on the one before: regenerate this one and every later one.
      for (let j = k; j <= nights; j++) fs.rmSync(path.join(dir, `night-${j}`), { recursive: true, force: true });
      const t = performance.now();
      if (k === 1) await generate({ scenario, accounts, seed, out: nightDir });
      else await generateNight({ from: path.join(dir, `night-${k - 1}`), out: nightDir, touchShare });
      generateS = +((performance.now() - t) / 1000).toFixed(1);
    }
    const { manifest } = readManifest(nightDir);
    out.push({
      day: k,
      dir: nightDir,
      drop: path.join(nightDir, manifest.drop),
      truth: path.join(nightDir, 'truth.csv'),
      nightFile: k === 1 ? undefined : path.join(nightDir, 'night.csv'),
      worldAccounts: manifest.worldAccounts,
      generateS,
    });
  }
  return out;
}

/** Accounts with rows in a night's drop (night.csv, every event but `banned`). */
export function touchedAccounts(nightFile) {
  const lines = fs.readFileSync(nightFile, 'utf8').trim().split('\n').slice(1);
  const touched = new Set();
  const events = {};
  for (const l of lines) {
    const [id, event] = l.split(',');
    events[event] = (events[event] ?? 0) + 1;
    if (event !== 'banned') touched.add(id);
  }
  return { touched, events };
}

/** Peak V8 heap used while `fn` runs, sampled every 250 ms. */
export async function withPeakHeap(fn) {
  let peak = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 250);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    return { value, peakHeapMb: Math.round(peak / 2 ** 20) };
  } finally {
    clearInterval(timer);
  }
}

/** The mode, params and stats a run recorded (LinkageRun.params / .stats); a run without `mode` was full. */
export async function recordedRun(client, runId) {
  const r = await client.query('MATCH (r:LinkageRun {id: $id}) RETURN r.params AS params, r.stats AS stats', { id: runId }, 'READ');
  const rec = r.records[0];
  const params = rec ? JSON.parse(rec.get('params') ?? '{}') : {};
  const stats = rec ? JSON.parse(rec.get('stats') ?? '{}') : {};
  return { mode: params.mode ?? 'full', params, stats };
}

/**
 * One detection through the detection service (what `ringscope detect` runs): `full` forces a full
 * run (`--full`), `auto` is incremental when the snapshot in `stateDir` is valid. A build without
 * the incremental engine ignores both and runs full; the mode is read back from the run's params.
 */
export async function detect(client, { mode, stateDir, runId, log }) {
  const t = performance.now();
  const { value: res, peakHeapMb } = await withPeakHeap(() =>
    detectAndWrite(client, { seed: 42, keepRuns: 0, mode, stateDir, runId, onProgress: (phase, done, total) => log?.(`detect ${phase} ${done}/${total}`) }),
  );
  const seconds = (performance.now() - t) / 1000;
  const run = await recordedRun(client, res.runId);
  const ms = res.stats.ms;
  const phases = { read: ms.read, project: ms.project, communities: ms.communities, scoring: ms.scoring, write: ms.write };
  const [dominant] = Object.entries(phases).sort((a, b) => b[1] - a[1])[0];
  const s = run.stats;
  return {
    runId: res.runId,
    mode: run.mode,
    fullReason: run.params.fullReason ?? null,
    seconds: +seconds.toFixed(1),
    phasesS: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, +(v / 1000).toFixed(1)])),
    dominant,
    dominantShare: +(phases[dominant] / Object.values(phases).reduce((a, b) => a + b, 0)).toFixed(2),
    peakHeapMb,
    clusters: s.clusters ?? res.clusters.length,
    frontierAccounts: s.frontierAccounts ?? null,
    carriedClusters: s.carriedClusters ?? null,
    carriedAccounts: s.carriedAccounts ?? null,
    touchedAccounts: s.touchedAccounts ?? null,
    changedLinks: s.changedLinks ?? null,
    driftLinks: s.driftLinks ?? null,
    read: run.params.read ?? null,
    readDetail: run.params.readDetail ?? null,
    deltaAccounts: s.deltaAccounts ?? null,
    deltaGroups: s.deltaGroups ?? null,
    deltaReadS: s.deltaReadMs ? Object.fromEntries(Object.entries(s.deltaReadMs).map(([k, v]) => [k, +(v / 1000).toFixed(1)])) : null,
    snapshotS: +((res.snapshotMs ?? 0) / 1000).toFixed(1),
  };
}

/** The commit of this checkout (HEAD, `+` when the tree has uncommitted changes); benches take it as they start. */
export function commitOf() {
  const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const head = git('rev-parse', '--short=12', 'HEAD') || '?';
  return git('status', '--porcelain', '--untracked-files=no') ? `${head}+` : head;
}
