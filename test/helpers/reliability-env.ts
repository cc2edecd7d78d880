import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config/index.js';

/**
 * Helpers for the reliability tests (test/reliability/): real `ringscope` child processes with
 * their output captured, separate service instances that a test may kill and restart, and Redis
 * memory probes. Nothing here mocks a service.
 */

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'ringscope.mjs');
const SERVICES = path.join(ROOT, 'scripts', 'services.mjs');

/** A running `ringscope …` child process; stdout and stderr are captured together, in order. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout + stderr). */
  output(): string;
  readonly stdout: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let all = '';
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    all += d.toString();
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => (all += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => all, stdout: () => out, exited };
}

/** Run a `ringscope …` command to its end. */
export async function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 240_000,
): Promise<{ code: number | null; output: string; stdout: string }> {
  const p = spawnCli(args, env);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, output: p.output(), stdout: p.stdout() };
}

/** Stop a child we started: SIGTERM, then SIGKILL after a grace period. */
export async function stopCli(p: CliProcess, graceMs = 20_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

/**
 * Bring up (or reuse) the services of a separate instance, e.g. `h8-faults`, through
 * `scripts/services.mjs up` in a child process. The parent's NEO4J_URI / REDIS_URL are removed first:
 * services.mjs would otherwise reuse the test instance's services when they answer.
 */
export async function instanceEnv(instance: string): Promise<Record<string, string>> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NEO4J_URI;
  delete env.REDIS_URL;
  delete env.NEO4J_PASSWORD;
  delete env.NEO4J_PASSWORD_FILE;
  const child = spawn(process.execPath, [SERVICES, 'up', '--instance', instance], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`services.mjs up --instance ${instance} failed (${code}):\n${err}`);
  const vars: Record<string, string> = {};
  for (const m of out.matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)) vars[m[1]!] = JSON.parse(m[2]!) as string;
  return { ...vars, RINGSCOPE_INSTANCE: instance };
}

/** Config for a separate instance's services (quiet logs unless overridden). */
export function instanceConfig(env: Record<string, string>, overrides: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({ ...process.env, NEO4J_PASSWORD: '', ...env, LOG_LEVEL: 'silent', ...overrides });
}

/** The environment of a child process pointed at an instance (queue prefix included). */
export function childEnv(env: Record<string, string>, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, NEO4J_PASSWORD: '', ...env, LOG_LEVEL: 'info', ...overrides };
}

function readPid(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILL an instance's redis-server (no shutdown, no final AOF rewrite) and wait until it is gone. */
export async function killRedis(instance: string): Promise<number> {
  return killPid(instance, path.join('redis', 'redis.pid'), 'redis');
}

/** SIGKILL an instance's Neo4j launcher JVM (no shutdown hook runs) and wait until it is gone. */
export async function killNeo4j(instance: string): Promise<number> {
  return killPid(instance, path.join('neo4j', 'launcher.pid'), 'Neo4j');
}

async function killPid(instance: string, pidFile: string, what: string): Promise<number> {
  const pid = readPid(path.join(ROOT, '.ringscope', instance, pidFile));
  if (!pid || !alive(pid)) throw new Error(`${what} of ${instance} is not running`);
  process.kill(pid, 'SIGKILL');
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return pid;
}

/** Keys and `used_memory` of a Redis (after the work is done: the bound the load test asserts). */
export async function redisFootprint(url: string, prefix?: string): Promise<{ keys: number; prefixKeys: number; usedMemory: number }> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  try {
    await r.connect();
    const keys = await r.dbsize();
    let prefixKeys = 0;
    if (prefix) {
      let cursor = '0';
      do {
        const [next, batch] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        prefixKeys += batch.length;
      } while (cursor !== '0');
    }
    const info = await r.info('memory');
    const usedMemory = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
    return { keys, prefixKeys, usedMemory };
  } finally {
    r.disconnect();
  }
}

export { eventually } from './wait.js';
