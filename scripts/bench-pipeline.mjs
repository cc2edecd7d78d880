#!/usr/bin/env node
// Pipeline benchmark (issue #5): the BullMQ pipeline's overhead against calling the same steps
// directly (ingestDrop + detectAndWrite + exportRun). Detection with 1 against 2 worker processes,
// fanned out per batch of connected components, is the `workers` section (bench-workers.mjs), run
// on the largest store.
// Runs the compiled code in dist/ against the services of RINGSCOPE_INSTANCE (it WIPES that
// instance's Neo4j database, so it refuses the dev instance unless --allow-dev is given).
// Writes bench-out/pipeline.json for BENCHMARKS.md.
//   node scripts/with-services.mjs --instance bench -- node scripts/bench-pipeline.mjs [--accounts 10000] [--seed 1]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resetStore } from './wipe-neo4j.mjs';
import * as services from './services.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const need = (p) => {
  const f = path.join(ROOT, 'dist', p);
  if (!fs.existsSync(f)) {
    console.error('bench-pipeline: dist/ is missing; run `npm run build` first');
    process.exit(2);
  }
  return import(pathToFileURL(f).href);
};
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const ACCOUNTS = arg('accounts', 10_000);
const SEED = arg('seed', 1);
const INSTANCE = process.env.RINGSCOPE_INSTANCE ?? 'dev';
if (INSTANCE === 'dev' && !process.argv.includes('--allow-dev')) {
  console.error('bench-pipeline: refusing to wipe the dev instance; run it under --instance bench (or pass --allow-dev)');
  process.exit(2);
}

const { loadConfig } = await need('config/index.js');
const { Neo4jClient } = await need('db/index.js');
const { generate } = await need('generator/index.js');
const { ingestDrop, openDrop } = await need('loaders/index.js');
const { detectAndWrite } = await need('db/detect-service.js');
const { exportRun } = await need('export/index.js');
const { openQueues, startWorkers, submitDrop, followFlow } = await need('jobs/index.js');
const { createLogger } = await need('util/logger.js');

const log = createLogger('silent');
const base = loadConfig();
const prefix = `bench-${Date.now()}`;
const config = { ...base, queuePrefix: prefix };
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-bench-pipeline-'));
const sec = (ms) => Math.round(ms / 100) / 10;
const say = (m) => console.error(`[bench-pipeline] ${m}`);

say(`generating ${ACCOUNTS} accounts (scenario mixed, seed ${SEED})...`);
const gen = await generate({ scenario: 'mixed', accounts: ACCOUNTS, seed: SEED, out: path.join(work, 'gen') });
const drop = await openDrop(gen.dropDir);
const rows = Object.values(gen.rows).reduce((a, b) => a + b, 0);
let client = await Neo4jClient.connect(config);
// Each path starts on a fresh store (deleted with Neo4j stopped): a Cypher wipe of a large store
// left by another benchmark takes many minutes and slows the next load.
const freshStore = async () => {
  await client.close();
  await resetStore(services, INSTANCE, config.neo4j.uri);
  client = await Neo4jClient.connect(config);
};

// 1. The same steps called directly.
await freshStore();
say('direct: ingestDrop + detectAndWrite + exportRun...');
let t = performance.now();
await ingestDrop(client, gen.dropDir, { stateDir: work, maxRejectRatio: config.maxRejectRatio });
const tIngest = performance.now() - t;
const tDetect0 = performance.now();
const direct = await detectAndWrite(client, { runId: 'bench-direct', seed: SEED, keepRuns: 0 });
const tDetect = performance.now() - tDetect0;
await exportRun(client, { run: 'bench-direct', format: 'csv', out: path.join(work, 'direct.csv') });
await exportRun(client, { run: 'bench-direct', format: 'json', out: path.join(work, 'direct.json') });
const tDirect = performance.now() - t;
say(`direct: ${sec(tDirect)} s (ingest ${sec(tIngest)} s, detect ${sec(tDetect)} s)`);

// 2. The whole flow through BullMQ with one in-process worker (ingest, sandboxed detect, export).
await freshStore();
say('pipeline: ringscope run --with-worker equivalent...');
const q = await openQueues(config);
const pool = await startWorkers(config, log, { concurrency: 1 });
t = performance.now();
const r = await submitDrop(q, client, gen.dropDir, work, { seed: SEED, outDir: path.join(work, 'pipeline-out') });
await followFlow(q, r, { pollMs: 100 });
const tPipeline = performance.now() - t;
say(`pipeline: ${sec(tPipeline)} s`);
await pool.close();
const pipelineRun = await q.queues.detect.getJob(r.detectJobId);

await q.close();
await client.close();

const overhead = tPipeline - tDirect;
const result = {
  command: `node scripts/bench-pipeline.mjs --accounts ${ACCOUNTS} --seed ${SEED}`,
  measuredAt: new Date().toISOString(),
  summary:
    `One drop of ${ACCOUNTS.toLocaleString('en')} accounts (${rows.toLocaleString('en')} rows, scenario mixed). ` +
    `The pipeline (one in-process worker, sandboxed detection) took ${sec(tPipeline)} s against ${sec(tDirect)} s for the same steps called directly ` +
    `(${overhead >= 0 ? '+' : ''}${sec(overhead)} s, ${Math.round((overhead / tDirect) * 100)}%). ` +
    `Detection with 1 vs 2 worker processes is measured at the largest size in its own section (workers).`,
  tables: [
    {
      title: 'Pipeline overhead',
      headers: ['path', 'wall s', 'notes'],
      rows: [
        ['direct: ingestDrop + detectAndWrite + exportRun (csv, json)', sec(tDirect), `ingest ${sec(tIngest)} s, detect ${sec(tDetect)} s`],
        [
          'pipeline: flow of ingest-file ×' + drop.files.length + ' → finalize → detect (sandbox) → export',
          sec(tPipeline),
          `${pipelineRun?.returnvalue?.clusters ?? '?'} clusters`,
        ],
      ],
    },
  ],
  notes: [
    `Machine: ${os.cpus().length} cores shared with other work; figures are single runs; load average at the end ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}.`,
    `${services.describeNeo4jMemory(services.startedNeo4jMemory(INSTANCE))}.`,
    `The pipeline's detect job read and projected the graph once (${
      pipelineRun?.returnvalue?.ms
        ? Object.entries(pipelineRun.returnvalue.ms)
            .map(([k, v]) => `${k} ${sec(v)} s`)
            .join(', ')
        : 'steps not reported'
    }).`,
    `Direct detection (single process, no fan-out) found ${direct.clusters.length} clusters.`,
  ],
  raw: {
    accounts: ACCOUNTS,
    rows,
    files: drop.files.length,
    directMs: tDirect,
    ingestMs: tIngest,
    detectMs: tDetect,
    pipelineMs: tPipeline,
    pipelineDetect: pipelineRun?.returnvalue ?? null,
  },
};
fs.mkdirSync(path.join(ROOT, 'bench-out'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench-out', 'pipeline.json'), JSON.stringify(result, null, 2) + '\n');
fs.rmSync(work, { recursive: true, force: true });
console.log(result.summary);
process.exit(0);
