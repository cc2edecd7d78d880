#!/usr/bin/env node
// Soak (issue #8 item 5): the nightly pipeline N times on fresh generated drops against one Redis and
// one Neo4j, with one long-lived `ringscope worker` process. After each iteration it samples the
// worker's RSS and heap (after a GC) and Redis's used_memory and key count, and checks that they
// stay flat: the last sample at most SOAK_MAX_GROWTH (1.5) × the second (the first warms up).
// Writes bench-out/soak.json for BENCHMARKS.md.
//
//   npm run soak                      (= node scripts/with-services.mjs --instance soak -- node scripts/soak.mjs)
//   SOAK_ITERATIONS=5 SOAK_ACCOUNTS=2000 npm run soak
//
// Each iteration: generate a drop (seed = iteration), clear the evidence graph (so that every
// iteration does the same amount of work and growth means a leak, not more data; SOAK_KEEP_GRAPH=1
// keeps it and lets the graph grow like real nights), then `ringscope run <drop>` (the real CLI,
// following the flow until the export is written). It WIPES the instance's Neo4j: refuses `dev`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { wipe } from './wipe-neo4j.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'ringscope.mjs');
const ITERATIONS = Number(process.env.SOAK_ITERATIONS ?? 5);
const ACCOUNTS = Number(process.env.SOAK_ACCOUNTS ?? 2000);
const MAX_GROWTH = Number(process.env.SOAK_MAX_GROWTH ?? 1.5);
const KEEP_GRAPH = process.env.SOAK_KEEP_GRAPH === '1';
if (!Number.isInteger(ITERATIONS) || ITERATIONS < 3) {
  console.error('soak: SOAK_ITERATIONS must be an integer ≥ 3 (the check compares the last iteration with the second)');
  process.exit(2);
}
if (!Number.isInteger(ACCOUNTS) || ACCOUNTS < 50) {
  console.error('soak: SOAK_ACCOUNTS must be an integer ≥ 50');
  process.exit(2);
}
if ((process.env.RINGSCOPE_INSTANCE ?? 'dev') === 'dev') {
  console.error('soak: refusing to wipe the dev instance; run it with `npm run soak` (instance soak)');
  process.exit(2);
}
const dist = async (p) => {
  const f = path.join(ROOT, 'dist', p);
  if (!fs.existsSync(f)) {
    console.error('soak: dist/ is missing; run it through scripts/with-services.mjs (it compiles)');
    process.exit(2);
  }
  return import(pathToFileURL(f).href);
};
const { loadConfig } = await dist('config/index.js');
const { Neo4jClient } = await dist('db/index.js');
const { generate } = await dist('generator/index.js');
const { Redis } = await import('ioredis');

const say = (m) => console.error(`[soak] ${m}`);
const prefix = `soak-${Date.now().toString(36)}`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-soak-'));
const probeFile = path.join(work, 'worker-memory.json');
const env = { ...process.env, RINGSCOPE_QUEUE_PREFIX: prefix, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', SOAK_PROBE_FILE: probeFile };
const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });

// The worker's own view of its memory: a preloaded module (no change to the worker) that, every
// second, collects garbage and writes process.memoryUsage() to a file this script reads.
// (`--expose-gc` on the command line would be inherited by the detect sandbox's worker threads,
// which refuse it; the flag is set at run time instead. Worker threads load the probe too: only the
// main thread writes.)
const PROBE = `import fs from 'node:fs'; import v8 from 'node:v8'; import vm from 'node:vm'; import { isMainThread } from 'node:worker_threads';
if (isMainThread) {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const f = process.env.SOAK_PROBE_FILE;
  setInterval(() => { gc(); fs.writeFileSync(f + '.tmp', JSON.stringify({ at: Date.now(), ...process.memoryUsage() })); fs.renameSync(f + '.tmp', f); }, 1000).unref();
}`;

function spawnCli(args, opts = {}) {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), CLI, ...args], {
    cwd: ROOT,
    env: { ...env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return { child, exited, out: () => out, err: () => err };
}

const QUEUES = ['ingest', 'detect', 'export', 'webhook'];

/**
 * Redis footprint of this run's prefix. Keys of completed jobs kept by removeOnComplete (by design,
 * up to 1000 per queue) are counted apart: the flatness check is on the other keys.
 */
async function redisSample(redis) {
  const info = await redis.info('memory');
  const retained = new Set();
  for (const q of QUEUES) for (const id of await redis.zrange(`${prefix}:${q}:completed`, 0, -1)) retained.add(`${prefix}:${q}:${id}`);
  let keys = 0;
  let jobKeys = 0;
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const k of batch) {
      keys++;
      const base = k.split(':').slice(0, 3).join(':');
      if (retained.has(base)) jobKeys++;
    }
  } while (cursor !== '0');
  return {
    usedMemory: Number(/used_memory:(\d+)/.exec(info)?.[1]),
    keys,
    retainedJobs: retained.size,
    retainedJobKeys: jobKeys,
    otherKeys: keys - jobKeys,
    dbsize: await redis.dbsize(),
  };
}

async function workerSample(after) {
  // Wait for a probe written after the iteration ended (so it reflects the idle worker after a GC).
  for (let i = 0; i < 100; i++) {
    try {
      const m = JSON.parse(fs.readFileSync(probeFile, 'utf8'));
      if (m.at > after + 1000) return m;
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the worker memory probe stopped answering');
}

const client = await Neo4jClient.connect(config);
const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 3 });
// The worker logs at info at least: its 'worker started' line is what this script waits for.
const worker = spawnCli(['worker'], {
  env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
  nodeArgs: ['--import', `data:text/javascript,${encodeURIComponent(PROBE)}`],
});
const rows = [];
const raw = [];
let failed;
try {
  for (let t = Date.now(); !worker.err().includes('worker started');) {
    if (worker.child.exitCode !== null || Date.now() - t > 60_000) throw new Error(`worker did not start:\n${worker.err()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  say(`worker pid ${worker.child.pid}, queue prefix ${prefix}, ${ITERATIONS} iterations of ${ACCOUNTS} accounts`);
  for (let i = 1; i <= ITERATIONS; i++) {
    if (!KEEP_GRAPH || i === 1) await wipe(client);
    const out = path.join(work, `drop-${i}`);
    const g = await generate({ scenario: 'mixed', accounts: ACCOUNTS, seed: 1000 + i, out });
    const t0 = performance.now();
    // Each night is its own drop id (every generated folder is named `drop`; one id stands for one content).
    const run = spawnCli(['run', g.dropDir, '--drop-id', `soak-${i}`, '--out', path.join(out, 'exports'), '--format', 'csv,json']);
    const code = await run.exited;
    const seconds = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`iteration ${i}: ringscope run exited ${code}\n${run.err().slice(-3000)}`);
    const summary = JSON.parse(run.out().trim().split('\n').pop());
    const ended = Date.now();
    const w = await workerSample(ended);
    const r = await redisSample(redis);
    const row = [
      i,
      Math.round(seconds * 10) / 10,
      +(w.rss / 2 ** 20).toFixed(1),
      +(w.heapUsed / 2 ** 20).toFixed(1),
      +(r.usedMemory / 2 ** 20).toFixed(2),
      r.otherKeys,
      r.retainedJobs,
      r.keys,
    ];
    rows.push(row);
    // File names only: the export folder is a temp dir of the machine that ran the soak.
    const exp = summary.export && { ...summary.export, files: (summary.export.files ?? []).map((f) => path.basename(f)) };
    raw.push({ iteration: i, seconds, runId: summary.runId, export: exp, worker: w, redis: r });
    say(`iteration ${i}: ${row[1]} s, worker rss ${row[2]} MiB heap ${row[3]} MiB, redis ${row[4]} MiB, ${row[7]} keys (${row[6]} completed jobs kept)`);
  }
} catch (err) {
  failed = err;
} finally {
  worker.child.kill('SIGTERM');
  await worker.exited;
  redis.disconnect();
  await client.close();
}
if (failed) {
  console.error(`soak: ${failed.message}`);
  process.exit(1);
}

const headers = [
  'iteration',
  'run seconds',
  'worker RSS MiB',
  'worker heap MiB (after GC)',
  'Redis used_memory MiB',
  'Redis keys other than kept jobs',
  'completed jobs kept',
  'Redis keys (prefix, all)',
];
const checks = [2, 3, 4, 5].map((col) => {
  const second = rows[1][col];
  const last = rows[rows.length - 1][col];
  return { metric: headers[col], second, last, ratio: +(last / second).toFixed(3), ok: last <= MAX_GROWTH * second };
});
const ok = checks.every((c) => c.ok);
const doc = {
  command: `SOAK_ITERATIONS=${ITERATIONS} SOAK_ACCOUNTS=${ACCOUNTS}${KEEP_GRAPH ? ' SOAK_KEEP_GRAPH=1' : ''} npm run soak`,
  measuredAt: new Date().toISOString(),
  summary: `${ITERATIONS} nightly runs of ${ACCOUNTS} generated accounts each through one worker process: ${ok ? 'flat' : 'NOT flat'} (last ≤ ${MAX_GROWTH}× second iteration: ${checks.map((c) => `${c.metric} ×${c.ratio}`).join(', ')})`,
  table: { headers, rows },
  notes: [
    `Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown cpu'}), load average ${os.loadavg()[0].toFixed(2)} at the end; the machine is shared, so run seconds are indicative only.`,
    KEEP_GRAPH
      ? 'SOAK_KEEP_GRAPH=1: the graph accumulates across iterations like real nights, so memory may grow with the data.'
      : 'The evidence graph is cleared before each iteration so that every iteration does the same work; growth would mean a leak.',
    'Worker memory is read inside the worker process by a preloaded probe after a forced GC; the detect sandbox (worker threads) counts in RSS, not in heap.',
    "Redis keys count only this run's queue prefix. Completed jobs are kept up to removeOnComplete (1000 per queue, 1 day), so their keys grow by design until that cap; the flatness check is on the other keys (queues, event streams, markers, locks).",
  ],
  checks,
  raw,
};
fs.mkdirSync(path.join(ROOT, 'bench-out'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench-out', 'soak.json'), JSON.stringify(doc, null, 2) + '\n');
say(doc.summary);
say('wrote bench-out/soak.json');
process.exit(ok ? 0 : 1);
