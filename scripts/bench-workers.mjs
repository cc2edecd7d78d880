#!/usr/bin/env node
// Fan-out benchmark (issue #5): detection wall time of one `detect-run` job with 1 against 2
// `ringscope worker --queues detect,detect-batch` processes, on the graph the instance's Neo4j
// already holds (the largest size: load it first, e.g.
//   BENCH_DETECT_SIZES=1000000 BENCH_DETECT_INGEST=bulk npm run bench detect
// which leaves the 1M store in the bench instance). Nothing is wiped; each run adds a linkage run
// (older ones are pruned as usual). Writes bench-out/workers.json for BENCHMARKS.md.
//   npm run bench workers        (BENCH_WORKERS_BATCH=<accounts per batch>, default the pipeline's;
//                                 BENCH_WORKERS_PAIRS=<alternating pairs of runs>, default 2)
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const need = (p) => import(pathToFileURL(path.join(ROOT, 'dist', p)).href);
const { loadConfig } = await need('config/index.js');
const { Neo4jClient, toNum } = await need('db/index.js');
const { openQueues, JOB, jobIds, PIPELINE_DEFAULTS } = await need('jobs/index.js');

const say = (m) => console.error(`[bench-workers] ${m}`);
const sec = (ms) => Math.round(ms / 100) / 10;
const BATCH = Number(process.env.BENCH_WORKERS_BATCH ?? PIPELINE_DEFAULTS.fanOutBatchAccounts);
const SEED = 1;
/** Alternating pairs of runs (1 worker, then 2). */
const PAIRS = Number(process.env.BENCH_WORKERS_PAIRS ?? 2);
// The heap flags of the other benchmarks; the worker turns them into its sandbox threads' limits.
const HEAP = ['--max-old-space-size=8192', '--max-semi-space-size=64'];

const prefix = `bench-workers-${Date.now()}`;
const config = { ...loadConfig(), queuePrefix: prefix };
const client = await Neo4jClient.connect(config);
const accounts = toNum((await client.query('MATCH (a:Account) RETURN count(a) AS n', {}, 'READ')).records[0].get('n'));
if (accounts === 0) {
  say('the database is empty: load the largest drop first (see the header of this script)');
  process.exit(2);
}
say(`${accounts.toLocaleString('en')} accounts in the store; fan-out batches of up to ${BATCH} accounts`);
const q = await openQueues(config);
// Both measured runs read the graph warm: a first read after Neo4j starts pays for page-cache misses
// (213 s against 161 s for the same read in an earlier pair of runs), which would be credited to
// whichever worker count ran first.
{
  const { readLinkageInput } = await need('db/linkage-source.js');
  const t = performance.now();
  await readLinkageInput(client, {});
  say(`warm-up read: ${sec(performance.now() - t)} s`);
}

function spawnWorker(i) {
  const log = fs.openSync(path.join(os.tmpdir(), `${prefix}-w${i}.log`), 'w');
  const child = spawn(process.execPath, [...HEAP, path.join(ROOT, 'bin', 'ringscope.mjs'), 'worker', '--queues', 'detect,detect-batch'], {
    cwd: ROOT,
    env: { ...process.env, RINGSCOPE_QUEUE_PREFIX: prefix, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', log],
  });
  return { child, logFile: path.join(os.tmpdir(), `${prefix}-w${i}.log`) };
}

/** Which worker process ran each fan-out child, and for how long (from the workers' job logs). */
function childrenByWorker(workers) {
  return workers.map((w) => {
    const lines = fs
      .readFileSync(w.logFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        try {
          return JSON.parse(l);
        } catch {
          return {};
        }
      });
    const done = lines.filter((l) => l.msg === 'job completed' && l.job === JOB.detectComponents);
    return { children: done.length, busyS: sec(done.reduce((s, l) => s + (l.ms ?? 0), 0)), longestS: sec(Math.max(0, ...done.map((l) => l.ms ?? 0))) };
  });
}

/** The run's clusters as sorted member lists with recommendation and score (cluster ids differ between runs). */
async function partition(runId) {
  const res = await client.query(
    `MATCH (:LinkageRun {id: $runId})<-[:IN_RUN]-(c:Cluster)<-[:MEMBER_OF]-(a:Account)
     WITH c, a.id AS id ORDER BY id
     WITH c, collect(id) AS members
     RETURN c.recommendation AS rec, c.score AS score, members`,
    { runId },
    'READ',
  );
  const rows = res.records.map((r) => `${r.get('members').join(',')}|${r.get('rec')}|${r.get('score')}`).sort();
  return { clusters: rows.length, checksum: createHash('sha256').update(rows.join('\n')).digest('hex').slice(0, 16) };
}

async function detectWith(n) {
  const workers = Array.from({ length: n }, (_, i) => spawnWorker(i));
  await new Promise((res) => setTimeout(res, 4000)); // let them connect
  const runId = `bench-${n}w-${Date.now()}`;
  const jobId = jobIds.detectRun(runId);
  const t0 = performance.now();
  await q.queues.detect.add(
    JOB.detectRun,
    // full: every run detects from scratch. Without it the second run finds the first one's detection
    // snapshot, updates it incrementally (nothing changed: no fan-out at all) and measures that instead.
    { runId, seed: SEED, resolution: 1, releaseDate: null, keepRuns: 0, drops: [], full: true, fanOut: { batchAccounts: BATCH, minAccounts: 1 } },
    { jobId },
  );
  let job;
  for (;;) {
    job = await q.queues.detect.getJob(jobId);
    const state = await job.getState();
    if (state === 'completed') break;
    if (state === 'failed') throw new Error(`detect failed: ${job.failedReason}`);
    await new Promise((res) => setTimeout(res, 200));
  }
  const ms = performance.now() - t0;
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((res) => (w.child.exitCode !== null ? res() : w.child.on('exit', res)))));
  const r = job.returnvalue;
  if (!(r.fannedOut > 0)) throw new Error(`the ${n}-worker run did not fan out (${JSON.stringify(r)}): nothing to compare`);
  const row = {
    workers: n,
    ms,
    runId,
    children: r.fannedOut,
    clusters: r.clusters,
    enforce: r.enforce,
    review: r.review,
    steps: r.ms,
    perWorker: childrenByWorker(workers),
    partition: await partition(runId),
  };
  for (const w of workers) fs.rmSync(w.logFile, { force: true });
  say(`${n} worker(s): ${sec(ms)} s, steps ${JSON.stringify(r.ms)}, children per worker ${JSON.stringify(row.perWorker)}`);
  return row;
}

// Alternating pairs (1, 2, 1, 2, …): drift in the machine's load or Neo4j's caches then falls on both.
const runs = [];
for (let p = 0; p < PAIRS; p++) for (const n of [1, 2]) runs.push({ pair: p + 1, ...(await detectWith(n)) });
await q.close();
await client.close();

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const of = (n) => runs.filter((r) => r.workers === n);
const wall = (n) => mean(of(n).map((r) => r.ms));
const fan = (n) => mean(of(n).map((r) => r.steps.communities));
const same = runs.every((r) => r.partition.checksum === runs[0].partition.checksum);
const result = {
  command: `BENCH_WORKERS_PAIRS=${PAIRS} npm run bench workers (after BENCH_DETECT_SIZES=1000000 BENCH_DETECT_INGEST=bulk npm run bench detect)`,
  measuredAt: new Date().toISOString(),
  summary:
    `One detect-run on the store's ${accounts.toLocaleString('en')} accounts, fanned out to ${runs[0].children} children (batches of connected components of ≤ ${BATCH.toLocaleString('en')} accounts; a larger component is split by one child and its parts refined by others), ${PAIRS} alternating pair(s) of runs. ` +
    `The fanned-out step (Louvain in the children) took ${of(1)
      .map((r) => sec(r.steps.communities))
      .join(', ')} s with 1 worker process and ${of(2)
      .map((r) => sec(r.steps.communities))
      .join(', ')} s with 2 (mean ${Math.round((1 - fan(2) / fan(1)) * 100)}% less); ` +
    `the whole detection ${of(1)
      .map((r) => sec(r.ms))
      .join(', ')} s and ${of(2)
      .map((r) => sec(r.ms))
      .join(
        ', ',
      )} s (mean ${Math.round(Math.abs(1 - wall(2) / wall(1)) * 100)}% ${wall(2) <= wall(1) ? 'less' : 'more'}: the parent's serial steps vary more than that). ` +
    `Every run wrote the same clusters: ${same ? 'yes' : 'NO'} (${runs[0].partition.clusters} clusters, membership checksum ${runs[0].partition.checksum}).`,
  tables: [
    {
      title: 'Detection: 1 vs 2 worker processes',
      headers: [
        'pair',
        'workers',
        'wall s',
        'read s',
        'project s',
        'fan-out s',
        'score + write s',
        'children',
        'children run per worker (busy s, longest child s)',
        'clusters',
        'enforce',
        'review',
      ],
      rows: runs.map((r) => [
        r.pair,
        r.workers,
        sec(r.ms),
        sec(r.steps.read),
        sec(r.steps.project),
        sec(r.steps.communities),
        sec(r.steps.scoreAndWrite),
        r.children,
        r.perWorker.map((w) => `${w.children} (${w.busyS}, ${w.longestS})`).join(' / '),
        r.clusters,
        r.enforce,
        r.review,
      ]),
    },
  ],
  notes: [
    `Machine: ${os.cpus().length} cores, shared by Neo4j, Redis and the worker processes.`,
    "Only the fan-out step runs in parallel: the parent job reads and projects the graph once (after a warm-up read, so that no run pays for a cold page cache), holds it while the children run on the `detect-batch` queue (any worker process), then scores and writes. The first Louvain level of the largest component runs in one child and bounds the fan-out step from below. The parent's serial steps (read, projection, score + write) vary between runs of the same code by as much as the fan-out step gains, so compare the fan-out column first.",
    `machine load average at the end: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  ],
  raw: { accounts, batchAccounts: BATCH, runs },
};
fs.mkdirSync(path.join(ROOT, 'bench-out'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench-out', 'workers.json'), JSON.stringify(result, null, 2) + '\n');
console.log(result.summary);
process.exit(0);
