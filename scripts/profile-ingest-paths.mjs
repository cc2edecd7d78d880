#!/usr/bin/env node
// Ingest's write paths on a warm JVM (issue #21): LOAD CSV (same MERGE semantics), ringscope's
// Cypher write path and its ingest procedure (ringscope.ingest), per file kind, each loading the
// whole drop into an emptied database several times in a row on one running Neo4j, so the figures
// of the last repetitions are the JIT's steady state (a long-running server, as a nightly ingest
// meets it) rather than its warm-up. Wall time, this process's CPU, and the Neo4j JVM's CPU split by
// thread group (/proc/<pid>/task: Bolt workers = the queries; C2/C1 compiler threads = the JIT).
//
//   node scripts/with-services.mjs --instance <name> -- node scripts/profile-ingest-paths.mjs [--accounts 70000] [--seed 1] [--reps 3]
//
// Writes bench-out/ingest-paths.json. Deletes the instance's store: never point it at data you want to keep.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as services from './services.mjs';
import { FILES, LOAD_CSV_BODIES, inTx } from './load-csv-ingest.mjs';
import { flags, progress, scratchInstance } from './script-cli.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(ROOT, 'dist', p));
const { loadConfig } = await dist('config/index.js');
const { Neo4jClient, ensureSchema } = await dist('db/index.js');
const { ingestFile, openDrop } = await dist('loaders/index.js');
const { generate } = await dist('generator/index.js');

const args = flags();
const ACCOUNTS = Number(args.accounts ?? 70_000);
const SEED = Number(args.seed ?? 1);
const REPS = Number(args.reps ?? 3);
const PATHS = ['loadcsv', 'cypher', 'procedure'];
const KINDS = Object.keys(FILES);
const instance = scratchInstance('profile-ingest-paths deletes its store');
const say = progress('ingest-paths');
const importDir = path.join(services.stateDir(instance), 'neo4j', 'import');
const gen = path.join(importDir, 'ingest-paths', `mixed-${ACCOUNTS}-${SEED}`);
if (!fs.existsSync(path.join(gen, 'truth.csv'))) {
  fs.rmSync(gen, { recursive: true, force: true });
  say(`generating scenario mixed, ${ACCOUNTS} accounts, seed ${SEED}...`);
  await generate({ scenario: 'mixed', accounts: ACCOUNTS, seed: SEED, out: gen });
}
const dropDir = path.join(gen, 'drop');

/** CPU seconds of each thread group of the Neo4j JVM so far. */
function jvmThreads() {
  const pid = fs.readFileSync(path.join(services.stateDir(instance), 'neo4j', 'launcher.pid'), 'utf8').trim();
  const out = new Map();
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(t, { name: fs.readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim(), cpu: (Number(f[11]) + Number(f[12])) / 100 });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}
const group = (name) => (name.includes('BoltWorke') ? 'bolt' : /C\d CompilerThre/.test(name) ? 'jit' : 'other');
function cpuSince(before) {
  const by = { bolt: 0, jit: 0, other: 0 };
  for (const [t, a] of jvmThreads()) by[group(a.name)] += Math.max(0, a.cpu - (before.get(t)?.cpu ?? 0));
  return by;
}

const client = await Neo4jClient.connect(loadConfig({ ...process.env, LOG_LEVEL: 'silent' }));
await ensureSchema(client);
const run = async (cypher, params = {}) => {
  const s = client.session('WRITE');
  try {
    await s.run(cypher, params);
  } finally {
    await s.close();
  }
};
const rel = path.relative(importDir, dropDir).split(path.sep).join('/');
const results = []; // { rep, path, kind, s, nodeCpuS, bolt, jit, other }
for (let rep = 1; rep <= REPS; rep++) {
  for (const p of rep % 2 === 1 ? PATHS : [...PATHS].reverse()) {
    await run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
    const drop = await openDrop(dropDir, { dropId: `paths-${rep}-${p}` });
    for (const kind of KINDS) {
      const [before, t0, c0] = [jvmThreads(), performance.now(), process.cpuUsage()];
      if (p === 'loadcsv') await run(inTx(LOAD_CSV_BODIES[kind]), { url: `file:///${rel}/${FILES[kind]}` });
      else {
        const f = drop.files.find((x) => x.kind === kind);
        await ingestFile(client, drop, f.name, { stateDir: path.join(services.stateDir(instance), 'paths-rejects'), writePath: p });
      }
      const c = process.cpuUsage(c0);
      const r = { rep, path: p, kind, s: (performance.now() - t0) / 1000, nodeCpuS: (c.user + c.system) / 1e6, ...cpuSince(before) };
      results.push(r);
      say(`rep ${rep} ${p} ${kind}: ${r.s.toFixed(2)} s (Node ${r.nodeCpuS.toFixed(2)}, Bolt ${r.bolt.toFixed(2)}, JIT ${r.jit.toFixed(2)} CPU-s)`);
    }
  }
}
await client.close();

// The last repetitions are the steady state; the first shows the warm-up.
const steady = REPS >= 2 ? results.filter((r) => r.rep >= 2) : results;
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const r2 = (x) => Number(x.toFixed(2));
const cell = (p, kind, f) => r2(mean(steady.filter((r) => r.path === p && r.kind === kind).map(f)));
const label = { accounts: 'accounts', payment_methods: 'payment methods', ip_addresses: 'IPs + subnets', prompt_fingerprints: 'prompt fingerprints', activity: 'activity' };
const totalOf = (p) => r2(KINDS.reduce((s, k) => s + cell(p, k, (r) => r.s), 0));
const memory = services.startedNeo4jMemory(instance);
const report = {
  command: `node scripts/with-services.mjs --instance ${instance} -- node scripts/profile-ingest-paths.mjs --accounts ${ACCOUNTS} --seed ${SEED} --reps ${REPS}`,
  measuredAt: new Date().toISOString(),
  summary:
    `One \`mixed\` drop of ${ACCOUNTS.toLocaleString('en')} accounts (seed ${SEED}, exporter order), loaded ${REPS} times by each path on one running Neo4j (${services.describeNeo4jMemory(memory)}), ` +
    `each load into an emptied database; figures are the mean of repetitions 2–${REPS} (a warm JVM). ` +
    `Whole drop: LOAD CSV ${totalOf('loadcsv')} s, ringscope's Cypher path ${totalOf('cypher')} s (${r2(totalOf('loadcsv') / totalOf('cypher'))}×), ` +
    `its procedure ${totalOf('procedure')} s (**${r2(totalOf('loadcsv') / totalOf('procedure'))}×**); per kind, procedure against LOAD CSV: ` +
    KINDS.map((k) => `${label[k]} ${r2(cell('loadcsv', k, (r) => r.s) / cell('procedure', k, (r) => r.s))}×`).join(', ') +
    '.',
  tables: [
    {
      title: 'Per file kind, warm JVM (seconds; CPU-s in brackets: Neo4j query threads / JIT / this process)',
      headers: ['file kind', 'LOAD CSV', 'Cypher path', 'procedure', 'procedure vs LOAD CSV', 'procedure vs Cypher path'],
      rows: KINDS.map((k) => {
        const fmt = (p) => `${cell(p, k, (r) => r.s)} (${cell(p, k, (r) => r.bolt)} / ${cell(p, k, (r) => r.jit)} / ${cell(p, k, (r) => r.nodeCpuS)})`;
        return [
          label[k],
          fmt('loadcsv'),
          fmt('cypher'),
          fmt('procedure'),
          `${r2(cell('loadcsv', k, (r) => r.s) / cell('procedure', k, (r) => r.s))}×`,
          `${r2(cell('cypher', k, (r) => r.s) / cell('procedure', k, (r) => r.s))}×`,
        ];
      }),
    },
  ],
  notes: [
    'Each repetition runs the three paths in turn (the order reverses every repetition), each into a database emptied by `DETACH DELETE` (the schema stays); ringscope runs ingestFile per file as the pipeline does (validation pass, write pass, batch ledger).',
    'CPU per thread group from /proc/<pid>/task/*/stat of the Neo4j JVM: "query threads" are the Bolt workers (the statements, the procedure and the commits); "JIT" the C1/C2 compiler threads.',
    'Repetition 1 is left out of the means: on a JVM that has not run a path before, its compiler threads take up to as much CPU as its queries (raw figures).',
  ],
  raw: { accounts: ACCOUNTS, seed: SEED, reps: REPS, memory, results },
};
fs.mkdirSync(path.join(ROOT, 'bench-out'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench-out', 'ingest-paths.json'), JSON.stringify(report, null, 2) + '\n');
console.log(report.summary);
