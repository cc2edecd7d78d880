import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Neo4jClient } from '../../src/db/index.js';
import {
  ACCOUNT_COLUMNS,
  CLUSTER_COLUMNS,
  SCHEMA_VERSION,
  buildStixBundle,
  companionPath,
  exportRun,
  loadRunExport,
  uuidv5,
  writeFileAtomic,
  type AtomicIo,
  type StixObject,
} from '../../src/export/index.js';
import { NotFoundError, StorageError } from '../../src/util/errors.js';
import fsp from 'node:fs/promises';
import { freshNeo4j } from '../helpers/services.js';
import { HOSTILE_ACCOUNT, HOSTILE_PROMPT, RUN1, RUN2, seedTwoRuns } from '../helpers/seed-run.js';
import { stixBundleValidator } from '../helpers/stix-validator.js';

let client: Neo4jClient;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-export-'));
  client = await freshNeo4j();
  await seedTwoRuns(client);
});
afterAll(async () => {
  await client?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('exports of a run', () => {
  it('csv: one row per account of review+ clusters, companion with shared identifiers, parsed back', async () => {
    const out = path.join(dir, 'ring.csv');
    const res = await exportRun(client, { format: 'csv', out });
    expect(res.files).toEqual([companionPath(out), out]);
    expect(res.export.run.id).toBe(RUN2);

    const accounts = parse(fs.readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(accounts[0]!)).toEqual([...ACCOUNT_COLUMNS]);
    // ring-a (enforce, 0.94) first, then ring-b (review); fam-c is monitor and left out.
    expect(accounts.map((r) => r.cluster_id)).toEqual([...Array(5).fill('ring-a'), ...Array(5).fill('ring-b')]);
    expect(accounts.slice(0, 5).map((r) => r.account_id)).toEqual(['a01', 'a02', 'a03', 'a04', 'a05']);
    expect(accounts.find((r) => r.account_id === 'a05')!.respawn).toBe('true');
    expect(accounts.find((r) => r.account_id === 'a04')!.respawn).toBe('false');
    expect(accounts.some((r) => r.account_id === HOSTILE_ACCOUNT)).toBe(true);
    const a01 = accounts[0]!;
    expect(a01).toMatchObject({ schema_version: SCHEMA_VERSION, run_id: RUN2, score: '0.94', recommendation: 'enforce', lineage: 'grown' });
    expect(JSON.parse(a01.top_reasons!)).toHaveLength(3);

    const clusters = parse(fs.readFileSync(companionPath(out), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(clusters[0]!)).toEqual([...CLUSTER_COLUMNS]);
    expect(clusters.map((c) => c.cluster_id)).toEqual(['ring-a', 'ring-b']);
    const a = clusters[0]!;
    expect(JSON.parse(a.payment_fingerprints!)).toEqual(['pm-A', 'pm-A2']);
    // 203.0.113.10/.11 by 3 members each, then 100.64.0.1 and the IPv6 address by 2; 192.0.2.50 has one member.
    expect(JSON.parse(a.ips!)).toEqual(['203.0.113.10', '203.0.113.11', '100.64.0.1', '2001:db8:0:1::10']);
    expect(JSON.parse(a.subnets!)).toEqual(['203.0.113.0/24', '100.64.0.0/24', '2001:0db8:0000:0001::/64']);
    expect(JSON.parse(a.prompt_fingerprints!)).toEqual(['fp-tpl-cot']);
    expect(a).toMatchObject({ size: '5', previous_id: 'ring-a', ips_total: '4' });
    expect(JSON.parse(clusters[1]!.prompt_fingerprints!)).toEqual([HOSTILE_PROMPT, 'fp-b-rubric']);
  });

  it('ndjson and json parse back to the same rows, and every format is byte-identical when re-exported', async () => {
    const nd = path.join(dir, 'ring.ndjson');
    const js = path.join(dir, 'ring.json');
    await exportRun(client, { format: 'ndjson', out: nd });
    await exportRun(client, { format: 'json', out: js });
    const ndRows = fs
      .readFileSync(nd, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const doc = JSON.parse(fs.readFileSync(js, 'utf8'));
    expect(doc.schema_version).toBe(SCHEMA_VERSION);
    expect(doc.run).toEqual({ id: RUN2, startedAt: '2026-01-02T02:00:00.000Z', finishedAt: '2026-01-02T02:06:00.000Z' });
    expect(ndRows).toEqual(doc.accounts);
    expect(ndRows).toHaveLength(10);
    const ndClusters = fs
      .readFileSync(companionPath(nd), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(ndClusters).toEqual(JSON.parse(fs.readFileSync(companionPath(js), 'utf8')).clusters);

    for (const format of ['csv', 'ndjson', 'json', 'stix'] as const) {
      const p1 = path.join(dir, `det1.${format}`);
      const p2 = path.join(dir, `det2.${format}`);
      await exportRun(client, { format, out: p1 });
      await exportRun(client, { format, out: p2 });
      expect(fs.readFileSync(p2, 'utf8')).toBe(fs.readFileSync(p1, 'utf8'));
    }
  });

  it('selects runs and recommendations, bounds identifier lists, and refuses an unknown run', async () => {
    const all = await loadRunExport(client, { minRecommendation: 'monitor' });
    expect(all.clusters.map((c) => c.cluster_id)).toEqual(['ring-a', 'ring-b', 'fam-c']);
    const enforce = await loadRunExport(client, { minRecommendation: 'enforce' });
    expect(enforce.accounts.map((r) => r.account_id)).toEqual(['a01', 'a02', 'a03', 'a04', 'a05']);
    const old = await loadRunExport(client, { run: RUN1 });
    expect(old.accounts).toHaveLength(7);
    expect(old.accounts.every((r) => !r.respawn && r.run_id === RUN1)).toBe(true);
    const bounded = await loadRunExport(client, { maxIdentifiersPerKind: 1 });
    expect(bounded.clusters[0]).toMatchObject({ ips: ['203.0.113.10'], ips_total: 4 });
    await expect(loadRunExport(client, { run: 'no-such-run' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('stix: a schema-valid bundle with deterministic ids, rings, IP observables and relationships', async () => {
    const out = path.join(dir, 'ring.stix.json');
    await exportRun(client, { format: 'stix', out });
    const bundle = JSON.parse(fs.readFileSync(out, 'utf8')) as { type: string; id: string; objects: StixObject[] };
    const validate = stixBundleValidator();
    expect(validate(bundle), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);

    const sets = bundle.objects.filter((o) => o.type === 'intrusion-set');
    expect(sets.map((s) => s.x_ringscope_cluster_id)).toEqual(['ring-a', 'ring-b']);
    expect(sets[0]!.id).toBe(`intrusion-set--${uuidv5(`${RUN2}/ring-a`, 'c1687d4d-f5c1-4c2f-9c64-fb90ba55e5d4')}`);
    // STIX §2.9 deterministic SCO id, computed independently with Python's uuid.uuid5.
    const v4 = bundle.objects.find((o) => o.type === 'ipv4-addr' && o.value === '203.0.113.10');
    expect(v4?.id).toBe('ipv4-addr--570130c0-7daf-5d1e-992f-58b53b447312');
    expect(bundle.objects.some((o) => o.type === 'ipv6-addr' && o.value === '2001:db8:0:1::10')).toBe(true);
    // The CGNAT address (2 ring members out of 8 users) is not shared as an indicator.
    expect(bundle.objects.some((o) => o.value === '100.64.0.1')).toBe(false);
    expect(JSON.stringify(bundle)).not.toContain('pm-A');

    const ids = new Set(bundle.objects.map((o) => o.id));
    expect(ids.size).toBe(bundle.objects.length);
    const rels = bundle.objects.filter((o) => o.type === 'relationship');
    for (const r of rels) {
      expect(ids.has(r.source_ref as string)).toBe(true);
      expect(ids.has(r.target_ref as string)).toBe(true);
    }
    expect(rels.map((r) => r.relationship_type).sort()).toEqual(expect.arrayContaining(['uses', 'consists-of', 'indicates']));
    const ind = bundle.objects.find((o) => o.type === 'indicator' && (o.name as string).includes('ring-a'))!;
    expect(ind.pattern).toBe("[ipv4-addr:value = '203.0.113.10'] OR [ipv4-addr:value = '203.0.113.11'] OR [ipv6-addr:value = '2001:db8:0:1::10']");
    expect(ind.indicator_types).toEqual(['malicious-activity']);

    // The schema really checks: a ring without a name is rejected.
    const broken = structuredClone(bundle);
    delete broken.objects.find((o) => o.type === 'intrusion-set')!.name;
    expect(validate(broken)).toBe(false);
    // Same input, same bundle.
    expect(buildStixBundle(await loadRunExport(client))).toEqual(bundle);
  });
});

describe('atomic writes', () => {
  it('replaces a file whole and leaves no temp file; a failed write keeps the old file', async () => {
    const f = path.join(dir, 'atomic', 'out.csv');
    await writeFileAtomic(f, 'old\n');
    await writeFileAtomic(f, 'new\n');
    expect(fs.readFileSync(f, 'utf8')).toBe('new\n');
    // Renaming onto a non-empty directory fails: the temp file is removed, nothing half-written remains.
    const target = path.join(dir, 'atomic', 'dir-target');
    fs.mkdirSync(path.join(target, 'inner'), { recursive: true });
    await expect(writeFileAtomic(target, 'x'.repeat(100_000))).rejects.toBeInstanceOf(StorageError);
    expect(fs.readdirSync(path.join(dir, 'atomic')).sort()).toEqual(['dir-target', 'out.csv']);
    expect(fs.readFileSync(f, 'utf8')).toBe('new\n');
  });
});

describe('export pair atomicity', () => {
  // Issue #22 defect 3: with the disk full, ring.clusters.csv held the new run while ring.csv held the old one.
  const enospc = (what: string): NodeJS.ErrnoException => Object.assign(new Error(`ENOSPC: no space left on device, ${what}`), { code: 'ENOSPC' });
  /** The real file system, except that `fail` decides which call throws. */
  const failing = (fail: { rename?: (to: string) => boolean; write?: (tmp: string) => boolean }): AtomicIo => ({
    mkdir: fsp.mkdir,
    link: fsp.link,
    rm: fsp.rm,
    rename: async (from, to) => {
      if (fail.rename?.(String(to))) throw enospc(`rename '${String(from)}'`);
      return fsp.rename(from, to);
    },
    open: (async (p: string, flags?: string, mode?: number) => {
      const fh = await fsp.open(p, flags, mode);
      if (flags === 'wx' && fail.write?.(p)) {
        return Object.assign(Object.create(fh) as typeof fh, {
          writeFile: async (data: string) => {
            await fh.writeFile(String(data).slice(0, 10)); // a partial write, then the disk is full
            throw enospc(`write '${p}'`);
          },
          close: () => fh.close(),
        });
      }
      return fh;
    }) as AtomicIo['open'],
  });

  async function previousPair(name: string): Promise<{ out: string; before: Record<string, string> }> {
    const pairDir = fs.mkdtempSync(path.join(dir, `${name}-`));
    const out = path.join(pairDir, 'ring.csv');
    await exportRun(client, { format: 'csv', out, run: RUN1 });
    return { out, before: Object.fromEntries(fs.readdirSync(pairDir).map((f) => [f, fs.readFileSync(path.join(pairDir, f), 'utf8')])) };
  }
  const now = (out: string): Record<string, string> =>
    Object.fromEntries(fs.readdirSync(path.dirname(out)).map((f) => [f, fs.readFileSync(path.join(path.dirname(out), f), 'utf8')]));

  it.each([
    ['the account file rename fails after the companion was renamed', { rename: (to: string) => to.endsWith('ring.csv') }],
    ['the disk fills while writing the account file, after the companion', { write: (tmp: string) => path.basename(tmp).startsWith('.ring.csv.') }],
    ['the disk fills while writing the companion', { write: (tmp: string) => path.basename(tmp).startsWith('.ring.clusters.csv.') }],
  ])('%s: the previous pair stays intact, no temp file is left, the error names --out', async (_case, fail) => {
    const { out, before } = await previousPair('pair');
    expect(Object.keys(before).sort()).toEqual(['ring.clusters.csv', 'ring.csv']);
    expect(before['ring.csv']).toContain(RUN1);
    const err = await exportRun(client, { format: 'csv', out, run: RUN2, io: failing(fail) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ path: out, code: 'ENOSPC' });
    expect((err as Error).message.startsWith(`${out}: `)).toBe(true);
    expect((err as StorageError).hint).toMatch(/free space/);
    expect((err as Error).message).not.toMatch(/\.tmp|\.bak/);
    expect(now(out)).toEqual(before);
    // The same export without the failure replaces both files.
    await exportRun(client, { format: 'csv', out, run: RUN2 });
    const after = now(out);
    expect(Object.keys(after).sort()).toEqual(['ring.clusters.csv', 'ring.csv']);
    expect(after['ring.csv']).toContain(RUN2);
    expect(after['ring.clusters.csv']).toContain(RUN2);
  });

  it('a first export that fails leaves no file at all', async () => {
    const out = path.join(fs.mkdtempSync(path.join(dir, 'first-')), 'ring.json');
    await expect(exportRun(client, { format: 'json', out, io: failing({ rename: (to) => to.endsWith('ring.json') }) })).rejects.toBeInstanceOf(StorageError);
    expect(fs.readdirSync(path.dirname(out))).toEqual([]);
  });
});

describe('member verdicts in exports (schema 1.1)', () => {
  it('carries each member’s own recommendation and reasons; the cluster fields keep their meaning', async () => {
    await client.query(
      `MATCH (:Account {id: 'a04'})-[m:MEMBER_OF {runId: $run}]->(:Cluster {id: 'ring-a'})
       SET m.recommendation = 'review', m.reasons = ['review, not enforce: held in an enforced cluster by network evidence only']`,
      { run: RUN2 },
    );
    const e = await loadRunExport(client);
    const a04 = e.accounts.find((r) => r.account_id === 'a04')!;
    expect(a04).toMatchObject({ recommendation: 'enforce', member_recommendation: 'review', schema_version: '1.1' });
    expect(a04.member_reasons[0]).toMatch(/network evidence only/);
    // Rows written before member verdicts carry the cluster's recommendation and no member reasons.
    const a01 = e.accounts.find((r) => r.account_id === 'a01')!;
    expect(a01).toMatchObject({ recommendation: 'enforce', member_recommendation: 'enforce', member_reasons: [] });
    expect(e.clusters.find((c) => c.cluster_id === 'ring-a')!.recommendation).toBe('enforce');

    // STIX: member verdict counts on each intrusion set; per-member verdicts only when asked for.
    const validate = stixBundleValidator();
    const shared = buildStixBundle(e);
    expect(validate(shared), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const setA = shared.objects.find((o) => o.type === 'intrusion-set' && o.x_ringscope_cluster_id === 'ring-a')!;
    expect(setA.x_ringscope_schema_version).toBe('1.1');
    expect(setA.x_ringscope_member_recommendations).toEqual({ enforce: 4, review: 1 });
    expect(setA.x_ringscope_members).toBeUndefined();
    expect(JSON.stringify(shared)).not.toContain('"a04"');
    const internal = buildStixBundle(e, { members: true });
    expect(validate(internal), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const members = internal.objects.find((o) => o.id === setA.id)!.x_ringscope_members as Array<{
      account_id: string;
      recommendation: string;
      reasons: string[];
    }>;
    expect(members.map((m) => m.account_id)).toEqual(['a01', 'a02', 'a03', 'a04', 'a05']);
    expect(members.find((m) => m.account_id === 'a04')).toMatchObject({ recommendation: 'review', reasons: [expect.stringMatching(/network evidence only/)] });
    expect(members.find((m) => m.account_id === 'a01')).toMatchObject({ recommendation: 'enforce', reasons: [] });
    // Every custom property follows STIX 2.1 §11.1 naming (x_ prefix, lower case, digits, underscores).
    for (const o of internal.objects) for (const k of Object.keys(o).filter((k) => k.startsWith('x_'))) expect(k).toMatch(/^x_[a-z0-9_]{1,248}$/);
  });

  it('stix: no indicator on an IP that a lowered member used', async () => {
    await client.query(
      `MATCH (:Account {id: 'a04'})-[m:MEMBER_OF {runId: $run}]->(:Cluster {id: 'ring-a'}) SET m.recommendation = 'review', m.reasons = ['held by one kind']`,
      { run: RUN2 },
    );
    const e = await loadRunExport(client);
    const shared = e.shared.get('ring-a')!;
    // a04 used 203.0.113.11 (with a03 and a05), not 203.0.113.10.
    expect(shared.find((s) => s.key === '203.0.113.11')).toMatchObject({ members: 3, lowered: 1 });
    expect(shared.find((s) => s.key === '203.0.113.10')).toMatchObject({ members: 3, lowered: 0 });
    const bundle = buildStixBundle(e);
    const validate = stixBundleValidator();
    expect(validate(bundle), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const ind = bundle.objects.find((o) => o.type === 'indicator' && (o.name as string).includes('ring-a'))!;
    expect(ind.pattern).toBe("[ipv4-addr:value = '203.0.113.10'] OR [ipv6-addr:value = '2001:db8:0:1::10']");
    expect(bundle.objects.some((o) => o.value === '203.0.113.11')).toBe(false);
    expect(JSON.stringify(bundle)).not.toContain('a04');
  });
});
