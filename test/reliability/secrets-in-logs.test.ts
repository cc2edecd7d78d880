import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from '../../src/export/index.js';
import { generate } from '../../src/generator/index.js';
import { tmpDir } from '../jobs/helpers.js';
import { eventually, runCli, spawnCli, stopCli, type CliProcess } from '../helpers/reliability-env.js';
import { freshNeo4j } from '../helpers/services.js';

/**
 * Issue #8 item 4, "secrets never appear in logs": a full flow of real child processes
 * (`fingerprint`, `worker` with the webhook queue, `run --webhook`, `export`, `dashboard`, and a
 * `detect` refused by Neo4j) runs with LOG_LEVEL=debug and recognisable secrets; everything they
 * print is captured and searched. Along the way: the webhook arrives signed, and the dashboard and
 * /metrics answer only to their tokens.
 */

const SECRETS = {
  RINGSCOPE_WEBHOOK_SECRET: `h8-webhook-SECRET-${randomBytes(6).toString('hex')}`,
  RINGSCOPE_DASHBOARD_TOKEN: `h8-dashboard-TOKEN-${randomBytes(6).toString('hex')}`,
  RINGSCOPE_METRICS_TOKEN: `h8-metrics-TOKEN-${randomBytes(6).toString('hex')}`,
  RINGSCOPE_FINGERPRINT_KEY: `h8-fingerprint-KEY-${randomBytes(6).toString('hex')}`,
};
const WRONG_PASSWORD = `h8-wrong-PASSWORD-${randomBytes(6).toString('hex')}`;

interface Delivery {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

let env: NodeJS.ProcessEnv;
let neo4jPassword: string;
let rawPrompt: string;
const logs: Array<{ what: string; text: string }> = [];
const deliveries: Delivery[] = [];
let receiver: http.Server;
let hookUrl: string;
let worker: CliProcess | undefined;
let drop: string;

beforeAll(async () => {
  const file = process.env.NEO4J_PASSWORD_FILE;
  neo4jPassword = file ? fs.readFileSync(file, 'utf8').trim() : (process.env.NEO4J_PASSWORD ?? '');
  expect(neo4jPassword.length).toBeGreaterThanOrEqual(8);
  // The password travels in the environment (not a file) so that a careless log of env or config would show it.
  env = {
    ...process.env,
    NEO4J_PASSWORD_FILE: '',
    NEO4J_PASSWORD: neo4jPassword,
    ...SECRETS,
    LOG_LEVEL: 'debug',
    RINGSCOPE_QUEUE_PREFIX: `h8-sec-${randomBytes(4).toString('hex')}`,
    RINGSCOPE_STATE_DIR: tmpDir('h8-sec-state'),
  };
  await (await freshNeo4j()).close();
  const out = tmpDir('h8-sec');
  const g = await generate({ scenario: 'mixed', accounts: 80, seed: 12, out, rawPrompts: true, promptsPerFingerprint: 1 });
  drop = g.dropDir;
  const firstPrompt = JSON.parse(fs.readFileSync(g.promptsFile!, 'utf8').split('\n')[0]!) as { prompt: string };
  rawPrompt = firstPrompt.prompt.slice(0, 60);
  expect(rawPrompt.length).toBeGreaterThan(20);

  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
}, 120_000);

afterAll(async () => {
  if (worker) await stopCli(worker);
  if (receiver) {
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
  }
});

describe('secrets never appear in logs (real processes, LOG_LEVEL=debug)', () => {
  it('fingerprint → worker → run --webhook → export → dashboard → a refused detect', async () => {
    const fp = await runCli(['fingerprint', path.join(path.dirname(drop), 'prompts.ndjson'), '--out', path.join(drop, 'prompt_fingerprints.csv')], env);
    logs.push({ what: 'fingerprint', text: fp.output });
    expect(fp.code, fp.output).toBe(0);

    worker = spawnCli(['worker', '--queues', 'ingest,detect,export,webhook'], env);
    await eventually('worker start', async () => worker!.output().includes('worker started'), 60_000);

    const exportsDir = tmpDir('h8-sec-exports');
    const run = await runCli(['run', drop, '--format', 'csv,json,stix', '--out', exportsDir, '--webhook', hookUrl], env);
    logs.push({ what: 'run', text: run.output });
    expect(run.code, run.output.slice(-2000)).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toMatchObject({ status: 'completed' });

    // The webhook is signed with the secret (and only that secret verifies it).
    await eventually('webhook delivery', async () => deliveries.length > 0, 60_000);
    const d = deliveries[0]!;
    const ts = d.headers[TIMESTAMP_HEADER.toLowerCase()] as string | undefined;
    const sig = d.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined;
    expect(verifyWebhookSignature(SECRETS.RINGSCOPE_WEBHOOK_SECRET, ts, d.body, sig)).toBe(true);
    expect(verifyWebhookSignature(`${SECRETS.RINGSCOPE_WEBHOOK_SECRET}x`, ts, d.body, sig)).toBe(false);
    expect(d.body).not.toContain(SECRETS.RINGSCOPE_WEBHOOK_SECRET);

    const exp = await runCli(['export', '--format', 'ndjson', '--min-recommendation', 'monitor', '--out', path.join(exportsDir, 'all.ndjson')], env);
    logs.push({ what: 'export', text: exp.output });
    expect(exp.code, exp.output).toBe(0);

    // Dashboard: every route needs its token.
    const dash = spawnCli(['dashboard', '--port', '0'], env);
    try {
      const url = await eventually('dashboard url', async () => /dashboard: (http:\/\/[^/\s]+)\/ui/.exec(dash.output())?.[1], 60_000);
      const get = async (p: string, token?: string) => (await fetch(`${url}${p}`, token ? { headers: { authorization: `Bearer ${token}` } } : {})).status;
      expect(await get('/metrics')).toBe(401);
      expect(await get('/metrics', 'not-the-token-0123456789')).toBe(401);
      expect(await get('/metrics', SECRETS.RINGSCOPE_METRICS_TOKEN)).toBe(200);
      expect(await get('/ui/api/queues')).toBe(401);
      expect(await get('/ui/api/queues', SECRETS.RINGSCOPE_METRICS_TOKEN)).toBe(401);
      expect(await get('/ui/api/queues', SECRETS.RINGSCOPE_DASHBOARD_TOKEN)).toBe(200);
    } finally {
      await stopCli(dash);
      logs.push({ what: 'dashboard', text: dash.output() });
    }

    // A failure path: Neo4j refuses a wrong password; the error must not echo it.
    const refused = await runCli(['detect'], { ...env, NEO4J_PASSWORD: WRONG_PASSWORD });
    logs.push({ what: 'detect (wrong password)', text: refused.output });
    expect(refused.code).toBe(2);
    expect(refused.output).toMatch(/ringscope: ConfigError: NEO4J_PASSWORD: Neo4j at \S+ refused user neo4j \(Neo\.ClientError\.Security\.Unauthorized\)/);

    await stopCli(worker);
    logs.push({ what: 'worker', text: worker.output() });
    worker = undefined;

    // The capture is real: the worker's JSON lines with job events.
    const workerLog = logs.find((l) => l.what === 'worker')!.text;
    expect(workerLog).toContain('job completed');
    expect(workerLog).toContain('export written');
    // A configuration value the worker does log (its queue prefix) is found by the same search.
    expect(workerLog).toContain(env.RINGSCOPE_QUEUE_PREFIX!);

    const secrets: Array<[string, string]> = [
      ...Object.entries(SECRETS),
      ['NEO4J_PASSWORD', neo4jPassword],
      ['wrong NEO4J_PASSWORD', WRONG_PASSWORD],
      ['raw prompt text', rawPrompt],
    ];
    const leaks: string[] = [];
    for (const { what, text } of logs) for (const [name, value] of secrets) if (text.includes(value)) leaks.push(`${name} in ${what} output`);
    expect(leaks).toEqual([]);
  }, 300_000);
});
