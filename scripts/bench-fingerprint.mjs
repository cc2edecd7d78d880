#!/usr/bin/env node
// Prompt-fingerprinting benchmark (issue #7): prompts/s on one core for ~1 KB prompts, and the
// measured LSH collision rates for related and unrelated prompts. Runs the compiled code in dist/
// (`npm run build` first). Writes bench-out/fingerprint.json.
//   node scripts/bench-fingerprint.mjs [--prompts 50000] [--seed 1]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(ROOT, 'dist', 'fingerprint', 'index.js');
if (!fs.existsSync(dist)) {
  console.error('bench-fingerprint: dist/ is missing; run `npm run build` first');
  process.exit(2);
}
const { Fingerprinter, PromptSynth, fingerprintLog, sCurve, DEFAULTS } = await import(pathToFileURL(dist).href);

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('prompts', 50_000);
const seed = arg('seed', 1);
const synth = new PromptSynth(seed);

// Corpus: 60% templated traffic (300 families), 40% ordinary prompts; each topped up to ≥ 900 characters.
const families = Array.from({ length: 300 }, () => synth.family());
const prompts = [];
const systems = [];
let chars = 0;
for (let i = 0; i < N; i++) {
  let p, s;
  if (i % 5 < 3) {
    const v = synth.variant(families[i % families.length]);
    p = v.prompt;
    s = v.system;
  } else p = synth.ordinary();
  while (p.length < 900) p += '\n' + synth.ordinary();
  // Flatten the concatenated string, as JSON.parse hands it over in the real (log) path.
  prompts.push(JSON.parse(JSON.stringify(p)));
  systems.push(s);
  chars += p.length + (s?.length ?? 0);
}
const bytes = prompts.reduce((a, p) => a + Buffer.byteLength(p), 0);

// Rates are given per wall-clock second and per CPU second of this process (user + system): on a
// shared machine the second is the fairer "one core" figure. The core loop is single-threaded JS.
function measure(fn) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const r = fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cu = process.cpuUsage(c0);
  const cpu = (cu.user + cu.system) / 1e6;
  return { r, wall, cpu };
}

function timeCore(fp) {
  for (let i = 0; i < 5000; i++) fp.fingerprint(prompts[i % N], systems[i % N]);
  const { r: sink, wall, cpu } = measure(() => {
    let sink = 0;
    for (let i = 0; i < N; i++) sink += fp.fingerprint(prompts[i], systems[i]).bands.length;
    return sink;
  });
  if (sink === 0) throw new Error('no bands');
  return { wallSeconds: +wall.toFixed(3), cpuSeconds: +cpu.toFixed(3), promptsPerWallSecond: Math.round(N / wall), promptsPerCpuSecond: Math.round(N / cpu) };
}

const core = timeCore(new Fingerprinter());
const coreKeyed = timeCore(new Fingerprinter({ key: 'bench-key-0123456789abcdef' }));

// End to end: gzipped NDJSON file → aggregated CSV (JSON parsing, gunzip, aggregation, sorting, CSV).
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-bench-fp-'));
const t = Date.parse('2026-01-01T00:00:00Z');
const ndjson = prompts
  .map((p, i) => JSON.stringify({ account_id: `acct-${i % 5000}`, ts: new Date(t + i * 1000).toISOString(), prompt: p, ...(systems[i] ? { system: systems[i] } : {}) }))
  .join('\n');
const gzPath = path.join(tmp, 'prompts.ndjson.gz');
fs.writeFileSync(gzPath, gzipSync(ndjson));
const outPath = path.join(tmp, 'prompt_fingerprints.csv');
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const summary = await fingerprintLog(gzPath, outPath);
const e2eSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
const e2eCpu = process.cpuUsage(c0);
const e2eCpuSeconds = (e2eCpu.user + e2eCpu.system) / 1e6;
fs.rmSync(tmp, { recursive: true, force: true });

// Collision rates: related = pairs of variants of one family; unrelated = pairs across families and ordinary prompts.
function collisions() {
  const fp = new Fingerprinter();
  const s2 = new PromptSynth(seed + 1000);
  const share = (a, b) => a.bands.some((x, i) => x === b.bands[i]);
  const related = {};
  for (const paraphrase of [0.1, 0.25]) {
    let pairs = 0, hit = 0, sameTemplate = 0;
    for (let f = 0; f < 200; f++) {
      const fam = s2.family();
      const v = Array.from({ length: 6 }, () => fp.fingerprint(s2.variant(fam, { paraphrase }).prompt));
      for (let i = 0; i < v.length; i++)
        for (let j = i + 1; j < v.length; j++) {
          pairs++;
          if (share(v[i], v[j])) hit++;
          if (v[i].template === v[j].template) sameTemplate++;
        }
    }
    related[`paraphrase_${paraphrase}`] = { pairs, bandCollisionRate: +(hit / pairs).toFixed(4), templateEqualRate: +(sameTemplate / pairs).toFixed(4) };
  }
  const items = [...Array.from({ length: 150 }, () => s2.variant(s2.family()).prompt), ...Array.from({ length: 150 }, () => s2.ordinary())].map((p) => fp.fingerprint(p));
  let pairs = 0, hit = 0;
  for (let i = 0; i < items.length; i++)
    for (let j = i + 1; j < items.length; j++) {
      pairs++;
      if (share(items[i], items[j])) hit++;
    }
  return { related, unrelated: { pairs, bandCollisionRate: +(hit / pairs).toFixed(5) } };
}
const rates = collisions();

const result = {
  benchmark: 'fingerprint',
  node: process.version,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  prompts: N,
  avgPromptBytes: Math.round(bytes / N),
  params: { shingle: DEFAULTS.shingle, bands: DEFAULTS.bands, rows: DEFAULTS.rows, hexChars: DEFAULTS.hexChars },
  sCurve: Object.fromEntries([0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8].map((s) => [s, +sCurve(s, DEFAULTS.bands, DEFAULTS.rows).toFixed(4)])),
  coreUnkeyed: core,
  coreKeyed: coreKeyed,
  endToEnd: {
    wallSeconds: +e2eSeconds.toFixed(3),
    cpuSeconds: +e2eCpuSeconds.toFixed(3),
    promptsPerWallSecond: Math.round(N / e2eSeconds),
    promptsPerCpuSecond: Math.round(N / e2eCpuSeconds),
    rows: summary.rows,
    accounts: summary.accounts,
    gzipped: true,
  },
  loadAverage1m: +os.loadavg()[0].toFixed(2),
  cores: os.cpus().length,
  collisions: rates,
  avgChars: Math.round(chars / N),
};
fs.mkdirSync(path.join(ROOT, 'bench-out'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench-out', 'fingerprint.json'), JSON.stringify(result, null, 2) + '\n');
console.log(`fingerprint: ${N} prompts of ~${result.avgPromptBytes} B`);
console.log(`  core (one thread) unkeyed: ${core.promptsPerCpuSecond} prompts/CPU-s (${core.promptsPerWallSecond}/wall-s); HMAC-keyed: ${coreKeyed.promptsPerCpuSecond} prompts/CPU-s (${coreKeyed.promptsPerWallSecond}/wall-s)`);
console.log(`  end to end (gz NDJSON → CSV): ${result.endToEnd.promptsPerCpuSecond} prompts/CPU-s (${result.endToEnd.promptsPerWallSecond}/wall-s), ${summary.rows} rows`);
console.log(`  load average ${result.loadAverage1m} on ${result.cores} cores`);
console.log(`  collisions: ${JSON.stringify(rates)}`);
console.log('  wrote bench-out/fingerprint.json');
