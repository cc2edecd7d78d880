import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Neo4jClient, detectAndWrite, toNum } from '../../src/db/index.js';
import { ACCOUNT_COLUMNS, CLUSTER_COLUMNS, exportRun, type ExportFormat } from '../../src/export/index.js';
import { generate } from '../../src/generator/index.js';
import { ingestDrop } from '../../src/loaders/index.js';
import { ConfigError } from '../../src/util/errors.js';
import { tmpDir } from '../jobs/helpers.js';
import { checkCypherInSrc, checkCypherSources } from '../helpers/reliability-cypher-check.js';
import { ROOT, runCli } from '../helpers/reliability-env.js';
import { EXTRA_CANARY, EXTRA_COLUMN, makeHostile, type HostileDrop } from '../helpers/reliability-hostile.js';
import { freshNeo4j, testConfig } from '../helpers/services.js';
import { stixBundleValidator } from '../helpers/stix-validator.js';

/**
 * Issue #8 item 4: hostile data and unauthorised callers. Hostile identifiers travel through
 * ingest → detect → export and come out verbatim while nothing they spell executes; every query
 * text in src/ is constant; the analyst runner's refusal is wired into the CLI; the local Neo4j
 * runs with authentication and a 0600 git-ignored password; unknown columns never leave the drop.
 */

const config = testConfig();
let client: Neo4jClient;
let hostile: HostileDrop;
let runId: string;
const files: Partial<Record<ExportFormat, { accounts: string; clusters?: string }>> = {};

async function count(cypher: string, params: Record<string, unknown> = {}): Promise<number> {
  return toNum((await client.query(cypher, params, 'READ')).records[0]?.get('n'));
}

/** Every string inside a JSON value (deep). */
function strings(v: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof v === 'string') out.add(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

beforeAll(async () => {
  client = await freshNeo4j(config);
  // A node no ingest writes: an injected DETACH DELETE / MATCH (n) would take it with it.
  await client.query("CREATE (:H8Sentinel {id: 'sentinel'})");
  const out = tmpDir('h8-hostile');
  await generate({ scenario: 'mixed', accounts: 150, seed: 4, out });
  hostile = makeHostile(out, 'ring:shared-reseller-1');
  const summary = await ingestDrop(client, hostile.dropDir, { stateDir: tmpDir('h8-hostile-state'), maxRejectRatio: 0 });
  expect(summary.files.every((f) => f.status !== 'failed' && f.rejects === 0)).toBe(true);
  runId = (await detectAndWrite(client, { seed: 3, runId: 'run-h8-hostile' })).runId;
  const dir = tmpDir('h8-hostile-out');
  for (const format of ['csv', 'ndjson', 'json', 'stix'] as const) {
    const w = await exportRun(client, { run: runId, format, out: path.join(dir, `ring.${format}`), minRecommendation: 'monitor' });
    files[format] = format === 'stix' ? { accounts: w.files[0]! } : { clusters: w.files[0]!, accounts: w.files[1]! };
  }
}, 180_000);

afterAll(async () => {
  await client?.close();
});

describe('hostile identifiers through ingest → detect → export', () => {
  it('are stored verbatim and nothing they spell executed (counts are exactly the expected inserts)', async () => {
    for (const id of hostile.accounts.values()) {
      const r = await client.query('MATCH (a:Account {id: $id}) RETURN a.id AS id', { id }, 'READ');
      expect(r.records.map((x) => x.get('id'))).toEqual([id]);
    }
    expect(await count('MATCH (p:PaymentMethod {id: $id}) RETURN count(p) AS n', { id: hostile.payment.to })).toBe(1);
    expect(await count('MATCH (p:PromptFingerprint {id: $id}) RETURN count(p) AS n', { id: hostile.prompt.to })).toBe(1);
    expect(await count('MATCH (n:H8Sentinel) RETURN count(n) AS n')).toBe(1);
    expect(await count('MATCH (n:Account) RETURN count(n) AS n')).toBe(hostile.expected.accounts);
    expect(await count('MATCH (n:PaymentMethod) RETURN count(n) AS n')).toBe(hostile.expected.payments);
    expect(await count('MATCH (n:PromptFingerprint) RETURN count(n) AS n')).toBe(hostile.expected.prompts);
    expect(await count('MATCH ()-[x:PAID_WITH]->() RETURN count(x) AS n')).toBe(hostile.expected.paidWith);
    expect(await count('MATCH ()-[x:SENT]->() RETURN count(x) AS n')).toBe(hostile.expected.sent);
    // No label, relationship type or property key was invented by a value (backticks would make one).
    // db.labels() also lists tokens no node carries any more: `Hour` is from before hourly activity
    // moved onto Account, and stays listed in a database that once held it.
    const labels = (await client.query('CALL db.labels() YIELD label RETURN collect(label) AS l', {}, 'READ')).records[0]!.get('l') as string[];
    for (const l of labels)
      expect([
        'Account',
        'PaymentMethod',
        'IP',
        'Subnet',
        'PromptFingerprint',
        'Hour',
        'Drop',
        'DropFile',
        'IngestBatch',
        'LinkageRun',
        'Cluster',
        'H8Sentinel',
      ]).toContain(l);
  });

  it('the ring with hostile members is found and exported verbatim in csv, ndjson, json and stix', async () => {
    const members = (
      await client.query(
        'MATCH (a:Account)-[:MEMBER_OF {runId: $runId}]->(:Cluster) WHERE a.id IN $ids RETURN collect(a.id) AS ids',
        { runId, ids: [...hostile.accounts.values()] },
        'READ',
      )
    ).records[0]!.get('ids') as string[];
    // Detection must still see the ring: the test is only meaningful if hostile ids reach the exports.
    expect(members.length).toBeGreaterThanOrEqual(4);

    const csv = parse(fs.readFileSync(files.csv!.accounts), { columns: true }) as Array<Record<string, string>>;
    const csvIds = new Set(csv.map((r) => r.account_id));
    const ndjson = fs
      .readFileSync(files.ndjson!.accounts, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { account_id: string });
    const json = JSON.parse(fs.readFileSync(files.json!.accounts, 'utf8')) as { accounts: Array<{ account_id: string }> };
    for (const id of members) {
      expect(csvIds.has(id)).toBe(true);
      expect(ndjson.some((r) => r.account_id === id)).toBe(true);
      expect(json.accounts.some((r) => r.account_id === id)).toBe(true);
    }
    // STIX shares ring-level indicators (IPs) only, never account ids or payment/prompt
    // fingerprints (docs/export-format.md): the bundle stays schema-valid and holds none of them.
    const bundle = JSON.parse(fs.readFileSync(files.stix!.accounts, 'utf8')) as unknown;
    const validate = stixBundleValidator();
    expect(validate(bundle), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const stix = strings(bundle);
    expect((bundle as { objects: Array<{ type: string }> }).objects.some((o) => o.type === 'intrusion-set')).toBe(true);
    for (const v of [...hostile.accounts.values(), hostile.payment.to, hostile.prompt.to]) expect(stix.has(v)).toBe(false);
    // The hostile shared fingerprints come out verbatim in the cluster companion.
    const clusters = JSON.parse(fs.readFileSync(files.json!.clusters!, 'utf8')) as {
      clusters: Array<{ payment_fingerprints: string[]; prompt_fingerprints: string[] }>;
    };
    expect(clusters.clusters.some((c) => c.payment_fingerprints.includes(hostile.payment.to))).toBe(true);
    expect(clusters.clusters.some((c) => c.prompt_fingerprints.includes(hostile.prompt.to))).toBe(true);
    const csvClusters = parse(fs.readFileSync(files.csv!.clusters!), { columns: true }) as Array<Record<string, string>>;
    expect(csvClusters.some((r) => (JSON.parse(r.payment_fingerprints!) as string[]).includes(hostile.payment.to))).toBe(true);
    // Exporting changed nothing either.
    expect(await count('MATCH (n:H8Sentinel) RETURN count(n) AS n')).toBe(1);
    expect(await count('MATCH (n:Account) RETURN count(n) AS n')).toBe(hostile.expected.accounts);
  });

  it('exports carry only the contract: fixed columns, and an unknown input column reaches neither Neo4j nor a file', async () => {
    const csvHeader = fs.readFileSync(files.csv!.accounts, 'utf8').split('\r\n')[0]!.split(',');
    expect(csvHeader).toEqual([...ACCOUNT_COLUMNS]);
    expect(fs.readFileSync(files.csv!.clusters!, 'utf8').split('\r\n')[0]!.split(',')).toEqual([...CLUSTER_COLUMNS]);
    for (const line of fs.readFileSync(files.ndjson!.accounts, 'utf8').trim().split('\n')) {
      expect(Object.keys(JSON.parse(line) as object)).toEqual([...ACCOUNT_COLUMNS]);
    }
    for (const f of Object.values(files)) {
      for (const p of [f.accounts, f.clusters].filter((x): x is string => !!x)) {
        const text = fs.readFileSync(p, 'utf8');
        expect(text).not.toContain(EXTRA_CANARY);
        expect(text).not.toContain(EXTRA_COLUMN);
      }
    }
    // Every property of every node and relationship (the graph is small), serialised client-side.
    const all = await client.query('CALL () { MATCH (n) RETURN properties(n) AS p UNION ALL MATCH ()-[r]->() RETURN properties(r) AS p } RETURN p', {}, 'READ');
    expect(all.records.length).toBeGreaterThan(1000);
    const leaked = all.records.filter((r) => {
      const p = r.get('p') as Record<string, unknown>;
      return EXTRA_COLUMN in p || JSON.stringify(p, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).includes(EXTRA_CANARY);
    });
    expect(leaked).toEqual([]);
    // The canary was really in the drop (the check above would be vacuous otherwise).
    expect(fs.readFileSync(path.join(hostile.dropDir, 'accounts.csv'), 'utf8')).toContain(EXTRA_CANARY);
  });
});

describe('static check: Cypher text is constant, data travels as parameters', () => {
  it('every .run( / .query( / .executeQuery( in src/ builds its query from constants only', () => {
    const sites = checkCypherInSrc(ROOT);
    expect(sites.length).toBeGreaterThan(30);
    expect(sites.filter((s) => !s.ok).map((s) => `${s.file}:${s.line}: ${s.text}`)).toEqual([]);
  });

  it('the check does flag interpolated data (it can fail)', () => {
    const bad = checkCypherSources([
      {
        file: 'src/x.ts',
        text: [
          "const LABEL = 'Account';",
          'export async function f(client: any, id: string, rows: unknown[]) {',
          '  await client.query(`MATCH (a:${LABEL}) RETURN a`);',
          "  await client.query(`MATCH (a:Account {id: '${id}'}) RETURN a`);",
          "  await client.query('MATCH (a {id: \"' + id + '\"}) RETURN a');",
          '  const q = `UNWIND $rows AS r MERGE (a:Account {id: ${JSON.stringify(id)}})`;',
          '  await client.write((tx: any) => tx.run(q, { rows }));',
          '}',
        ].join('\n'),
      },
    ]);
    expect(bad.map((s) => s.ok)).toEqual([true, false, false, false]);
  });
});

describe('access control', () => {
  it('the analyst runner behind `ringscope query --cypher` refuses a write (WriteRefusedError, data unchanged)', async () => {
    const before = await count('MATCH (n) RETURN count(n) AS n');
    const r = await runCli(['query', '--cypher', "MATCH (n:H8Sentinel) DETACH DELETE n CREATE (:Intruder {id: 'x'})"], { ...process.env, LOG_LEVEL: 'silent' });
    expect(r.code).toBe(2); // the user's input (docs/cli.md, exit codes)
    expect(r.output).toContain('WriteRefusedError');
    expect(await count('MATCH (n) RETURN count(n) AS n')).toBe(before);
    expect(await count('MATCH (n:H8Sentinel) RETURN count(n) AS n')).toBe(1);
    // An admin command is refused the same way, on one line (issue #22).
    const t = await runCli(['query', '--cypher', 'SHOW TRANSACTIONS YIELD transactionId AS t TERMINATE TRANSACTIONS t YIELD message RETURN message'], {
      ...process.env,
      LOG_LEVEL: 'silent',
    });
    expect(t.code).toBe(2);
    expect(t.output).toMatch(/^ringscope: AdminCommandRefusedError: TERMINATE is an admin command[^\n]*\n$/);
  });

  it('the local Neo4j runs with authentication: generated password in a 0600, git-ignored file, never on a command line', async () => {
    const file = process.env.NEO4J_PASSWORD_FILE;
    if (!file) throw new Error('this test needs the local launcher (NEO4J_PASSWORD_FILE from scripts/services.mjs)');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const password = fs.readFileSync(file, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(20);
    // git check-ignore exits 0 when the path is ignored (read-only git command).
    execFileSync('git', ['check-ignore', '-q', path.relative(ROOT, file)], { cwd: ROOT });
    await expect(Neo4jClient.connect({ neo4j: { ...config.neo4j, password: `${password}-wrong` } })).rejects.toBeInstanceOf(ConfigError);
    // The launcher's command line (visible to every local user in ps) holds the file name only.
    const pidFile = path.join(path.dirname(file), 'neo4j', 'launcher.pid');
    const pid = fs.readFileSync(pidFile, 'utf8').trim();
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    expect(cmdline).toContain('Launcher');
    expect(cmdline).not.toContain(password);
  });
});
