#!/usr/bin/env node
// Work per input row, ringscope ingest vs LOAD CSV (issue #21): every write statement of each
// loader run under PROFILE, db hits summed per file kind and divided by the file's rows. Db hits
// count storage-engine operations (index seeks, record reads and writes, property reads and
// writes: Neo4j Cypher Manual, "Execution plans: db hits"); they do not include planning, JIT or
// the transaction commit, so they compare the work each loader's plans do, not wall time.
//
//   node scripts/with-services.mjs --instance <name> -- node scripts/profile-ingest-dbhits.mjs [--accounts 5000] [--seed 2]
//
// Each loader loads the same drop (exporter order) into an emptied database (every node deleted):
// LOAD CSV as one PROFILEd statement per file (one transaction: PROFILE cannot report on
// CALL { } IN TRANSACTIONS, and batching does not change the per-row plan), ringscope through
// ingestFile with each statement of its write transactions PROFILEd. Writes bench-out/ingest-dbhits.json.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as services from './services.mjs';
import { FILES, LOAD_CSV_BODIES } from './load-csv-ingest.mjs';
import { flags, progress, scratchInstance } from './script-cli.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(ROOT, 'dist', p));
const { loadConfig } = await dist('config/index.js');
const { Neo4jClient } = await dist('db/index.js');
const { ingestFile, openDrop, KIND_ORDER } = await dist('loaders/index.js');
const { ensureSchema } = await dist('db/schema.js');
const { generate } = await dist('generator/index.js');

const args = flags();
const ACCOUNTS = Number(args.accounts ?? 5_000);
const SEED = Number(args.seed ?? 2);
const instance = scratchInstance('profile-ingest-dbhits deletes every node');
const say = progress('ingest-dbhits');
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const importDir = path.join(services.stateDir(instance), 'neo4j', 'import');
const gen = path.join(importDir, 'ingest-dbhits', `mixed-${ACCOUNTS}-${SEED}`);
if (!fs.existsSync(path.join(gen, 'truth.csv'))) {
  fs.rmSync(gen, { recursive: true, force: true });
  say(`generating scenario mixed, ${ACCOUNTS} accounts, seed ${SEED}...`);
  await generate({ scenario: 'mixed', accounts: ACCOUNTS, seed: SEED, out: gen });
}
const dropDir = path.join(gen, 'drop');
const rows = {};
for (const [kind, f] of Object.entries(FILES)) rows[kind] = fs.readFileSync(path.join(dropDir, f), 'utf8').trimEnd().split('\n').length - 1;

const hitsOf = (p) => (p ? (p.dbHits ?? 0) + (p.children ?? []).reduce((s, c) => s + hitsOf(c), 0) : 0);

// ringscope's write statements all run in executeWrite's ManagedTransaction: PROFILE each while `counting` is set.
const core = createRequire(path.join(ROOT, 'package.json'))('neo4j-driver-core');
const counting = { on: false, hits: 0, statements: 0 };
const run = core.ManagedTransaction.prototype.run;
core.ManagedTransaction.prototype.run = function (query, params, rules) {
  if (!counting.on) return run.call(this, query, params, rules);
  const res = run.call(this, `PROFILE ${query}`, params, rules);
  res.then(
    (r) => {
      counting.hits += hitsOf(r.summary.profile);
      counting.statements++;
    },
    () => {},
  );
  return res;
};

async function emptied(client) {
  const s = client.session('WRITE');
  try {
    await s.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
  } finally {
    await s.close();
  }
  await ensureSchema(client);
}

const client = await Neo4jClient.connect(config);
const out = { loadCsv: {}, ringscope: {} };
try {
  await emptied(client);
  const rel = path.relative(importDir, dropDir).split(path.sep).join('/');
  for (const kind of Object.keys(FILES)) {
    const s = client.session('WRITE');
    try {
      const r = await s.run(`PROFILE LOAD CSV WITH HEADERS FROM $url AS row\n${LOAD_CSV_BODIES[kind]}`, { url: `file:///${rel}/${FILES[kind]}` });
      out.loadCsv[kind] = hitsOf(r.summary.profile);
    } finally {
      await s.close();
    }
    say(`LOAD CSV ${kind}: ${out.loadCsv[kind]} db hits (${(out.loadCsv[kind] / rows[kind]).toFixed(1)} a row)`);
  }
  await emptied(client);
  const drop = await openDrop(dropDir, { dropId: `dbhits-${Date.now()}` });
  for (const f of [...drop.files].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind))) {
    Object.assign(counting, { on: true, hits: 0, statements: 0 });
    await ingestFile(client, drop, f.name, { stateDir: path.join(services.stateDir(instance), 'dbhits-rejects') });
    counting.on = false;
    out.ringscope[f.kind] = counting.hits;
    say(`ringscope ${f.kind}: ${counting.hits} db hits in ${counting.statements} statements (${(counting.hits / rows[f.kind]).toFixed(1)} a row)`);
  }
} finally {
  await client.close();
}

const label = {
  accounts: 'accounts',
  payment_methods: 'payment methods',
  ip_addresses: 'IPs + subnets',
  prompt_fingerprints: 'prompt fingerprints',
  activity: 'activity',
};
const kinds = Object.keys(FILES);
const perRow = (loader, k) => Number((out[loader][k] / rows[k]).toFixed(1));
const report = {
  command: `node scripts/with-services.mjs --instance ${instance} -- node scripts/profile-ingest-dbhits.mjs --accounts ${ACCOUNTS} --seed ${SEED}`,
  measuredAt: new Date().toISOString(),
  summary:
    `PROFILE db hits per input row of every write statement, LOAD CSV (same MERGE semantics) against ringscope ingest, on a ${ACCOUNTS.toLocaleString('en')}-account mixed drop (seed ${SEED}) in exporter order, each into an emptied database. ` +
    `Over the drop: LOAD CSV ${kinds.reduce((s, k) => s + out.loadCsv[k], 0).toLocaleString('en')} db hits, ringscope ${kinds.reduce((s, k) => s + out.ringscope[k], 0).toLocaleString('en')}.`,
  tables: [
    {
      title: 'Db hits per input row',
      headers: ['file kind', 'rows', 'LOAD CSV', 'ringscope', 'ringscope / LOAD CSV'],
      rows: kinds.map((k) => [
        label[k],
        rows[k].toLocaleString('en'),
        perRow('loadCsv', k),
        perRow('ringscope', k),
        (out.ringscope[k] / out.loadCsv[k]).toFixed(2),
      ]),
    },
  ],
  notes: [
    'Db hits are the storage-engine operations of the plans (index seeks, record and property reads and writes); planning, JIT compilation, parameter decoding and the commit are not in them.',
    "ringscope's count covers every statement of its write transactions (the batch marker, existence reads, node and relationship writes, subnets); LOAD CSV's the one statement per file.",
  ],
  raw: { accounts: ACCOUNTS, seed: SEED, rows, dbHits: out },
};
fs.mkdirSync(path.join(ROOT, 'bench-out'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench-out', 'ingest-dbhits.json'), JSON.stringify(report, null, 2) + '\n');
console.log(report.summary);
