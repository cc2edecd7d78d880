#!/usr/bin/env node
// Where ingest time goes (issue #21): ingest a drop file by file into an empty store and record, per
// file, the wall time, this process's CPU (parsing, validation, parameters), Neo4j's CPU and page
// faults (/proc/<pid>/stat of the Neo4j JVM) and, from a Java Flight Recorder recording of the
// Neo4j JVM (jcmd JFR.start / JFR.stop, `jfr print`), how its CPU splits between threads (query
// workers, JIT compiler, GC) and the hottest Neo4j frames. Linux only (reads /proc), needs the JDK's
// jcmd and jfr on PATH.
//
//   node scripts/with-services.mjs --instance bench -- node scripts/profile-ingest.mjs [--accounts 70000] [--seed 1]
//
// Uses the drop bench-ingest generated (or generates it), deletes the instance's store first, and
// writes bench-out/ingest-profile.json (shown in BENCHMARKS.md).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as services from './services.mjs';
import { flags, scratchInstance } from './script-cli.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(ROOT, 'dist', p));
const { loadConfig } = await dist('config/index.js');
const { Neo4jClient } = await dist('db/index.js');
const { ingestFile, openDrop, KIND_ORDER } = await dist('loaders/index.js');
const { ensureSchema } = await dist('db/schema.js');
const { generate } = await dist('generator/index.js');

const args = flags();
const ACCOUNTS = Number(args.accounts ?? 70_000);
const SEED = Number(args.seed ?? 1);
const instance = scratchInstance('profile-ingest deletes its store');
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const state = services.stateDir(instance);
const gen = path.join(state, 'neo4j', 'import', 'bench-ingest', `mixed-${ACCOUNTS}-${SEED}`);
if (!fs.existsSync(path.join(gen, 'truth.csv'))) {
  fs.rmSync(gen, { recursive: true, force: true });
  await generate({ scenario: 'mixed', accounts: ACCOUNTS, seed: SEED, out: gen });
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-profile-ingest-'));

// An empty store, as bench-ingest makes it.
await services.stopNeo4j(instance);
const data = path.join(state, 'neo4j', 'data');
fs.rmSync(path.join(data, 'databases', 'neo4j'), { recursive: true, force: true });
fs.rmSync(path.join(data, 'transactions', 'neo4j'), { recursive: true, force: true });
await services.startNeo4j(instance);
const pid = fs.readFileSync(path.join(state, 'neo4j', 'launcher.pid'), 'utf8').trim();
const client = await Neo4jClient.connect(config);
await ensureSchema(client);

const TICK = 100; // USER_HZ on Linux
function jvmStat() {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { cpuS: (Number(f[11]) + Number(f[12])) / TICK, minorFaults: Number(f[7]), majorFaults: Number(f[9]) };
}
function jfrJson(file, event) {
  const r = spawnSync('jfr', ['print', '--json', '--events', event, file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  return JSON.parse(r.stdout).recording.events;
}
/** CPU share per thread group from jdk.ThreadCPULoad, hottest frames (inclusive) from jdk.ExecutionSample. */
function analyse(file) {
  const groups = {};
  for (const e of jfrJson(file, 'jdk.ThreadCPULoad')) {
    const name = e.values.eventThread?.javaName ?? '?';
    const g = /Bolt|Cypher/.test(name) ? 'query workers' : /Compiler/.test(name) ? 'JIT compiler' : /GC|G1/.test(name) ? 'GC' : 'other';
    groups[g] = (groups[g] ?? 0) + e.values.user + e.values.system;
  }
  const total = Object.values(groups).reduce((a, b) => a + b, 0) || 1;
  const threadShare = Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, Math.round((100 * v) / total)]));
  const samples = jfrJson(file, 'jdk.ExecutionSample');
  const incl = new Map();
  for (const e of samples) {
    const names = new Set((e.values.stackTrace?.frames ?? []).map((f) => `${f.method.type.name.split('/').at(-1)}.${f.method.name}`));
    for (const n of names) incl.set(n, (incl.get(n) ?? 0) + 1);
  }
  const hot = [...incl.entries()]
    .filter(([n]) => !/^(Thread|ThreadPoolExecutor|ForkJoin|Bolt|Netty|AbstractEventExecutor|SingleThreadEventExecutor|FastThreadLocalRunnable)/.test(n))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([n, c]) => `${n} ${Math.round((100 * c) / samples.length)}%`);
  return { threadCpuSharePct: threadShare, hottestFramesInclusive: hot, samples: samples.length };
}

const drop = await openDrop(path.join(gen, 'drop'), { dropId: 'profile' });
const files = [...drop.files].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
const rows = [];
for (const f of files) {
  const jfr = path.join(work, `${f.kind}.jfr`);
  spawnSync('jcmd', [pid, 'JFR.start', `name=${f.kind}`, 'settings=profile'], { stdio: 'ignore' });
  const s0 = jvmStat();
  const c0 = process.cpuUsage();
  const t = performance.now();
  const r = await ingestFile(client, drop, f.name, { stateDir: path.join(work, 'state') });
  const wallS = (performance.now() - t) / 1000;
  const c = process.cpuUsage(c0);
  const s1 = jvmStat();
  spawnSync('jcmd', [pid, 'JFR.stop', `name=${f.kind}`, `filename=${jfr}`], { stdio: 'ignore' });
  const row = {
    kind: f.kind,
    rows: r.rows,
    wallS: +wallS.toFixed(1),
    nodeCpuS: +((c.user + c.system) / 1e6).toFixed(1),
    neo4jCpuS: +(s1.cpuS - s0.cpuS).toFixed(1),
    neo4jMinorFaults: s1.minorFaults - s0.minorFaults,
    neo4jMajorFaults: s1.majorFaults - s0.majorFaults,
    ...analyse(jfr),
  };
  rows.push(row);
  console.error(`[profile-ingest] ${JSON.stringify(row)}`);
}
await client.close();
fs.rmSync(work, { recursive: true, force: true });

const memory = JSON.parse(fs.readFileSync(path.join(state, 'neo4j-memory.json'), 'utf8'));
const out = {
  command: `node scripts/with-services.mjs --instance ${instance} -- node scripts/profile-ingest.mjs --accounts ${ACCOUNTS} --seed ${SEED}`,
  measuredAt: new Date().toISOString(),
  summary:
    `The ${ACCOUNTS.toLocaleString('en')}-account mixed drop in exporter order, ingested file by file (ingestFile) into an empty store on the default services ` +
    `(Neo4j heap ${memory.heap}, page cache ${memory.pagecache}); load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores at the end.`,
  tables: [
    {
      title: 'Per file',
      headers: ['file kind', 'rows', 'wall s', 'Node CPU s', 'Neo4j CPU s', 'Neo4j page faults (minor / major)', 'Neo4j CPU by thread'],
      rows: rows.map((r) => [
        r.kind,
        r.rows,
        r.wallS,
        r.nodeCpuS,
        r.neo4jCpuS,
        `${r.neo4jMinorFaults} / ${r.neo4jMajorFaults}`,
        Object.entries(r.threadCpuSharePct)
          .map(([k, v]) => `${k} ${v}%`)
          .join(', '),
      ]),
    },
    {
      title: 'Hottest Neo4j frames (share of execution samples containing the frame)',
      headers: ['file kind', 'frames'],
      rows: rows.map((r) => [r.kind, r.hottestFramesInclusive.join('; ')]),
    },
  ],
  raw: rows,
};
fs.mkdirSync(path.join(ROOT, 'bench-out'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench-out', 'ingest-profile.json'), JSON.stringify(out, null, 2) + '\n');
console.log(out.summary);
