#!/usr/bin/env node
// `npm run demo`: the main job end to end on a demo drop, against the services that
// with-services.mjs brought up. Every step is the real CLI:
//   generate (mixed scenario) → run the BullMQ flow in-process (ingest → detect → export)
//   → evaluate against the generator's truth → exports (CSV, STIX) → HTML report,
// then prints the next commands to try. They need no wrapper: the CLI finds the services this demo
// used through .ringscope/<instance>/services.json (src/config/local-services.ts). The demo runs each
// of them once from a plain environment (no NEO4J_* / REDIS_URL) before printing it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'out', 'demo');
const accounts = process.env.DEMO_ACCOUNTS ?? '5000';
const seed = process.env.DEMO_SEED ?? '7';

const instance = process.env.RINGSCOPE_INSTANCE ?? 'dev';

/** The environment of a plain shell: without the variables with-services.mjs set. */
function plainEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('NEO4J_') || k === 'REDIS_URL' || k === 'RINGSCOPE_STATE_DIR' || k === 'RINGSCOPE_INSTANCE') delete env[k];
  if (instance !== 'dev') env.RINGSCOPE_INSTANCE = instance;
  return env;
}

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

// The strongest cluster of the run, for the explain and cookbook examples.
const listed = spawnSync(
  process.execPath,
  [path.join(ROOT, 'bin', 'ringscope.mjs'), 'clusters', '--run', 'latest', '--min-recommendation', 'monitor', '--json'],
  {
    cwd: ROOT,
    encoding: 'utf8',
  },
);
const first =
  listed.status === 0
    ? listed.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))[0]
    : undefined;
const rel = path.relative(ROOT, OUT);
const prefix = instance === 'dev' ? '' : `RINGSCOPE_INSTANCE=${instance} `;
const next = [
  'npx ringscope clusters',
  ...(first ? [`npx ringscope explain ${first.id}`] : []),
  `npx ringscope report --out ${rel}/report`,
  ...(first ? [`npx ringscope query cluster-members --param cluster=${first.id}`] : ['npx ringscope query top-clusters']),
].map((c) => prefix + c);
for (const cmd of next) {
  const r = spawnSync('sh', ['-c', cmd], { cwd: ROOT, env: plainEnv(), stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`demo: the next command \`${cmd}\` failed from a plain shell (${r.status ?? r.signal}):\n${r.stderr}`);
    process.exit(1);
  }
}
console.error(`\ndemo: done. Exports in ${rel}/export, report at ${rel}/report/index.html`);
console.error(`\nNext, from this folder (no wrapper needed: the CLI finds the services the demo used):\n${next.map((c) => `  ${c}`).join('\n')}`);
