import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../src/config/index.js';
import { toNum, type Neo4jClient } from '../../src/db/index.js';
import { generate } from '../../src/generator/index.js';
import { openQueues, type PipelineQueues } from '../../src/jobs/index.js';
import { createLogger, type Logger } from '../../src/util/logger.js';
import { freshNeo4j, testConfig } from '../helpers/services.js';

/** A config whose queue prefix is unique to this test (queues of other files and runs stay apart). */
export function jobsConfig(name: string, overrides: NodeJS.ProcessEnv = {}): Config {
  return testConfig({ RINGSCOPE_QUEUE_PREFIX: `t-${name}-${randomBytes(4).toString('hex')}`, ...overrides });
}

export const quietLog: Logger = createLogger('silent');

/** What a jobs test file shares: its own queue prefix, a fresh Neo4j client and open queues. */
export interface QueueFixture {
  readonly config: Config;
  client: Neo4jClient;
  q: PipelineQueues;
}

/** Set up a QueueFixture before the file's tests and close it after them (call at describe level). */
export function useQueues(name: string): QueueFixture {
  const fx = { config: jobsConfig(name) } as QueueFixture;
  beforeAll(async () => {
    fx.client = await freshNeo4j(fx.config);
    fx.q = await openQueues(fx.config);
  });
  afterAll(async () => {
    await fx.q?.close();
    await fx.client?.close();
  });
  return fx;
}

export function tmpDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ringscope-${name}-`));
}

/** A small generated drop (scenario mixed) in a fresh folder named `name` (its drop id); returns the drop folder. */
export async function smallDrop(name: string, accounts = 200, seed = 1): Promise<string> {
  const out = tmpDir(name);
  const s = await generate({ scenario: 'mixed', accounts, seed, out });
  // The drop id is the folder's name, and an id stands for one content (issue #22): a drop per name.
  const dir = path.join(out, name);
  fs.renameSync(s.dropDir, dir);
  return dir;
}

/** Node and relationship counts per label/type, and a checksum of the run's cluster assignments. */
export interface GraphFingerprint {
  readonly nodes: Record<string, number>;
  readonly rels: Record<string, number>;
  /** Sum of counts/requests/observations on evidence relationships: a double-ingested batch changes it. */
  readonly weights: number;
  readonly assignments: string;
  readonly clusters: number;
}

export async function graphFingerprint(client: Neo4jClient, runId: string): Promise<GraphFingerprint> {
  const nodes: Record<string, number> = {};
  for (const r of (await client.query('MATCH (n) UNWIND labels(n) AS l RETURN l, count(*) AS c ORDER BY l', {}, 'READ')).records) {
    nodes[String(r.get('l'))] = toNum(r.get('c'));
  }
  const rels: Record<string, number> = {};
  for (const r of (await client.query('MATCH ()-[x]->() RETURN type(x) AS t, count(*) AS c ORDER BY t', {}, 'READ')).records) {
    rels[String(r.get('t'))] = toNum(r.get('c'));
  }
  const w = await client.query(
    `CALL () {
       MATCH ()-[x:PAID_WITH|CONNECTED_FROM|SENT]->()
       RETURN sum(coalesce(x.observations, 0) + coalesce(x.requests, 0) + coalesce(x.count, 0)) AS w
       UNION ALL
       MATCH (a:Account) UNWIND coalesce(a.hourlyRequests, []) AS n
       RETURN sum(n + 1) AS w
     }
     RETURN sum(w) AS w`,
    {},
    'READ',
  );
  const a = await client.query(
    `MATCH (:LinkageRun {id: $runId})<-[:IN_RUN]-(c:Cluster)<-[:MEMBER_OF]-(a:Account)
     RETURN a.id AS account, c.id AS cluster, c.recommendation AS rec, c.score AS score ORDER BY account`,
    { runId },
    'READ',
  );
  const h = createHash('sha256');
  for (const r of a.records) h.update(`${r.get('account')}\t${r.get('cluster')}\t${r.get('rec')}\t${r.get('score')}\n`);
  const clusters = new Set(a.records.map((r) => String(r.get('cluster')))).size;
  return { nodes, rels, weights: toNum(w.records[0]?.get('w')), assignments: h.digest('hex'), clusters };
}

export { waitFor } from '../helpers/wait.js';

/**
 * The partition of a run, independent of cluster ids (which lineage derives from earlier runs):
 * each cluster as its sorted members with score and recommendation, clusters sorted.
 */
export async function partitionChecksum(client: Neo4jClient, runId: string): Promise<{ checksum: string; clusters: number; members: number }> {
  const res = await client.query(
    `MATCH (:LinkageRun {id: $runId})<-[:IN_RUN]-(c:Cluster)<-[:MEMBER_OF]-(a:Account)
     WITH c, a.id AS id ORDER BY id
     WITH c, collect(id) AS members
     RETURN c.score AS score, c.recommendation AS rec, members`,
    { runId },
    'READ',
  );
  const rows = res.records.map((r) => `${(r.get('members') as string[]).join(',')}|${r.get('rec')}|${r.get('score')}`).sort();
  return {
    checksum: createHash('sha256').update(rows.join('\n')).digest('hex'),
    clusters: rows.length,
    members: res.records.reduce((s, r) => s + (r.get('members') as string[]).length, 0),
  };
}

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** `ringscope worker` as a real child process; stderr (pino JSON lines) is collected. */
export function spawnWorker(prefix: string, args: string[] = []): { child: ChildProcess; logs: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'ringscope.mjs'), 'worker', ...args], {
    cwd: ROOT,
    env: { ...process.env, RINGSCOPE_QUEUE_PREFIX: prefix, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, logs: () => text, exited };
}
