#!/usr/bin/env node
// Ingest benchmark (issue #2): ringscope ingest vs Neo4j's own LOAD CSV ... CALL { } IN TRANSACTIONS,
// same server, same generated data, same MERGE semantics. Run through with-services (npm run bench:ingest),
// which compiles src/ to dist/ and sets NEO4J_* and RINGSCOPE_STATE_DIR.
//
//   node scripts/bench-ingest.mjs [--rows 1050000] [--accounts 67000] [--batch-size 10000] [--writers 2] [--seed 7] [--rounds 2]
//
// The two loaders alternate for `rounds` rounds (LOAD CSV, ringscope, LOAD CSV, ringscope, ...), each
// into a wiped database, and the ratio is of the total times: one round on a shared 2-core machine
// moved by ±10% between runs.
//
// Writes bench-out/ingest.json. Wipes the instance's database: never point it at data you want to keep.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { wipe } from './wipe-neo4j.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { loadConfig } = await import(path.join(ROOT, 'dist/config/index.js'));
const { Neo4jClient, toNum } = await import(path.join(ROOT, 'dist/db/index.js'));
const { ingestDrop } = await import(path.join(ROOT, 'dist/loaders/index.js'));
const { ensureSchema } = await import(path.join(ROOT, 'dist/db/schema.js'));

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const ROWS = Number(args.rows ?? 1_050_000);
const ACCOUNTS = Number(args.accounts ?? 67_000);
const BATCH = Number(args['batch-size'] ?? 10_000);
const WRITERS = Number(args.writers ?? 2);
const SEED = Number(args.seed ?? 7);
const ROUNDS = Number(args.rounds ?? 2);

if ((process.env.RINGSCOPE_INSTANCE ?? 'dev') === 'dev' && !args['allow-dev']) {
  console.error('bench-ingest wipes its database; run it on a separate instance (RINGSCOPE_INSTANCE=bench) or pass --allow-dev 1');
  process.exit(2);
}

// mulberry32 (src/graph/rng.ts): seeded, so every run benchmarks the same bytes.
const { mulberry32: rng } = await import(new URL('../dist/graph/rng.js', import.meta.url).href);

/**
 * prompt_fingerprints rows with a realistic skew: per-account volume is heavy-tailed (most accounts
 * send a few templates, some thousands); about 80% of rows are account-specific fingerprints, 20% come
 * from a shared pool of popular templates with a Zipf-like popularity (a few hubs shared by thousands).
 * Rows are grouped by account, as exporters usually write them.
 */
function generate(file) {
  const r = rng(SEED);
  const caps = ['coding', 'agentic', 'cyber', 'reasoning', 'writing', 'other'];
  const shared = 20_000;
  const weights = Array.from({ length: ACCOUNTS }, () => Math.exp(r() * 4));
  const total = weights.reduce((s, w) => s + w, 0);
  const out = fs.openSync(file, 'w');
  let buf = 'account_id,fingerprint,first_seen,last_seen,count,capability\n';
  let rows = 0;
  const t0 = Date.UTC(2026, 0, 1);
  for (let a = 0; a < ACCOUNTS && rows < ROWS; a++) {
    const n = a === ACCOUNTS - 1 ? ROWS - rows : Math.max(1, Math.round((weights[a] / total) * ROWS));
    for (let i = 0; i < n && rows < ROWS; i++) {
      const fp = r() < 0.2 ? `tpl-${Math.floor(shared * r() ** 3)}` : `fp-${a}-${i}`;
      const fs0 = t0 + Math.floor(r() * 30 * 86_400_000);
      const ls = fs0 + Math.floor(r() * 5 * 86_400_000);
      buf += `acct-${a},${fp},${new Date(fs0).toISOString()},${new Date(ls).toISOString()},${1 + Math.floor(r() * 40)},${caps[Math.floor(r() * caps.length)]}\n`;
      rows++;
      if (buf.length > 1 << 20) {
        fs.writeSync(out, buf);
        buf = '';
      }
    }
  }
  fs.writeSync(out, buf);
  fs.closeSync(out);
  return rows;
}

const LOAD_CSV = `
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (a:Account {id: row.account_id})
  MERGE (p:PromptFingerprint {id: row.fingerprint})
  ON CREATE SET p.kind = 'template', p.markers = [], p.capability = row.capability
  ON MATCH SET p.kind = coalesce(p.kind, 'template'), p.markers = coalesce(p.markers, []),
      p.capability = coalesce(row.capability, p.capability)
  MERGE (a)-[x:SENT]->(p)
  ON CREATE SET x.firstSeen = datetime(row.first_seen), x.lastSeen = datetime(row.last_seen),
      x.count = toInteger(row.count), x.observations = 1
  ON MATCH SET
      x.firstSeen = CASE WHEN x.firstSeen IS NULL OR datetime(row.first_seen) < x.firstSeen THEN datetime(row.first_seen) ELSE x.firstSeen END,
      x.lastSeen = CASE WHEN x.lastSeen IS NULL OR datetime(row.last_seen) > x.lastSeen THEN datetime(row.last_seen) ELSE x.lastSeen END,
      x.count = coalesce(x.count, 0) + toInteger(row.count),
      x.observations = coalesce(x.observations, 0) + 1
} IN TRANSACTIONS OF 10000 ROWS`;

async function implicit(client, q, params = {}) {
  const s = client.session('WRITE');
  try {
    return await s.run(q, params);
  } finally {
    await s.close();
  }
}


async function fingerprint(client) {
  const r = await client.query(
    `MATCH (a:Account)-[x:SENT]->(p:PromptFingerprint)
     RETURN count(x) AS rels, sum(x.count) AS c, sum(x.observations) AS o, count(DISTINCT a) AS a, count(DISTINCT p) AS p`,
    {},
    'READ',
  );
  const rec = r.records[0];
  return Object.fromEntries(['rels', 'c', 'o', 'a', 'p'].map((k) => [k, toNum(rec.get(k))]));
}

const config = loadConfig();
const importDir = path.join(config.stateDir, 'neo4j', 'import');
const dropDir = path.join(importDir, 'bench-ingest-drop');
fs.mkdirSync(dropDir, { recursive: true });
const file = path.join(dropDir, 'prompt_fingerprints.csv');
console.error(`[bench-ingest] generating ${ROWS} rows for ${ACCOUNTS} accounts...`);
const rows = generate(file);
const mb = fs.statSync(file).size / 1e6;

const client = await Neo4jClient.connect(config);
try {
  const server = await client.driver.getServerInfo({ database: config.neo4j.database });
  await wipe(client);
  await ensureSchema(client);

  const loadCsvRuns = [];
  const ringscopeRuns = [];
  let loadCsvGraph;
  let ringscopeGraph;
  let summary;
  for (let round = 1; round <= ROUNDS; round++) {
    console.error(`[bench-ingest] round ${round}/${ROUNDS}: LOAD CSV ... CALL { } IN TRANSACTIONS OF 10000 ROWS...`);
    let t = performance.now();
    await implicit(client, LOAD_CSV, { url: 'file:///bench-ingest-drop/prompt_fingerprints.csv' });
    loadCsvRuns.push((performance.now() - t) / 1000);
    loadCsvGraph = await fingerprint(client);
    await wipe(client);

    console.error(`[bench-ingest] round ${round}/${ROUNDS}: ringscope ingest (batch ${BATCH}, writers ${WRITERS})...`);
    t = performance.now();
    let last = 0;
    summary = await ingestDrop(client, dropDir, {
      batchSize: BATCH,
      writers: WRITERS,
      stateDir: path.join(config.stateDir, 'bench'),
      dropId: 'bench-ingest',
      onProgress: (p) => {
        if (Date.now() - last > 5000) {
          last = Date.now();
          console.error(`  ${p.phase} ${p.rows} rows, ${Math.round(p.rowsPerSec)} rows/s`);
        }
      },
    });
    ringscopeRuns.push((performance.now() - t) / 1000);
    ringscopeGraph = await fingerprint(client);
    await wipe(client);
    console.error(`  LOAD CSV ${loadCsvRuns.at(-1).toFixed(1)} s, ringscope ${ringscopeRuns.at(-1).toFixed(1)} s`);
  }
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  const loadCsvSeconds = sum(loadCsvRuns) / ROUNDS;
  const ringscopeSeconds = sum(ringscopeRuns) / ROUNDS;

  const same = JSON.stringify(loadCsvGraph) === JSON.stringify(ringscopeGraph);
  const result = {
    benchmark: 'ingest',
    date: new Date().toISOString(),
    command: 'npm run bench:ingest',
    server: `${server.agent}`,
    neo4jHeap: process.env.RINGSCOPE_NEO4J_HEAP ?? '4g',
    neo4jPagecache: process.env.RINGSCOPE_NEO4J_PAGECACHE ?? '6g',
    rounds: ROUNDS,
    data: { file: 'prompt_fingerprints.csv', rows, accounts: ACCOUNTS, megabytes: Number(mb.toFixed(1)), seed: SEED },
    graph: ringscopeGraph,
    sameGraph: same,
    loadCsv: { seconds: Number(loadCsvSeconds.toFixed(1)), rowsPerSec: Math.round(rows / loadCsvSeconds), txRows: 10_000, runs: loadCsvRuns.map((x) => Number(x.toFixed(1))) },
    ringscope: {
      seconds: Number(ringscopeSeconds.toFixed(1)),
      rowsPerSec: Math.round(rows / ringscopeSeconds),
      runs: ringscopeRuns.map((x) => Number(x.toFixed(1))),
      batchSize: BATCH,
      writers: WRITERS,
      rejects: summary.rejects,
      note: 'includes hashing, the full validation pass and the write pass',
    },
    ratio: Number((loadCsvSeconds / ringscopeSeconds).toFixed(2)),
  };
  // The shape scripts/bench.mjs folds into BENCHMARKS.md.
  const report = {
    command: 'npm run bench:ingest',
    measuredAt: result.date,
    summary:
      `ringscope ingest ran at **${result.ratio}× LOAD CSV throughput** (target ≥ 1.0×; mean of ${ROUNDS} alternating rounds) on ${rows.toLocaleString('en')} ` +
      `prompt_fingerprints rows (${result.data.megabytes} MB, ${ACCOUNTS.toLocaleString('en')} accounts), same server, same data; ` +
      `both produced the same graph: ${same}.`,
    table: {
      headers: ['loader', 'mean seconds', 'rows/s', 'settings'],
      rows: [
        ['Neo4j LOAD CSV … CALL { } IN TRANSACTIONS', result.loadCsv.seconds, result.loadCsv.rowsPerSec, `10,000 rows per transaction; rounds: ${result.loadCsv.runs.join(' s, ')} s`],
        ['ringscope ingest', result.ringscope.seconds, result.ringscope.rowsPerSec, `batch ${BATCH}, ${WRITERS} writers, validation pass included; rounds: ${result.ringscope.runs.join(' s, ')} s`],
      ],
    },
    notes: [
      'Same MERGE semantics on both sides: Account and PromptFingerprint merged on unique keys, SENT merged with firstSeen min, lastSeen max, count and observations added.',
      'ringscope: sha256 of the drop, a full streaming validation pass, then pre-aggregated batches grouped by account, parsed while up to `writers` transactions write (each batch commits with its IngestBatch marker).',
      `Neo4j heap ${result.neo4jHeap}, page cache ${result.neo4jPagecache}. The loaders alternated, each into a wiped database; absolute rates vary between runs on this shared 2-core machine, so the ratio is of the mean times over all rounds.`,
    ],
    raw: result,
  };
  fs.mkdirSync(path.join(ROOT, 'bench-out'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench-out', 'ingest.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(
    `rows ${rows} (${result.data.megabytes} MB)\n` +
      `LOAD CSV   ${result.loadCsv.seconds}s  ${result.loadCsv.rowsPerSec} rows/s\n` +
      `ringscope  ${result.ringscope.seconds}s  ${result.ringscope.rowsPerSec} rows/s\n` +
      `ratio      ${result.ratio}x LOAD CSV throughput   same graph: ${same}\n` +
      `written bench-out/ingest.json`,
  );
  if (!same) {
    console.error('[bench-ingest] graphs differ:', loadCsvGraph, ringscopeGraph);
    process.exitCode = 1;
  }
} finally {
  await client.close();
  fs.rmSync(dropDir, { recursive: true, force: true });
}
