#!/usr/bin/env node
// Nightly: incremental vs full (issue #20). For each size (BENCH_NIGHTLY_SIZES, default 70000):
// night 1 of a `mixed` world (seed 1) is generated, loaded into an empty store (transactional
// ingest, or the offline importer with BENCH_NIGHTLY_INGEST=bulk, for 1M) and detected in full
// (which leaves the detection snapshot); night 2 (`generate --from`, touching BENCH_NIGHTLY_TOUCH of
// the accounts, default 0.01) is ingested and detected as `ringscope detect` does (incremental when
// the snapshot is valid), then the same data is detected again with `--full`. Times, phases, peak
// heap, frontier and carried clusters come from the runs; the mode from LinkageRun.params.
// Run through `npm run bench nightly` (services started by with-services.mjs, code from dist/).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, commitOf, detect, dist, touchedAccounts, worldNights } from './nightly-common.mjs';

const { loadConfig } = await dist('config/index.js');
const { Neo4jClient } = await dist('db/index.js');
const { ingestDrop, bulkLoad } = await dist('loaders/index.js');
const { ensureSchema } = await dist('db/schema.js');
const services = await import('./services.mjs');
const { resetStore } = await import('./wipe-neo4j.mjs');

const MODE = process.env.BENCH_NIGHTLY_INGEST === 'bulk' ? 'bulk' : 'transactional';
const sizesEnv = process.env.BENCH_NIGHTLY_SIZES ?? '70000';
const sizes = sizesEnv === 'none' ? [] : sizesEnv.split(',').map(Number);
const TOUCH = Number(process.env.BENCH_NIGHTLY_TOUCH ?? 0.01);
const instance = process.env.RINGSCOPE_INSTANCE;
if (!instance || instance === 'dev') {
  console.error('bench-nightly wipes its database: run it through `npm run bench` (instance "bench")');
  process.exit(2);
}
const work = path.join(ROOT, '.ringscope', 'bench-data');
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
// The code measured is the checkout as the bench starts (dist/ is loaded then), not HEAD when it ends.
const COMMIT = commitOf();
const OUT_FILE = path.join(ROOT, 'bench-out', 'nightly.json');
const previous = fs.existsSync(OUT_FILE) ? (JSON.parse(fs.readFileSync(OUT_FILE, 'utf8')).raw ?? []) : [];
const results = previous.filter((r) => !(sizes.includes(r.accounts) && r.ingestMode === MODE));

let lastLog = 0;
const logger = (n) => (what) => {
  if (Date.now() - lastLog < 30_000) return;
  lastLog = Date.now();
  console.error(`[bench-nightly] ${new Date().toISOString().slice(11, 19)} ${n}: ${what} (heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB)`);
};

for (const n of sizes) {
  const log = logger(n);
  const [night1, night2] = await worldNights(path.join(work, `nightly-mixed-${n}`), { scenario: 'mixed', accounts: n, seed: 1, nights: 2, touchShare: TOUCH });
  const stateDir = path.join(work, `nightly-state-${n}`);
  fs.rmSync(stateDir, { recursive: true, force: true });
  let client = await Neo4jClient.connect(config);
  try {
    // Night 1 into an empty store.
    await client.close();
    let t = performance.now();
    if (MODE === 'bulk') {
      await services.stopNeo4j(instance);
      fs.rmSync(path.join(work, 'bulk-import'), { recursive: true, force: true });
      await bulkLoad(night1.drop, {
        neo4jHome: path.join(services.stateDir(instance), 'neo4j'),
        overwrite: true,
        stateDir,
        workDir: path.join(work, 'bulk-import'),
        onProgress: (p) => log(`bulk ${p.phase} ${p.file ?? ''} ${p.rows ?? p.message ?? ''}`),
      });
      const up = await services.startNeo4j(instance);
      if (up.uri !== config.neo4j.uri) throw new Error(`Neo4j came back on ${up.uri}, not ${config.neo4j.uri}`);
      client = await Neo4jClient.connect(config);
      await ensureSchema(client);
    } else {
      await resetStore(services, instance, config.neo4j.uri);
      client = await Neo4jClient.connect(config);
      await ingestDrop(client, night1.drop, { stateDir, onProgress: (p) => log(`ingest ${p.file} ${p.phase} ${p.rows} rows`) });
    }
    const ingest1S = +((performance.now() - t) / 1000).toFixed(1);
    console.error(`[bench-nightly] ${n}: night 1 loaded (${MODE}) in ${ingest1S} s`);
    const full1 = await detect(client, { mode: 'full', stateDir, log });
    console.error(`[bench-nightly] ${n}: night 1 detection ${JSON.stringify(full1)}`);

    // Night 2: ingest + `ringscope detect`, then `--full` on the same data.
    t = performance.now();
    const ing2 = await ingestDrop(client, night2.drop, { stateDir, onProgress: (p) => log(`ingest night 2 ${p.file} ${p.phase} ${p.rows} rows`) });
    const ingest2S = +((performance.now() - t) / 1000).toFixed(1);
    const nightly = await detect(client, { mode: 'auto', stateDir, log });
    console.error(`[bench-nightly] ${n}: night 2 ingest ${ingest2S} s, detect ${JSON.stringify(nightly)}`);
    const full2 = await detect(client, { mode: 'full', stateDir, log });
    console.error(`[bench-nightly] ${n}: night 2 full ${JSON.stringify(full2)}`);
    const touched = touchedAccounts(night2.nightFile).touched.size;
    results.push({
      accounts: n,
      ingestMode: MODE,
      commit: COMMIT,
      measuredAt: new Date().toISOString(),
      night1: { generateS: night1.generateS, ingestS: ingest1S, detect: full1 },
      night2: {
        generateS: night2.generateS,
        worldAccounts: night2.worldAccounts,
        touchedAccounts: touched,
        touchShare: TOUCH,
        rows: ing2.rows,
        ingestS: ingest2S,
        nightly,
        full: full2,
      },
      speedupDetect: +(full2.seconds / nightly.seconds).toFixed(2),
      speedupWithIngest: +(full2.seconds / (ingest2S + nightly.seconds)).toFixed(2),
      neo4jMemory: services.startedNeo4jMemory(instance),
    });
    writeReport();
  } finally {
    await client.close();
  }
}
if (sizes.length === 0) writeReport();

function writeReport() {
  results.sort((a, b) => a.ingestMode.localeCompare(b.ingestMode) || a.accounts - b.accounts);
  const anyIncremental = results.some((r) => r.night2.nightly.mode === 'incremental');
  const phase = (d) => `${d.dominant} ${Math.round(d.dominantShare * 100)}%`;
  const out = {
    command: [
      ...new Set(results.map((r) => `${r.ingestMode === 'bulk' ? 'BENCH_NIGHTLY_INGEST=bulk ' : ''}BENCH_NIGHTLY_SIZES=${r.accounts} npm run bench nightly`)),
    ].join('; '),
    measuredAt:
      results
        .map((r) => r.measuredAt)
        .sort()
        .at(-1) ?? new Date().toISOString(),
    summary:
      'Each size: a `mixed` world (seed 1); night 1 (`ringscope generate`) loaded into an empty store and detected in full (`detect --full`, which writes the detection snapshot); night 2 (`ringscope generate --from`, touching the share of accounts shown: new accounts plus accounts seen before with new rows) ingested with `ingestDrop`, then detected as `ringscope detect` does (the detection service with mode `auto`: incremental when the snapshot is valid), then detected again with `--full` on the same data. The mode is the one the run recorded (LinkageRun.params.mode). "nightly s" = ingest of night 2 + its detection; speed-ups are full detection time over the nightly detection, and over ingest + nightly detection. Peak heap: V8 heap used by this process during each detection, sampled every 250 ms. Times in seconds.' +
      (anyIncremental ? '' : ' **No run here was incremental:** the incremental engine was not in the measured build, so both columns measure full detection.'),
    table: {
      headers: [
        'accounts',
        'night-1 load',
        'night-2 rows',
        'touched',
        'ingest night 2 s',
        'detect mode',
        'detect s',
        'dominant phase',
        'peak heap MB',
        'frontier accounts',
        'carried clusters',
        'nightly s (ingest + detect)',
        'full detect s',
        'full: dominant phase',
        'full: peak heap MB',
        'speed-up detect',
        'speed-up incl. ingest',
        'commit',
      ],
      rows: results.map((r) => [
        r.accounts,
        r.ingestMode,
        r.night2.rows,
        `${r.night2.touchedAccounts} (${((100 * r.night2.touchedAccounts) / r.accounts).toFixed(2)}%)`,
        r.night2.ingestS,
        r.night2.nightly.mode,
        r.night2.nightly.seconds,
        phase(r.night2.nightly),
        r.night2.nightly.peakHeapMb,
        r.night2.nightly.frontierAccounts ?? '—',
        r.night2.nightly.carriedClusters ?? '—',
        +(r.night2.ingestS + r.night2.nightly.seconds).toFixed(1),
        r.night2.full.seconds,
        phase(r.night2.full),
        r.night2.full.peakHeapMb,
        `×${r.speedupDetect}`,
        `×${r.speedupWithIngest}`,
        r.commit,
      ]),
    },
    notes: [
      'The nightly detection runs right after the night-2 ingest and the full detection after it, on a page cache the nightly run has warmed (an order that favours the full run).',
      ...results.map(
        (r) =>
          `${r.accounts.toLocaleString('en')} accounts: phases (s) nightly ${JSON.stringify(r.night2.nightly.phasesS)}, full ${JSON.stringify(r.night2.full.phasesS)}; ${r.night2.nightly.deltaReadS ? `nightly read parts (s) ${JSON.stringify(r.night2.nightly.deltaReadS)}; ` : ''}night 1 loaded in ${r.night1.ingestS} s (${r.ingestMode}) and detected in ${r.night1.detect.seconds} s; ${r.neo4jMemory ? services.describeNeo4jMemory(r.neo4jMemory) : 'Neo4j sizes not recorded'}.`,
      ),
      'Goal (issue #20): at 1M accounts, ingest + incremental detection of a night touching 1% ≥ 10× faster than a full run.',
      `machine load average at the end: ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    ],
    raw: results,
  };
  fs.mkdirSync(path.dirname(OUT_FILE), { recursive: true });
  fs.writeFileSync(OUT_FILE, JSON.stringify(out, null, 2));
  console.error('[bench-nightly] wrote bench-out/nightly.json');
}
