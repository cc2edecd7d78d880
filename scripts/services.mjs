#!/usr/bin/env node
// Starts (or reuses) the real services ringscope needs, without Docker:
//   - Neo4j 5.26 Community, embedded in a small Java launcher (neo4j-launcher/), jars from Maven Central;
//   - Redis from Debian's redis-server, with maxmemory-policy noeviction (BullMQ requirement).
//
//   node scripts/services.mjs up   [--instance dev|test]   start what is not running, print the env
//   node scripts/services.mjs down [--instance dev|test|all]
//   node scripts/services.mjs env  [--instance dev|test]
//   node scripts/services.mjs plugin   build only neo4j-launcher/plugins/ringscope-procedures.jar
//                                      (the ingest procedure; docker-compose.yml mounts that folder)
//
// State lives in .ringscope/<instance>/ (git-ignored). The Neo4j password is generated once and kept in
// .ringscope/<instance>/neo4j-password with mode 0600; it never appears on a command line.
// .ringscope/<instance>/services.json records the running services (URIs, password file, pids): the
// CLI's config (src/config/) reads it when NEO4J_URI / REDIS_URL are unset, so `npx ringscope …`
// finds the local services without this wrapper.
// If NEO4J_URI / REDIS_URL are set and reachable, nothing is started for them (Docker users, CI services).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { neo4jMemory } from './memory-sizing.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LAUNCHER = path.join(ROOT, 'neo4j-launcher');
const PLUGINS = path.join(LAUNCHER, 'plugins');
// Each instance (dev, test, or any other name, e.g. one per parallel checkout) gets its own
// state folder and its own default ports, so a test run never touches the dev database.
function defaultPorts(instance) {
  if (instance === 'dev') return { neo4j: 17687, redis: 16379 };
  if (instance === 'test') return { neo4j: 27687, redis: 26379 };
  let h = 0;
  for (const c of instance) h = (h * 31 + c.charCodeAt(0)) % 50;
  return { neo4j: 30000 + h * 20, redis: 40000 + h * 20 };
}

function log(msg) {
  process.stderr.write(`[services] ${msg}\n`);
}

function parseArgs(argv) {
  const out = { cmd: argv[0] ?? 'up', instance: 'dev' };
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '--instance') out.instance = argv[++i];
  }
  if (!/^[a-z0-9-]{1,32}$/.test(out.instance)) throw new Error(`bad instance name ${out.instance}`);
  return out;
}

export function stateDir(instance) {
  return path.join(ROOT, '.ringscope', instance);
}

/**
 * Heap and page cache the instance's Neo4j was last started with (written at start), so a benchmark
 * can say what it ran on. @returns {{ heap: string, pagecache: string, source: { heap: string, pagecache: string } }}
 */
export function startedNeo4jMemory(instance) {
  const m = JSON.parse(fs.readFileSync(path.join(stateDir(instance), 'neo4j-memory.json'), 'utf8'));
  return { heap: m.heap, pagecache: m.pagecache, source: m.source };
}

/** One line for a benchmark's notes: the sizes, and whether they are the default services' own. */
export function describeNeo4jMemory(m) {
  const rule = m.source?.heap === 'rule' && m.source?.pagecache === 'rule';
  return `Neo4j heap ${m.heap}, page cache ${m.pagecache} (${rule ? 'default services: scripts/memory-sizing.mjs' : 'set by RINGSCOPE_NEO4J_HEAP / RINGSCOPE_NEO4J_PAGECACHE'})`;
}

/** The file src/config/ reads to find an instance's running services (format: src/config/local-services.ts). */
export function servicesFile(instance) {
  return path.join(stateDir(instance), 'services.json');
}

/** Set (or, with undefined, remove) one service's entry in services.json; written by rename, never half. */
function recordService(instance, name, entry) {
  const file = servicesFile(instance);
  let state = {};
  try {
    state = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    state = {};
  }
  if (entry === undefined) delete state[name];
  else state[name] = entry;
  if (!state.neo4j && !state.redis) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ ...state, instance }, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readInt(file) {
  try {
    const v = parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export function canConnect(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function freePort(preferred) {
  for (let p = preferred; p < preferred + 200; p++) {
    if (!(await canConnect('127.0.0.1', p, 300))) {
      const ok = await new Promise((resolve) => {
        const srv = net.createServer();
        srv.once('error', () => resolve(false));
        srv.listen(p, '127.0.0.1', () => srv.close(() => resolve(true)));
      });
      if (ok) return p;
    }
  }
  throw new Error(`no free port near ${preferred}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

// ---------------------------------------------------------------- Neo4j

/** The machine's memory, or the container's limit when cgroup v2 sets a lower one. */
export function machineMemory() {
  const total = os.totalmem();
  try {
    const limit = Number(fs.readFileSync('/sys/fs/cgroup/memory.max', 'utf8').trim());
    return Number.isFinite(limit) && limit > 0 ? Math.min(total, limit) : total;
  } catch {
    return total;
  }
}

const SIZE_UNITS = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };
/** The smaller of two JVM sizes ("512m", "1g"): -Xms must not exceed -Xmx. */
function minSize(a, b) {
  const bytes = (s) => Number(s.slice(0, -1)) * (SIZE_UNITS[s.at(-1).toLowerCase()] ?? NaN);
  return bytes(a) <= bytes(b) ? a : b;
}

function ensureLauncherBuilt() {
  const lib = path.join(LAUNCHER, 'lib');
  const marker = path.join(lib, '.complete');
  if (!fs.existsSync(marker)) {
    log('fetching Neo4j 5.26 jars from Maven Central (first run only)...');
    run('mvn', ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`], { cwd: LAUNCHER });
    fs.writeFileSync(marker, new Date().toISOString());
  }
  const cls = path.join(LAUNCHER, 'classes', 'Launcher.class');
  const src = path.join(LAUNCHER, 'Launcher.java');
  if (!fs.existsSync(cls) || fs.statSync(cls).mtimeMs < fs.statSync(src).mtimeMs) {
    log('compiling the Neo4j launcher...');
    run('javac', ['-cp', `${lib}/*`, '-d', path.join(LAUNCHER, 'classes'), src]);
  }
  ensurePluginBuilt(lib);
}

/**
 * ringscope's ingest procedure (neo4j-launcher/procedures/), as the jar Neo4j loads from its plugin
 * directory: the launcher points there, and docker-compose.yml mounts the same directory.
 */
function ensurePluginBuilt(lib) {
  const sources = path.join(LAUNCHER, 'procedures');
  const files = fs.readdirSync(sources, { recursive: true }).filter((f) => String(f).endsWith('.java')).map((f) => path.join(sources, String(f)));
  const jar = path.join(PLUGINS, 'ringscope-procedures.jar');
  const newest = Math.max(...files.map((f) => fs.statSync(f).mtimeMs));
  if (fs.existsSync(jar) && fs.statSync(jar).mtimeMs >= newest) return;
  log('compiling the ringscope Neo4j procedures...');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-procedures-'));
  try {
    run('javac', ['-cp', `${lib}/*`, '-d', out, ...files]);
    fs.mkdirSync(PLUGINS, { recursive: true });
    run('jar', ['cf', jar, '-C', out, '.']);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

function neo4jPassword(dir) {
  const file = path.join(dir, 'neo4j-password');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, randomBytes(18).toString('base64url') + '\n', { mode: 0o600 });
  }
  fs.chmodSync(file, 0o600);
  return file;
}

async function neo4jUp(instance) {
  const n = await neo4jStart(instance);
  const pid = readInt(path.join(stateDir(instance), 'neo4j', 'launcher.pid')) ?? readInt(path.join(stateDir(instance), 'neo4j-java.pid'));
  recordService(instance, 'neo4j', { uri: n.uri, user: 'neo4j', database: 'neo4j', passwordFile: n.passwordFile, pid });
  return n;
}

async function neo4jStart(instance) {
  const dir = stateDir(instance);
  const home = path.join(dir, 'neo4j');
  fs.mkdirSync(home, { recursive: true });
  const passwordFile = neo4jPassword(dir);
  const pid = readInt(path.join(home, 'launcher.pid'));
  const port = readInt(path.join(home, 'launcher.port'));
  if (pid && port && isAlive(pid) && (await canConnect('127.0.0.1', port))) {
    return { uri: `bolt://127.0.0.1:${port}`, passwordFile, started: false };
  }
  ensureLauncherBuilt();
  // A restart comes back on the port it had (clients keep their URI), unless that port was taken meanwhile.
  const wanted = process.env.RINGSCOPE_NEO4J_PORT ? Number(process.env.RINGSCOPE_NEO4J_PORT) : (port ?? defaultPorts(instance).neo4j);
  const chosen = await freePort(wanted);
  const logFile = path.join(dir, 'neo4j-launcher.log');
  fs.rmSync(path.join(home, 'launcher.pid'), { force: true });
  const out = fs.openSync(logFile, 'w');
  // Every instance (dev, test, bench) is sized by the same rule: Neo4j's memory recommendation for
  // the machine less Node's and Redis's share (memory-sizing.mjs); the variables override it.
  const mem = neo4jMemory(machineMemory(), process.env);
  const heap = mem.heap;
  const pagecache = mem.pagecache;
  fs.writeFileSync(path.join(dir, 'neo4j-memory.json'), JSON.stringify({ heap, pagecache, source: mem.source, machineBytes: machineMemory() }) + '\n');
  const child = spawn(
    'java',
    [
      `-Xms${minSize(heap, '1g')}`,
      `-Xmx${heap}`,
      '--add-opens=java.base/java.nio=ALL-UNNAMED',
      '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
      '-cp',
      `${path.join(LAUNCHER, 'classes')}:${path.join(LAUNCHER, 'lib')}/*`,
      'Launcher',
      '--home',
      home,
      '--port',
      String(chosen),
      '--password-file',
      passwordFile,
      '--pagecache',
      pagecache,
      '--import-dir',
      path.join(home, 'import'),
      '--plugins',
      PLUGINS,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  fs.writeFileSync(path.join(dir, 'neo4j-java.pid'), String(child.pid));
  log(`starting Neo4j 5.26 on 127.0.0.1:${chosen}, heap ${heap}, page cache ${pagecache} (log ${path.relative(ROOT, logFile)})...`);
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const text = fs.readFileSync(logFile, 'utf8');
    if (text.includes('RINGSCOPE_NEO4J_READY')) {
      return { uri: `bolt://127.0.0.1:${chosen}`, passwordFile, started: true };
    }
    if (!isAlive(child.pid)) throw new Error(`Neo4j launcher exited; see ${logFile}:\n${text.slice(-2000)}`);
    await sleep(250);
  }
  throw new Error(`Neo4j did not become ready in 180 s; see ${logFile}`);
}

async function stopPid(pid, what, timeoutMs = 60_000) {
  if (!isAlive(pid)) return;
  log(`stopping ${what} (pid ${pid})...`);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

async function neo4jDown(instance) {
  const dir = stateDir(instance);
  const pid = readInt(path.join(dir, 'neo4j', 'launcher.pid')) ?? readInt(path.join(dir, 'neo4j-java.pid'));
  recordService(instance, 'neo4j', undefined);
  if (pid) await stopPid(pid, `Neo4j (${instance})`);
  fs.rmSync(path.join(dir, 'neo4j', 'launcher.pid'), { force: true });
}

// ---------------------------------------------------------------- Redis

function ensureRedisInstalled() {
  const r = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (r.status === 0) return r.stdout.trim();
  if (process.getuid && process.getuid() === 0) {
    log('installing Debian redis-server...');
    run('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null']);
    return 'redis-server';
  }
  throw new Error('redis-server is not installed: run `sudo apt-get install -y redis-server`');
}

async function redisUp(instance) {
  const r = await redisStart(instance);
  // redis-server writes its pid file just after it starts listening.
  const pidFile = path.join(stateDir(instance), 'redis', 'redis.pid');
  for (let i = 0; i < 40 && readInt(pidFile) === undefined; i++) await sleep(50);
  recordService(instance, 'redis', { url: r.url, pid: readInt(pidFile) });
  return r;
}

async function redisStart(instance) {
  const dir = path.join(stateDir(instance), 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const pidFile = path.join(dir, 'redis.pid');
  const portFile = path.join(dir, 'redis.port');
  const pid = readInt(pidFile);
  const port = readInt(portFile);
  if (pid && port && isAlive(pid) && (await canConnect('127.0.0.1', port))) {
    return { url: `redis://127.0.0.1:${port}`, started: false };
  }
  const bin = ensureRedisInstalled();
  // Same port as before (the port file) so that workers reconnect after a restart.
  const wanted = process.env.RINGSCOPE_REDIS_PORT ? Number(process.env.RINGSCOPE_REDIS_PORT) : (port ?? defaultPorts(instance).redis);
  const chosen = await freePort(wanted);
  run(bin, [
    '--bind',
    '127.0.0.1',
    '--port',
    String(chosen),
    '--maxmemory-policy',
    'noeviction',
    '--appendonly',
    'yes',
    '--dir',
    dir,
    '--daemonize',
    'yes',
    '--pidfile',
    pidFile,
    '--logfile',
    path.join(dir, 'redis.log'),
    '--save',
    '',
  ]);
  fs.writeFileSync(portFile, String(chosen));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (await canConnect('127.0.0.1', chosen)) return { url: `redis://127.0.0.1:${chosen}`, started: true };
    await sleep(100);
  }
  throw new Error(`redis-server did not start; see ${dir}/redis.log`);
}

async function redisDown(instance) {
  const pid = readInt(path.join(stateDir(instance), 'redis', 'redis.pid'));
  recordService(instance, 'redis', undefined);
  if (pid) await stopPid(pid, `Redis (${instance})`);
}

// ---------------------------------------------------------------- entry points

function parseHostPort(uri, defPort) {
  const u = new URL(uri);
  return { host: u.hostname, port: Number(u.port || defPort) };
}

/**
 * Ensure both services for an instance are reachable; returns the environment a child process needs.
 * Explicit NEO4J_URI / REDIS_URL win when they answer.
 */
export async function up(instance) {
  const env = {};
  const explicitNeo = process.env.NEO4J_URI;
  if (explicitNeo && (await canConnect(parseHostPort(explicitNeo, 7687).host, parseHostPort(explicitNeo, 7687).port))) {
    log(`using Neo4j at ${explicitNeo}`);
  } else {
    const n = await neo4jUp(instance);
    env.NEO4J_URI = n.uri;
    env.NEO4J_USER = 'neo4j';
    env.NEO4J_PASSWORD_FILE = n.passwordFile;
    env.NEO4J_DATABASE = 'neo4j';
    log(`${n.started ? 'started' : 'reusing'} Neo4j at ${n.uri}`);
  }
  const explicitRedis = process.env.REDIS_URL;
  if (explicitRedis && (await canConnect(parseHostPort(explicitRedis, 6379).host, parseHostPort(explicitRedis, 6379).port))) {
    log(`using Redis at ${explicitRedis}`);
  } else {
    const r = await redisUp(instance);
    env.REDIS_URL = r.url;
    log(`${r.started ? 'started' : 'reusing'} Redis at ${r.url}`);
  }
  env.RINGSCOPE_STATE_DIR = stateDir(instance);
  return env;
}

export async function down(instance) {
  const base = path.join(ROOT, '.ringscope');
  const all = instance === 'all' ? (fs.existsSync(base) ? fs.readdirSync(base) : []) : [instance];
  for (const i of all) {
    await neo4jDown(i);
    await redisDown(i);
  }
}

/** Stop only Neo4j of an instance (bulk load needs the DBMS stopped). */
export async function stopNeo4j(instance) {
  await neo4jDown(instance);
}

/** Start only Neo4j of an instance (on the port it had), or find it running. */
export async function startNeo4j(instance) {
  return neo4jUp(instance);
}

/** Restart only Neo4j of an instance (fault-injection tests). */
export async function restartNeo4j(instance) {
  await neo4jDown(instance);
  return neo4jUp(instance);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2));
  try {
    if (args.cmd === 'up' || args.cmd === 'env') {
      const env = await up(args.instance === 'all' ? 'dev' : args.instance);
      for (const [k, v] of Object.entries(env)) process.stdout.write(`export ${k}=${JSON.stringify(v)}\n`);
    } else if (args.cmd === 'plugin') {
      ensureLauncherBuilt();
      log(`ingest procedure: ${path.relative(ROOT, path.join(PLUGINS, 'ringscope-procedures.jar'))}`);
    } else if (args.cmd === 'down') {
      await down(args.instance === 'dev' && !process.argv.includes('--instance') ? 'all' : args.instance);
    } else {
      throw new Error(`unknown command ${args.cmd}`);
    }
  } catch (err) {
    log(`error: ${err.message}`);
    process.exit(1);
  }
}
