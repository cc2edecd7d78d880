#!/usr/bin/env node
// `npm run demo`: the main job end to end on a demo drop, against the services that
// with-services.mjs brought up. Every step is the real CLI:
//   generate (mixed scenario) → run the BullMQ flow in-process (ingest → detect → export)
//   → evaluate against the generator's truth → exports (CSV, STIX) → HTML report.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'out', 'demo');
const accounts = process.env.DEMO_ACCOUNTS ?? '5000';
const seed = process.env.DEMO_SEED ?? '7';

function ringscope(...args) {
  console.error(`\n$ ringscope ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'ringscope.mjs'), ...args], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`demo: \`ringscope ${args[0]}\` failed (${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(OUT, { recursive: true });
ringscope('generate', '--scenario', 'mixed', '--accounts', accounts, '--seed', seed, '--out', OUT);
ringscope('run', path.join(OUT, 'drop'), '--with-worker');
ringscope('clusters', '--run', 'latest', '--min-recommendation', 'review');
ringscope('evaluate', '--truth', path.join(OUT, 'truth.csv'), '--run', 'latest');
ringscope('export', '--run', 'latest', '--format', 'csv', '--out', path.join(OUT, 'export', 'accounts.csv'));
ringscope('export', '--run', 'latest', '--format', 'stix', '--out', path.join(OUT, 'export', 'rings.stix.json'));
ringscope('report', '--run', 'latest', '--out', path.join(OUT, 'report'));
console.error(`\ndemo: done. Exports in ${path.relative(ROOT, OUT)}/export, report at ${path.relative(ROOT, OUT)}/report/index.html`);
