#!/usr/bin/env node
// Detection scaling: for each size, generate a `mixed` drop, ingest it into a wiped Neo4j, then time
// projection + communities + scoring + write-back (detectAndWrite), recording wall time per phase,
// peak RSS of this process, and edges produced. Sizes: BENCH_DETECT_SIZES (default "7000,70000").
// BENCH_DETECT_INGEST=bulk loads each drop with the offline importer instead (`ringscope bulk-load`:
// Neo4j stopped, import with overwrite, Neo4j started, constraints built); the ingest time then
// covers all of that. Rows are kept per (size, ingest mode).
// Run through `npm run bench detect` (services started by with-services.mjs, code from dist/).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(ROOT, 'dist', p));
const { loadConfig } = await dist('config/index.js');
const { Neo4jClient } = await dist('db/index.js');
const { detectAndWrite } = await dist('db/detect-service.js');
const { ingestDrop, bulkLoad } = await dist('loaders/index.js');
const { ensureSchema } = await dist('db/schema.js');
const services = await import('./services.mjs');
const { resetStore } = await import('./wipe-neo4j.mjs');
const MODE = process.env.BENCH_DETECT_INGEST === 'bulk' ? 'bulk' : 'transactional';
const { generate } = await dist('generator/index.js');

// BENCH_DETECT_SIZES=none measures nothing and only rewrites the report from the last figures.
const sizesEnv = process.env.BENCH_DETECT_SIZES ?? '7000,70000';
const sizes = sizesEnv === 'none' ? [] : sizesEnv.split(',').map(Number);
const work = path.join(ROOT, '.ringscope', 'bench-data');
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
if (!process.env.RINGSCOPE_INSTANCE || process.env.RINGSCOPE_INSTANCE === 'dev') {
  console.error('bench-detect wipes its database: run it through `npm run bench` (instance "bench")');
  process.exit(2);
}

// Rows of sizes not measured in this run are kept from the last report (each row says when it was measured).
const OUT_FILE = path.join(ROOT, 'bench-out', 'detect.json');
const previous = fs.existsSync(OUT_FILE) ? (JSON.parse(fs.readFileSync(OUT_FILE, 'utf8')).raw ?? []) : [];
// BENCH_DETECT_REUSE=1: when the database already holds a size's drop (its ledger entry), skip the
// wipe and the ingest and detect again; the ingest figures are then the last measured ones.
const REUSE = process.env.BENCH_DETECT_REUSE === '1';
const { openDrop } = await dist('loaders/index.js');
const { isDropIngested } = await dist('db/schema.js');

const modeOf = (r) => r.ingestMode ?? 'transactional';
const neo4jMemory = () => services.startedNeo4jMemory(process.env.RINGSCOPE_INSTANCE);

const results = previous.filter((r) => !(sizes.includes(r.accounts) && modeOf(r) === MODE));
for (const n of sizes) {
  const dir = path.join(work, `mixed-${n}`);
  let t = performance.now();
  if (!fs.existsSync(path.join(dir, 'truth.csv'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    await generate({ scenario: 'mixed', accounts: n, seed: 1, out: dir });
  }
  const genS = (performance.now() - t) / 1000;
  let client = await Neo4jClient.connect(config);
  try {
    // A line to stderr every 30 s, so a long size can be watched.
    let lastLog = 0;
    const log = (what) => {
      if (Date.now() - lastLog < 30_000) return;
      lastLog = Date.now();
      console.error(`[bench-detect] ${new Date().toISOString().slice(11, 19)} ${n}: ${what} (heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB)`);
    };
    const reused = REUSE && MODE === 'transactional' && (await isDropIngested(client, (await openDrop(path.join(dir, 'drop'))).sha256));
    let ing;
    let ingestS;
    let bulk;
    if (MODE === 'bulk') {
      const instance = process.env.RINGSCOPE_INSTANCE;
      await client.close();
      let bulkHeap = 0;
      const bulkSampler = setInterval(() => {
        bulkHeap = Math.max(bulkHeap, process.memoryUsage().heapUsed);
      }, 1000);
      t = performance.now();
      await services.stopNeo4j(instance);
      const b = await bulkLoad(path.join(dir, 'drop'), {
        neo4jHome: path.join(services.stateDir(instance), 'neo4j'),
        overwrite: true,
        stateDir: path.join(work, 'state'),
        workDir: path.join(work, 'bulk-import'),
        onProgress: (p) => log(`bulk ${p.phase} ${p.file ?? ''} ${p.rows ?? p.message ?? ''}`),
      });
      const t1 = performance.now();
      clearInterval(bulkSampler);
      const up = await services.startNeo4j(instance);
      if (up.uri !== config.neo4j.uri) throw new Error(`Neo4j came back on ${up.uri}, not ${config.neo4j.uri}`);
      client = await Neo4jClient.connect(config);
      const t2 = performance.now();
      await ensureSchema(client);
      ingestS = (performance.now() - t) / 1000;
      bulk = {
        readMergeS: +b.readSeconds.toFixed(1),
        filesS: +b.filesSeconds.toFixed(1),
        importS: +b.importSeconds.toFixed(1),
        startS: +((t2 - t1) / 1000).toFixed(1),
        constraintsS: +((performance.now() - t2) / 1000).toFixed(1),
        stopS: +((t1 - t) / 1000 - b.seconds).toFixed(1),
        peakHeapBulkMb: Math.round(bulkHeap / 2 ** 20),
      };
      ing = { rows: b.rows, rowsPerSec: b.rows / ingestS, files: [] };
      console.error(`[bench-detect] ${n}: bulk-loaded ${b.rows} rows in ${ingestS.toFixed(1)} s ${JSON.stringify(bulk)}`);
    } else if (reused) {
      const last = previous.find((r) => r.accounts === n && r.ingestS);
      ing = { rows: last?.rows ?? null, rowsPerSec: last?.ingestRowsPerS ?? null, files: [] };
      ingestS = last?.ingestS ?? null;
      console.error(`[bench-detect] ${n}: reusing the ingested drop (ingest ${ingestS} s as last measured)`);
    } else {
      // A fresh store rather than a Cypher wipe: deleting a 1M-account graph through Cypher took
      // ~10 min, and left a store that slowed the next, smaller size's ingest ×2.
      await client.close();
      await resetStore(services, process.env.RINGSCOPE_INSTANCE, config.neo4j.uri);
      client = await Neo4jClient.connect(config);
      t = performance.now();
      ing = await ingestDrop(client, path.join(dir, 'drop'), {
        stateDir: path.join(work, 'state'),
        onProgress: (p) => log(`ingest ${p.file} ${p.phase} ${p.rows} rows`),
      });
      ingestS = (performance.now() - t) / 1000;
      console.error(`[bench-detect] ${n}: ingested ${ing.rows} rows in ${ingestS.toFixed(1)} s`);
      // Kept at once: a failure in detection still leaves the ingest figures for a reuse run.
      const pending = {
        accounts: n,
        ingestMode: MODE,
        rows: ing.rows,
        ingestS: +ingestS.toFixed(1),
        ingestRowsPerS: Math.round(ing.rowsPerSec),
        detectFailed: 'detection did not finish',
        measuredAt: new Date().toISOString(),
      };
      results.push(pending);
      writeReport();
      results.splice(results.indexOf(pending), 1);
    }
    const rssBefore = process.memoryUsage().rss;
    // Peak V8 heap during detection, sampled each second (the target is a Node heap ≤ 8 GB at 1M).
    let peakHeap = process.memoryUsage().heapUsed;
    const sampler = setInterval(() => {
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }, 1000);
    t = performance.now();
    let det;
    try {
      det = await detectAndWrite(client, { seed: 42, keepRuns: 0, onProgress: (phase, done, total) => log(`detect ${phase} ${done}/${total}`) });
    } finally {
      clearInterval(sampler);
    }
    const detectS = (performance.now() - t) / 1000;
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const r = {
      accounts: n,
      ingestMode: MODE,
      bulk,
      identifierRows:
        reused || MODE === 'bulk'
          ? (previous.find((x) => x.accounts === n)?.identifierRows ?? null)
          : ing.files.filter((f) => f.kind !== 'activity' && f.kind !== 'accounts').reduce((s, f) => s + (f.rows ?? 0), 0),
      rows: ing.rows,
      generateS: +genS.toFixed(1),
      ingestS: ingestS === null ? null : +ingestS.toFixed(1),
      ingestRowsPerS: ing.rowsPerSec === null ? null : Math.round(ing.rowsPerSec),
      ingestReused: reused || undefined,
      measuredAt: new Date().toISOString(),
      readS: +(det.stats.ms.read / 1000).toFixed(1),
      projectS: +(det.stats.ms.project / 1000).toFixed(1),
      communitiesS: +(det.stats.ms.communities / 1000).toFixed(1),
      scoringS: +(det.stats.ms.scoring / 1000).toFixed(1),
      writeS: +(det.stats.ms.write / 1000).toFixed(1),
      detectTotalS: +detectS.toFixed(1),
      ingestToClustersS: ingestS === null ? null : +(ingestS + detectS).toFixed(1),
      edges: det.stats.edges,
      clusters: det.clusters.length,
      flagged: det.clusters.filter((c) => c.recommendation !== 'monitor').length,
      peakRssMb,
      rssBeforeDetectMb: Math.round(rssBefore / 2 ** 20),
      peakHeapDetectMb: Math.round(peakHeap / 2 ** 20),
      heapLimitMb: Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20),
      neo4jMemory: neo4jMemory(),
    };
    results.push(r);
    console.error(`[bench-detect] ${JSON.stringify(r)}`);
    // Written after every size, so a failure at the largest keeps the smaller ones.
    writeReport();
  } finally {
    await client.close();
  }
}

if (sizes.length === 0) writeReport();

function writeReport() {
  results.sort((a, b) => modeOf(b).localeCompare(modeOf(a)) || a.accounts - b.accounts);
  const rows = results.map((r, i) => {
    const prev = results[i - 1] && modeOf(results[i - 1]) === modeOf(r) ? results[i - 1] : undefined;
    const growth =
      prev && r.detectTotalS && prev.detectTotalS
        ? `×${(r.detectTotalS / prev.detectTotalS).toFixed(1)} time for ×${(r.rows / prev.rows).toFixed(1)} rows`
        : (r.detectFailed ?? '');
    return [
      r.accounts,
      modeOf(r),
      r.rows,
      r.ingestS,
      r.readS,
      r.projectS,
      r.communitiesS,
      r.scoringS,
      r.writeS,
      r.detectTotalS,
      r.ingestToClustersS,
      r.edges,
      r.peakRssMb,
      r.peakHeapDetectMb,
      growth,
    ];
  });
  const out = {
    command: `BENCH_DETECT_SIZES=${[...new Set(results.filter((r) => modeOf(r) === 'transactional').map((r) => r.accounts))].join(',')} npm run bench detect; BENCH_DETECT_INGEST=bulk BENCH_DETECT_SIZES=${[...new Set(results.filter((r) => modeOf(r) === 'bulk').map((r) => r.accounts))].join(',')} npm run bench detect`,
    // The latest row's measurement time (rewriting the report alone measures nothing).
    measuredAt:
      results
        .map((r) => r.measuredAt)
        .filter(Boolean)
        .sort()
        .at(-1) ?? new Date().toISOString(),
    summary:
      'Each size: `ringscope generate --scenario mixed --seed 1`, ingest into an empty Neo4j database (same process), then `detectAndWrite` (paged read from Neo4j, projection, components + Louvain, scoring, write-back). Ingest `transactional` is `ingestDrop` (what `ringscope ingest` and the pipeline run); `bulk` is `bulkLoad` (`ringscope bulk-load`, the offline importer for a first load into a new database), and its ingest time covers stopping Neo4j, reading and merging the drop, the importer, starting Neo4j and building the constraints. Times in seconds. Peak RSS is the Node process over ingest and detection (Neo4j runs in its own JVM); peak heap is V8 heap used during detection, sampled each second, under `--max-old-space-size=8192 --max-semi-space-size=64`.',
    table: {
      headers: [
        'accounts',
        'ingest',
        'rows ingested',
        'ingest s',
        'read s',
        'project s',
        'communities s',
        'scoring s',
        'write s',
        'detect total s',
        'ingest→clusters s',
        'edges',
        'peak RSS MB',
        'peak heap MB',
        'growth',
      ],
      rows,
    },
    notes: [
      ...results
        .filter((r) => r.bulk)
        .map(
          (r) =>
            `${r.accounts.toLocaleString('en')} accounts, bulk: ingest = stop Neo4j ${r.bulk.stopS} s + read and merge ${r.bulk.readMergeS} s + importer files ${r.bulk.filesS} s + neo4j-admin import ${r.bulk.importS} s + start ${r.bulk.startS} s + constraints ${r.bulk.constraintsS} s (peak heap of the load ${r.bulk.peakHeapBulkMb} MB).`,
        ),
      ...results
        .filter((r) => r.ingestReused)
        .map(
          (r) =>
            `${r.accounts.toLocaleString('en')} accounts, transactional: detection measured on the drop already in Neo4j (BENCH_DETECT_REUSE=1); the ingest figure is from the run that loaded it.`,
        ),
      'Each size starts from an empty database: transactional runs delete the store with Neo4j stopped and start it again; bulk runs import with overwrite. Detection therefore always starts on a Neo4j started minutes before (page cache filled by the ingest only).',
      'Rows keep the figures of the run that measured them (`measuredAt` in the raw figures): a run of some sizes or of one ingest mode leaves the other rows as they were.',
      `machine load average at the end: ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
      // Rows measured before the services were sized to the machine ran the bench instance at 4g / 6g.
      ...results.map(
        (r) =>
          `${r.accounts.toLocaleString('en')} accounts, ${modeOf(r)}: ` +
          (r.neo4jMemory ? services.describeNeo4jMemory(r.neo4jMemory) : 'Neo4j heap 4g, page cache 6g (the bench instance special case of the time)'),
      ),
    ],
    raw: results,
  };
  fs.mkdirSync(path.join(ROOT, 'bench-out'), { recursive: true });
  fs.writeFileSync(OUT_FILE, JSON.stringify(out, null, 2));
  console.error('[bench-detect] wrote bench-out/detect.json');
}
