#!/usr/bin/env node
// Ingest benchmark (issues #2, #21): ringscope ingest vs Neo4j's own LOAD CSV ... CALL { } IN
// TRANSACTIONS, per file kind, on a real drop (`ringscope generate --scenario mixed`, whose files
// come in exporter order: rows shuffled across accounts), and on the same rows grouped by account.
// Same server (the instance's default services, sized by scripts/memory-sizing.mjs), same MERGE
// semantics, same graph (checked with graphDigest: every node, relationship and property).
// Run through with-services (npm run bench:ingest), which compiles src/ to dist/.
//
//   node scripts/bench-ingest.mjs [--accounts 70000] [--seed 1] [--rounds 1] [--variants exporter,grouped] [--warmup 5000]
//
// Per round and variant, LOAD CSV and ringscope alternate (the first loader swaps every round), each
// into an empty store (Neo4j stopped, store deleted, Neo4j started), loading the five files in
// dependency order: accounts, payment methods, IPs with subnets, prompt fingerprints, activity.
// JIT fairness: a Neo4j started for the run spends much of its CPU on the first files compiling
// (section 'Ingest: where the time goes'), which both loaders would pay on whatever they load first.
// So after the store is reset, the JVM is warmed the same way for both: a --warmup drop (another
// seed) is loaded by LOAD CSV and then by ringscope, each followed by deleting every node, then the
// measured load starts on the emptied database. --warmup 0 measures on a cold JVM instead.
// ringscope runs what the pipeline runs: openDrop (sha256 of every file), one ingestFile per file
// (validation and write), finalizeDrop (the ledger).
//
// Writes bench-out/ingest.json. Deletes the instance's store: never point it at data you want to keep.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as services from './services.mjs';
import { resetStore } from './wipe-neo4j.mjs';
import { FILES, LOAD_CSV_BODIES, inTx } from './load-csv-ingest.mjs';
import { flags, progress, scratchInstance } from './script-cli.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(ROOT, 'dist', p));
const { loadConfig } = await dist('config/index.js');
const { Neo4jClient, graphDigest, hasIngestProcedure } = await dist('db/index.js');
const { ingestFile, finalizeDrop, openDrop, KIND_ORDER } = await dist('loaders/index.js');
const { ensureSchema } = await dist('db/schema.js');
const { generate } = await dist('generator/index.js');

const args = flags();
const ACCOUNTS = Number(args.accounts ?? 70_000);
const SEED = Number(args.seed ?? 1);
const ROUNDS = Number(args.rounds ?? 1);
const VARIANTS = String(args.variants ?? 'exporter,grouped').split(',');
const WARMUP = Number(args.warmup ?? 5_000);
const instance = scratchInstance('bench-ingest deletes its store (npm run bench:ingest uses "bench")');
const say = progress('bench-ingest');

const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const importDir = path.join(services.stateDir(instance), 'neo4j', 'import');
const base = path.join(importDir, 'bench-ingest');

// ---------------------------------------------------------------- data

async function prepare(accounts = ACCOUNTS, seed = SEED) {
  const gen = path.join(base, `mixed-${accounts}-${seed}`);
  if (!fs.existsSync(path.join(gen, 'truth.csv'))) {
    fs.rmSync(gen, { recursive: true, force: true });
    say(`generating scenario mixed, ${accounts} accounts, seed ${seed}...`);
    await generate({ scenario: 'mixed', accounts, seed, out: gen });
  }
  const exporter = path.join(gen, 'drop');
  const grouped = path.join(gen, 'grouped');
  if (!fs.existsSync(path.join(grouped, FILES.activity))) {
    // The same lines, each file stably sorted by account id (the order an export per account gives).
    fs.mkdirSync(grouped, { recursive: true });
    for (const f of Object.values(FILES)) {
      const [header, ...lines] = fs.readFileSync(path.join(exporter, f), 'utf8').trimEnd().split('\n');
      const acct = (l) => l.slice(0, l.indexOf(','));
      const sorted = lines.map((l, i) => [acct(l), i, l]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
      fs.writeFileSync(path.join(grouped, f), [header, ...sorted.map((x) => x[2])].join('\n') + '\n');
    }
  }
  const rows = {};
  for (const [kind, f] of Object.entries(FILES)) {
    let n = -1;
    const text = fs.readFileSync(path.join(exporter, f), 'utf8');
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
    rows[kind] = n;
  }
  return { dirs: { exporter, grouped }, rows };
}

// ---------------------------------------------------------------- LOAD CSV (scripts/load-csv-ingest.mjs)

const LOAD_CSV = Object.fromEntries(Object.entries(LOAD_CSV_BODIES).map(([kind, body]) => [kind, inTx(body)]));

// ---------------------------------------------------------------- runs

/** Stop Neo4j, delete the default database's store, start it again: an empty database; then the shared warm-up. */
async function emptyStore() {
  await resetStore(services, instance, config.neo4j.uri);
  const client = await Neo4jClient.connect(config);
  await ensureSchema(client);
  if (warm) {
    const t = performance.now();
    await runLoadCsv(client, warm.dirs.exporter, true);
    await deleteAll(client);
    await runRingscope(client, warm.dirs.exporter, `warmup-${performance.now()}`, true);
    await deleteAll(client);
    say(`  warm-up (${WARMUP} accounts, both loaders): ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return client;
}

/** Every node and relationship deleted (the schema stays): the database is empty again. */
async function deleteAll(client) {
  const s = client.session('WRITE');
  try {
    await s.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
  } finally {
    await s.close();
  }
}

/** CPU seconds used so far by the instance's Neo4j JVM (/proc/<pid>/stat; null off Linux). */
function neo4jCpu() {
  try {
    const pid = fs.readFileSync(path.join(services.stateDir(instance), 'neo4j', 'launcher.pid'), 'utf8').trim();
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}
const nodeCpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
/** Time `work` and the CPU it cost this process and Neo4j. */
async function measured(work) {
  const [t, n0, j0] = [performance.now(), nodeCpu(), neo4jCpu()];
  const out = await work();
  const j1 = neo4jCpu();
  return { out, s: (performance.now() - t) / 1000, nodeCpuS: nodeCpu() - n0, neo4jCpuS: j0 === null || j1 === null ? null : j1 - j0 };
}

async function runLoadCsv(client, dir, quiet = false) {
  const seconds = {};
  const cpu = {};
  const rel = path.relative(importDir, dir).split(path.sep).join('/');
  for (const kind of Object.keys(FILES)) {
    const m = await measured(async () => {
      const s = client.session('WRITE');
      try {
        await s.run(LOAD_CSV[kind], { url: `file:///${rel}/${FILES[kind]}` });
      } finally {
        await s.close();
      }
    });
    seconds[kind] = m.s;
    cpu[kind] = { node: m.nodeCpuS, neo4j: m.neo4jCpuS };
    if (!quiet) say(`  LOAD CSV ${kind}: ${m.s.toFixed(1)} s (Neo4j CPU ${m.neo4jCpuS?.toFixed(1)} s)`);
  }
  return { seconds, cpu };
}

async function runRingscope(client, dir, label, quiet = false) {
  const seconds = {};
  const cpu = {};
  let t = performance.now();
  const drop = await openDrop(dir, { dropId: `bench-${label}` });
  seconds.open = (performance.now() - t) / 1000;
  const results = [];
  const order = [...drop.files].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  for (const f of order) {
    const m = await measured(() => ingestFile(client, drop, f.name, { stateDir: path.join(services.stateDir(instance), 'bench-rejects') }));
    results.push(m.out);
    seconds[f.kind] = m.s;
    cpu[f.kind] = { node: m.nodeCpuS, neo4j: m.neo4jCpuS };
    if (!quiet) say(`  ringscope ${f.kind}: ${m.s.toFixed(1)} s (Node CPU ${m.nodeCpuS.toFixed(1)} s, Neo4j CPU ${m.neo4jCpuS?.toFixed(1)} s)`);
  }
  t = performance.now();
  await finalizeDrop(client, drop, results);
  seconds.finalize = (performance.now() - t) / 1000;
  return { seconds, cpu, rejects: results.reduce((s, r) => s + r.rejects, 0) };
}

const { dirs, rows } = await prepare();
const warm = WARMUP > 0 ? await prepare(WARMUP, SEED + 1) : undefined;
const server = await (async () => {
  const c = await Neo4jClient.connect(config);
  try {
    return (await c.driver.getServerInfo({ database: config.neo4j.database })).agent;
  } finally {
    await c.close();
  }
})();
const memory = services.startedNeo4jMemory(instance);
const writePath = await (async () => {
  const c = await Neo4jClient.connect(config);
  try {
    return (await hasIngestProcedure(c)) ? 'procedure' : 'cypher';
  } finally {
    await c.close();
  }
})();

const runs = []; // { round, variant, loader, seconds, digest }
for (let round = 1; round <= ROUNDS; round++) {
  for (const variant of VARIANTS) {
    const loaders = round % 2 === 1 ? ['loadCsv', 'ringscope'] : ['ringscope', 'loadCsv'];
    for (const loader of loaders) {
      say(`round ${round}/${ROUNDS}, ${variant} order: ${loader} into an empty store...`);
      const client = await emptyStore();
      try {
        const r = loader === 'loadCsv' ? await runLoadCsv(client, dirs[variant]) : await runRingscope(client, dirs[variant], `${variant}-${round}`);
        say('  graph digest...');
        const digest = await graphDigest(client);
        runs.push({ round, variant, loader, ...r, digest });
      } finally {
        await client.close();
      }
    }
  }
}

// ---------------------------------------------------------------- report

const KINDS = Object.keys(FILES);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const r1 = (x) => Number(x.toFixed(1));
const byVariant = {};
for (const variant of VARIANTS) {
  const of = (loader) => runs.filter((r) => r.variant === variant && r.loader === loader);
  const kinds = {};
  for (const k of KINDS) {
    const l = mean(of('loadCsv').map((r) => r.seconds[k]));
    const g = mean(of('ringscope').map((r) => r.seconds[k]));
    const cpuOf = (loader, side) => mean(of(loader).map((r) => r.cpu[k][side] ?? NaN));
    kinds[k] = {
      rows: rows[k],
      loadCsvS: r1(l),
      ringscopeS: r1(g),
      ratio: Number((l / g).toFixed(2)),
      loadCsvNeo4jCpuS: r1(cpuOf('loadCsv', 'neo4j')),
      ringscopeNeo4jCpuS: r1(cpuOf('ringscope', 'neo4j')),
      ringscopeNodeCpuS: r1(cpuOf('ringscope', 'node')),
    };
  }
  const lTotal = mean(of('loadCsv').map((r) => KINDS.reduce((s, k) => s + r.seconds[k], 0)));
  const gTotal = mean(of('ringscope').map((r) => Object.values(r.seconds).reduce((s, x) => s + x, 0)));
  const overhead = mean(of('ringscope').map((r) => r.seconds.open + r.seconds.finalize));
  byVariant[variant] = {
    kinds,
    total: { loadCsvS: r1(lTotal), ringscopeS: r1(gTotal), ratio: Number((lTotal / gTotal).toFixed(2)), ringscopeOpenFinalizeS: r1(overhead) },
  };
}
// The reference graph: ringscope's first run. Every ringscope run must equal it, and so must LOAD
// CSV's from account-grouped rows. LOAD CSV's from exporter order may differ in node properties only:
// it applies rows in file order, and the generator gives a few shared identifiers different
// properties on different rows (the model keeps the last non-empty value); its counts and every
// relationship must still be equal.
const key = (d) => JSON.stringify(d);
const reference = runs.find((r) => r.loader === 'ringscope')?.digest;
const countsOf = (d) => JSON.stringify(Object.fromEntries(Object.entries(d.nodes).map(([l, x]) => [l, x.count])));
const graphCheck = runs.map((r) => {
  const same = key(r.digest) === key(reference);
  const sameRels = key(r.digest.relationships) === key(reference.relationships) && countsOf(r.digest) === countsOf(reference);
  const ok = r.loader === 'loadCsv' && r.variant === 'exporter' ? sameRels : same;
  return { variant: r.variant, loader: r.loader, same, sameRelationshipsAndCounts: sameRels, ok };
});
const sameGraph = graphCheck.every((c) => c.ok);
const exporterLoadCsvDiffers = graphCheck.filter((c) => c.loader === 'loadCsv' && c.variant === 'exporter' && !c.same).length > 0;
const totalRows = KINDS.reduce((s, k) => s + rows[k], 0);
const label = {
  accounts: 'accounts',
  payment_methods: 'payment methods',
  ip_addresses: 'IPs + subnets',
  prompt_fingerprints: 'prompt fingerprints',
  activity: 'activity',
};
const tables = VARIANTS.map((variant) => {
  const v = byVariant[variant];
  return {
    title:
      variant === 'exporter'
        ? 'Exporter order (rows shuffled across accounts, as generated)'
        : 'Grouped by account (the same rows, stably sorted by account id)',
    headers: [
      'file kind',
      'rows',
      'LOAD CSV s',
      'ringscope s',
      'ratio (LOAD CSV s / ringscope s)',
      'Neo4j CPU s: LOAD CSV / ringscope',
      'ringscope Node CPU s',
    ],
    rows: [
      ...KINDS.map((k) => {
        const x = v.kinds[k];
        return [
          label[k],
          x.rows.toLocaleString('en'),
          x.loadCsvS,
          x.ringscopeS,
          `${x.ratio}×`,
          `${x.loadCsvNeo4jCpuS} / ${x.ringscopeNeo4jCpuS}`,
          x.ringscopeNodeCpuS,
        ];
      }),
      [
        '**total** (ringscope: + open/sha256 and ledger ' + v.total.ringscopeOpenFinalizeS + ' s)',
        totalRows.toLocaleString('en'),
        v.total.loadCsvS,
        v.total.ringscopeS,
        `**${v.total.ratio}×**`,
        '',
        '',
      ],
    ],
  };
});
const exVariant = byVariant.exporter ? 'exporter' : VARIANTS[0];
const ex = byVariant[exVariant];
const report = {
  command: `node scripts/with-services.mjs --instance ${instance} -- node scripts/bench-ingest.mjs --accounts ${ACCOUNTS} --variants ${VARIANTS.join(',')} --warmup ${WARMUP}`,
  measuredAt: new Date().toISOString(),
  summary:
    `One \`mixed\` drop of ${ACCOUNTS.toLocaleString('en')} accounts (${totalRows.toLocaleString('en')} rows, seed ${SEED}), ` +
    `on ${services.describeNeo4jMemory(memory)}. ` +
    `In ${exVariant === 'exporter' ? 'exporter' : 'account-grouped'} order ringscope took ${ex.total.ringscopeS} s against ${ex.total.loadCsvS} s for LOAD CSV: **${ex.total.ratio}× LOAD CSV** ` +
    `(per kind ${KINDS.map((k) => `${label[k]} ${ex.kinds[k].ratio}×`).join(', ')}). ` +
    `ringscope wrote through ${writePath === 'procedure' ? 'its ingest procedure (ringscope.ingest)' : 'its Cypher write path (the server has no ringscope.ingest)'}. ` +
    (sameGraph
      ? `Same graph (node, relationship and property digest) from every ringscope run${VARIANTS.includes('grouped') ? ' and from LOAD CSV on grouped rows' : ''}` +
        (exporterLoadCsvDiffers ? '; LOAD CSV on exporter-order rows differs in node properties only (see the notes).' : '.')
      : `**Graphs differ**: ${graphCheck
          .filter((c) => !c.ok)
          .map((c) => `${c.variant} ${c.loader}`)
          .join(', ')}.`),
  tables,
  notes: [
    "Same MERGE semantics on both sides (src/db/ingest-repository.ts): nodes merged on their unique keys, relationship firstSeen min, lastSeen max, counts and observations added, prompt markers united, hourly activity merged into the account's sorted hour lists; IPs get their /24 or /64 subnet.",
    'LOAD CSV: `LOAD CSV WITH HEADERS … CALL (row) { … } IN TRANSACTIONS OF 10000 ROWS`, one statement per file, files in dependency order.',
    `ringscope: what the pipeline runs: openDrop (sha256 of every file), one ingestFile per file (validation pass, write pass, batch ledger), finalizeDrop (drop ledger); default options (write path: ${writePath}).`,
    `Each run starts from an empty store (Neo4j stopped, store deleted, Neo4j started); the loaders alternate and the first loader swaps each round (${ROUNDS} round(s)). The machine is shared (2 cores): compare ratios within this run, not absolute seconds between runs.`,
    WARMUP > 0
      ? `JIT fairness: before each measured load, the freshly started JVM is warmed the same way for both loaders: a ${WARMUP.toLocaleString('en')}-account mixed drop (seed ${SEED + 1}) loaded by LOAD CSV, every node deleted, the same drop loaded by ringscope, every node deleted; the measured load then runs on the emptied database (\`--warmup 0\` measures a cold JVM).`
      : 'Cold JVM: no warm-up before the measured loads (`--warmup 0`); whichever file a loader loads first pays the JIT compilation.',
  ],
  raw: { accounts: ACCOUNTS, seed: SEED, rounds: ROUNDS, server, memory, writePath, rows, byVariant, sameGraph, graphCheck, runs },
};
fs.mkdirSync(path.join(ROOT, 'bench-out'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench-out', 'ingest.json'), JSON.stringify(report, null, 2) + '\n');
console.log(report.summary);
if (!sameGraph) {
  console.error('[bench-ingest] graphs differ:', graphCheck);
  process.exitCode = 1;
}
