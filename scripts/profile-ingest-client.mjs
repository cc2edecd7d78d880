#!/usr/bin/env node
// Client-side CPU of ingest per prompt-fingerprint row (issue #21): reading and validating the file,
// validation with grouping by account (what the validation pass does), cutting batches and building
// their parameters (batchParams), and sending one batch's relationships over Bolt as a list of maps
// (what the write path sends) against the same values as parallel lists (columnar), each to a
// statement that only reads the parameter's size, so the figure is the driver's encoding plus the
// server's decoding and nothing else. Process CPU per row or relationship; the round trip's wall
// time also shows the server's decode.
//
//   node scripts/with-services.mjs --instance <name> -- node scripts/profile-ingest-client.mjs [--accounts 5000] [--seed 2]
//
// Writes bench-out/ingest-client.json.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as services from './services.mjs';
import { flags } from './script-cli.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(ROOT, 'dist', p));
const { loadConfig } = await dist('config/index.js');
const { Neo4jClient } = await dist('db/index.js');
const { openDrop, validateFile, validatedBatches, batchParams } = await dist('loaders/index.js');
const { AccountBuffer } = await dist('loaders/account-buffer.js');
const { SeenKeys } = await dist('loaders/seen-keys.js');
const { generate } = await dist('generator/index.js');

const args = flags();
const ACCOUNTS = Number(args.accounts ?? 5_000);
const SEED = Number(args.seed ?? 2);
const REPEATS = 3;
const instance = process.env.RINGSCOPE_INSTANCE ?? 'dev';
const gen = path.join(services.stateDir(instance), 'ingest-client', `mixed-${ACCOUNTS}-${SEED}`);
if (!fs.existsSync(path.join(gen, 'truth.csv'))) {
  fs.rmSync(gen, { recursive: true, force: true });
  await generate({ scenario: 'mixed', accounts: ACCOUNTS, seed: SEED, out: gen });
}
const drop = await openDrop(path.join(gen, 'drop'));
const file = drop.files.find((f) => f.kind === 'prompt_fingerprints');
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const us = (s, n) => Number(((s / n) * 1e6).toFixed(1));

let rows = 0;
let t = cpu();
for await (const b of validatedBatches(file, {})) rows += b.length;
const readValidate = cpu() - t;
const buffer = new AccountBuffer(2_000_000);
t = cpu();
await validateFile(file, { maxRejectRatio: 1, onRow: (r) => buffer.add(r) });
const validateGroup = cpu() - t;
t = cpu();
const seen = new SeenKeys();
const batches = buffer.drain(10_000).map((rowsOf) => batchParams('prompt_fingerprints', rowsOf(), seen));
const params = cpu() - t;

// The relationships of each batch with their node's properties, as writeNew sends them.
const maps = batches.map((p) =>
  p.groups.map((g) => ({ a: g.a, rels: g.rels.map((r) => ({ k: r.k, fk: r.fk, mk: r.mk, cap: r.cap, fs: r.fs, ls: r.ls, o: r.o, n: r.n })) })),
);
const columns = batches.map((p) => {
  const c = { a: [], k: [], fk: [], mk: [], cap: [], fs: [], ls: [], o: [], n: [] };
  for (const g of p.groups) for (const r of g.rels) for (const f of Object.keys(c)) c[f].push(f === 'a' ? g.a : r[f]);
  return c;
});
const rels = maps.reduce((s, b) => s + b.reduce((x, g) => x + g.rels.length, 0), 0);
const client = await Neo4jClient.connect(loadConfig({ ...process.env, LOG_LEVEL: 'silent' }));
const bolt = { maps: [], columns: [] };
try {
  const s = client.session('READ');
  try {
    for (let i = 0; i < REPEATS; i++) {
      for (const [name, list, q] of [
        ['maps', maps, 'RETURN size($p) AS n'],
        ['columns', columns, 'RETURN size($p.k) AS n'],
      ]) {
        const [c0, w0] = [cpu(), performance.now()];
        for (const p of list) await s.run(q, { p });
        bolt[name].push({ nodeUsPerRel: us(cpu() - c0, rels), wallMs: Math.round(performance.now() - w0) });
      }
    }
  } finally {
    await s.close();
  }
} finally {
  await client.close();
}

const last = (name) => bolt[name].at(-1);
const report = {
  command: `node scripts/with-services.mjs --instance ${instance} -- node scripts/profile-ingest-client.mjs --accounts ${ACCOUNTS} --seed ${SEED}`,
  measuredAt: new Date().toISOString(),
  summary:
    `Client CPU per prompt-fingerprint row (${rows.toLocaleString('en')} rows of a ${ACCOUNTS.toLocaleString('en')}-account mixed drop, seed ${SEED}): ` +
    `read and validate ${us(readValidate, rows)} µs, validate and group by account ${us(validateGroup, rows)} µs, batches and parameters ${us(params, rows)} µs. ` +
    `Sending the ${rels.toLocaleString('en')} relationships of the batches' uncontended parts over Bolt (last of ${REPEATS} repeats): as maps ${last('maps').nodeUsPerRel} µs of client CPU each and ${last('maps').wallMs} ms of round trips, ` +
    `as parallel lists ${last('columns').nodeUsPerRel} µs and ${last('columns').wallMs} ms.`,
  tables: [
    {
      title: 'Bolt parameters, per repeat',
      headers: [
        'repeat',
        'maps: client µs / relationship',
        'maps: round trips ms',
        'parallel lists: client µs / relationship',
        'parallel lists: round trips ms',
      ],
      rows: bolt.maps.map((m, i) => [i + 1, m.nodeUsPerRel, m.wallMs, bolt.columns[i].nodeUsPerRel, bolt.columns[i].wallMs]),
    },
  ],
  notes: [
    'Process CPU of this Node process; the machine is shared, so the figures carry its load (the round trips also include the server decoding the parameter).',
  ],
  raw: { accounts: ACCOUNTS, seed: SEED, rows, rels, seconds: { readValidate, validateGroup, params }, bolt },
};
fs.mkdirSync(path.join(ROOT, 'bench-out'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench-out', 'ingest-client.json'), JSON.stringify(report, null, 2) + '\n');
console.log(report.summary);
