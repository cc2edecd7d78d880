import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Neo4jClient } from '../../src/db/index.js';
import { detectAndWrite, type DetectAndWriteResult } from '../../src/db/index.js';
import { listCookbook, runCookbookQuery } from '../../src/analyst/index.js';
import { ACCOUNT_COLUMNS, companionPath, exportRun, type StixObject } from '../../src/export/index.js';
import { generate } from '../../src/generator/index.js';
import { ingestDrop } from '../../src/loaders/index.js';
import { freshNeo4j } from '../helpers/services.js';
import { stixBundleValidator } from '../helpers/stix-validator.js';

/**
 * Every export format from a real run (generate → ingest → detect), parsed back and checked against
 * what detection wrote: the same flagged accounts, clusters and recommendations, in every format.
 */
let client: Neo4jClient;
let dir: string;
let run: DetectAndWriteResult;
let flagged: Map<string, { cluster: string; recommendation: string }>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-e2e-export-'));
  const g = await generate({ scenario: 'mixed', accounts: 1200, seed: 5, out: dir });
  client = await freshNeo4j();
  await ingestDrop(client, g.dropDir, { stateDir: path.join(dir, 'state') });
  run = await detectAndWrite(client, { seed: 3 });
  flagged = new Map();
  for (const c of run.clusters) {
    if (c.recommendation === 'monitor') continue;
    for (const m of c.members) flagged.set(m, { cluster: c.id, recommendation: c.recommendation });
  }
  expect(flagged.size).toBeGreaterThan(10);
});
afterAll(async () => {
  await client?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('exports of a real detection run', () => {
  it('csv and ndjson list exactly the review+ accounts with their cluster and recommendation', async () => {
    const csvOut = path.join(dir, 'x', 'accounts.csv');
    await exportRun(client, { run: run.runId, format: 'csv', out: csvOut });
    const rows = parse(fs.readFileSync(csvOut, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...ACCOUNT_COLUMNS]);
    expect(new Map(rows.map((r) => [r.account_id!, { cluster: r.cluster_id!, recommendation: r.recommendation! }]))).toEqual(flagged);
    expect(rows.every((r) => r.run_id === run.runId)).toBe(true);
    // Each row carries the member's own verdict (schema 1.1), as detection computed it.
    const own = new Map(run.clusters.flatMap((c) => c.members.map((m, i) => [m, c.memberVerdicts[i]!] as const)));
    for (const r of rows) {
      expect(r.member_recommendation, r.account_id).toBe(own.get(r.account_id!)!.recommendation);
      expect(JSON.parse(r.member_reasons!)).toEqual(own.get(r.account_id!)!.reasons);
    }
    const clusters = parse(fs.readFileSync(companionPath(csvOut), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(new Set(clusters.map((c) => c.cluster_id))).toEqual(new Set([...flagged.values()].map((v) => v.cluster)));

    const ndOut = path.join(dir, 'x', 'accounts.ndjson');
    await exportRun(client, { run: run.runId, format: 'ndjson', out: ndOut });
    const nd = fs
      .readFileSync(ndOut, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(nd.map((r) => r.account_id)).toEqual(rows.map((r) => r.account_id));
  });

  it('json is deterministic and agrees with the csv', async () => {
    const a = path.join(dir, 'y', 'a.json');
    const b = path.join(dir, 'y', 'b.json');
    await exportRun(client, { run: run.runId, format: 'json', out: a });
    await exportRun(client, { run: run.runId, format: 'json', out: b });
    expect(fs.readFileSync(a)).toEqual(fs.readFileSync(b));
    expect(fs.readFileSync(companionPath(a))).toEqual(fs.readFileSync(companionPath(b)));
    const doc = JSON.parse(fs.readFileSync(companionPath(a), 'utf8')) as { clusters: Array<{ cluster_id: string; size: number | string }> };
    const total = doc.clusters.reduce((s, c) => s + Number(c.size), 0);
    expect(total).toBe(flagged.size);
  });

  it('stix validates against the STIX 2.1 schema and names one intrusion-set per flagged ring', async () => {
    const out = path.join(dir, 'z', 'rings.stix.json');
    await exportRun(client, { run: run.runId, format: 'stix', out });
    const bundle = JSON.parse(fs.readFileSync(out, 'utf8')) as { type: string; objects: StixObject[] };
    const validate = stixBundleValidator();
    expect(validate(bundle), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const sets = bundle.objects.filter((o) => o.type === 'intrusion-set' || o.type === 'grouping');
    expect(sets).toHaveLength(new Set([...flagged.values()].map((v) => v.cluster)).size);
    expect(bundle.objects.some((o) => o.type === 'relationship')).toBe(true);
  });
});

describe('the Cypher cookbook on the generated scenario', () => {
  it('answers every query with results that agree with the run', async () => {
    const names = listCookbook().map((q) => q.name);
    const asked = new Set<string>();
    const q = async (name: string, params: Record<string, string>) => {
      asked.add(name);
      return (await runCookbookQuery(client, name, params)).rows;
    };
    const top = [...run.clusters].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))[0]!;
    const [a, b] = [...top.members].sort();

    const tops = await q('top-clusters', { minRecommendation: 'review', limit: '500' });
    expect(new Set(tops.map((r) => r.cluster))).toEqual(new Set([...flagged.values()].map((v) => v.cluster)));
    expect(tops[0]!.cluster).toBe(top.id);

    const members = await q('cluster-members', { cluster: top.id });
    expect(new Set(members.map((r) => r.account))).toEqual(new Set(top.members));
    expect(members.every((r) => Number(r.sharedCount) >= 1)).toBe(true);

    const path1 = await q('evidence-path', { from: a!, to: b! });
    expect(path1).toHaveLength(1);
    expect(Number(path1[0]!.hops)).toBeGreaterThanOrEqual(1);

    // Same data detected again: ids carry over, nothing respawns, and the history has both runs.
    const run2 = await detectAndWrite(client, { seed: 3, runId: `${run.runId}-again` });
    expect(run2.clusters.find((c) => c.id === top.id)?.lineage).toBe('unchanged');
    expect(await q('respawn-accounts', {})).toHaveLength(0);
    const history = await q('cluster-history', { cluster: top.id });
    expect(history.map((r) => r.run)).toEqual([run.runId, run2.runId]);

    const bridges = await q('bridging-identifiers', { limit: '50' });
    for (const r of bridges) expect(r.clusterA).not.toBe(r.clusterB);

    // The accounts behind one payment method and one subnet that the top ring's members use.
    const pay = await client.query(
      'MATCH (x:Account)-[:PAID_WITH]->(p:PaymentMethod) WHERE x.id IN $ids RETURN x.id AS account, p.id AS id ORDER BY id, account LIMIT 1',
      { ids: [...flagged.keys()] },
      'READ',
    );
    expect(pay.records).toHaveLength(1);
    const payRows = await q('payment-accounts', { payment: pay.records[0]!.get('id') as string });
    expect(payRows.map((r) => r.account)).toContain(pay.records[0]!.get('account'));
    const sub = await client.query(
      'MATCH (:Account {id: $a})-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(s:Subnet) RETURN s.cidr AS cidr ORDER BY cidr LIMIT 1',
      { a },
      'READ',
    );
    expect(sub.records.length).toBe(1);
    const subRows = await q('subnet-accounts', { cidr: sub.records[0]!.get('cidr') as string });
    expect(subRows.map((r) => r.account)).toContain(a);

    expect([...asked].sort()).toEqual([...names].sort());
  });
});
