#!/usr/bin/env node
// Runs a command with ringscope's services up and the project compiled:
//   node scripts/with-services.mjs [--instance dev|test] -- <command...>
// Starts Neo4j and Redis when none are reachable (see services.mjs), compiles src/ to dist/
// (BullMQ sandboxed processors and the CLI run compiled JS), then runs the command with
// NEO4J_* / REDIS_URL set. Services are left running for reuse; `npm run services:down` stops them.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { up } from './services.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const opts = sep >= 0 ? argv.slice(0, sep) : [];
const cmd = sep >= 0 ? argv.slice(sep + 1) : argv;
let instance = process.env.RINGSCOPE_INSTANCE ?? 'dev';
for (let i = 0; i < opts.length; i++) if (opts[i] === '--instance') instance = opts[++i];
// RINGSCOPE_TEST_INSTANCE lets parallel checkouts run `npm test` against separate services.
if (instance === 'test' && process.env.RINGSCOPE_TEST_INSTANCE) instance = process.env.RINGSCOPE_TEST_INSTANCE;
if (cmd.length === 0) {
  console.error('usage: with-services.mjs [--instance dev|test] -- <command...>');
  process.exit(2);
}

// A fresh clone: install the locked npm packages first (install scripts are denied by policy, see package.json).
if (!fs.existsSync(path.join(ROOT, 'node_modules', 'typescript'))) {
  console.error('[services] node_modules missing: npm ci --ignore-scripts');
  const ci = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (ci.status !== 0) process.exit(ci.status ?? 1);
}
// The report test drives Debian's Chromium; install it on a fresh machine when we can (root).
if (instance !== 'dev' && cmd.some((c) => c.includes('vitest')) && !fs.existsSync('/usr/bin/chromium') && process.getuid?.() === 0) {
  console.error('[services] installing Debian chromium for the report test...');
  spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null'], { stdio: 'inherit' });
}

const build = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: ROOT,
  stdio: 'inherit',
});
// tsc still emits on type errors; a broken type elsewhere must not block a test run (typecheck is its own gate).
if (build.status !== 0) console.error('[services] warning: tsc reported errors; dist/ may be stale (see npm run typecheck)');

let env;
try {
  env = await up(instance);
} catch (err) {
  console.error(`[services] error: ${err.message}`);
  process.exit(1);
}
const bin = path.join(ROOT, 'node_modules', '.bin');
const child = spawn(cmd[0], cmd.slice(1), {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, ...env, RINGSCOPE_INSTANCE: instance, PATH: `${bin}:${process.env.PATH}` },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
