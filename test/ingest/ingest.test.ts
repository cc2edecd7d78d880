import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Neo4jClient, neo4j, toNum } from '../../src/db/index.js';
import { finalizeDrop, ingestDrop, ingestFile, openDrop, type IngestOptions } from '../../src/loaders/index.js';
import { EditedDropError, InvalidDropError, InvalidFileError, LedgerConflictError, RingscopeError } from '../../src/util/errors.js';
import { freshNeo4j, testConfig } from '../helpers/services.js';
import { snapshot } from './graph-snapshot.js';
import { waitFor } from '../helpers/wait.js';

const DROPS = path.resolve(import.meta.dirname, '../fixtures/drops');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-ingest-'));
const OPTS: IngestOptions = { stateDir: path.join(tmp, 'state'), batchSize: 2 };

/** Copy a fixture drop to a temp dir, optionally gzipping every file. */
function copyDrop(name: string, gzip = false): string {
  const dir = fs.mkdtempSync(path.join(tmp, `${name}-`));
  for (const f of fs.readdirSync(path.join(DROPS, name))) {
    const data = fs.readFileSync(path.join(DROPS, name, f));
    fs.writeFileSync(path.join(dir, gzip ? `${f}.gz` : f), gzip ? zlib.gzipSync(data) : data);
  }
  return dir;
}

function writeDrop(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'drop-'));
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
  return dir;
}

async function one<T = unknown>(client: Neo4jClient, q: string, params: Record<string, unknown> = {}): Promise<T> {
  const r = await client.query(q, params, 'READ');
  return r.records[0]?.get(0) as T;
}

let client: Neo4jClient;
beforeAll(async () => {
  client = await freshNeo4j();
});
afterAll(async () => {
  await client?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('ingest', () => {
  it('loads every file kind identically from CSV, NDJSON, CSV.gz and NDJSON.gz', async () => {
    const variants = [copyDrop('basic-csv'), copyDrop('basic-ndjson'), copyDrop('basic-csv', true), copyDrop('basic-ndjson', true)];
    const snaps = [];
    for (const dir of variants) {
      client = await freshNeo4j();
      const s = await ingestDrop(client, dir, OPTS);
      expect(s.files.map((f) => f.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
      expect(s.ledgerWritten).toBe(true);
      expect(s.rows).toBe(15);
      snaps.push(await snapshot(client, true));
    }
    expect(new Set(snaps.map((x) => x.checksum)).size).toBe(1);
    expect(snaps[0]!.nodes).toBeGreaterThan(10);

    // Spot checks on the last load.
    expect(await one(client, 'MATCH (a:Account) RETURN collect(a.id)')).toEqual(expect.arrayContaining(['A1', 'A2', 'A3', 'A9']));
    expect(await one(client, 'MATCH (a:Account {id: "A9"}) RETURN a.createdAt')).toBeNull();
    expect(String(await one(client, 'MATCH (a:Account {id: "A2"}) RETURN a.createdAt'))).toBe('2026-01-02T00:00:00Z');
    expect(await one(client, 'MATCH (a:Account {id: "A1"}) RETURN a.verified')).toBe(true);
    const paid = await one<unknown>(client, 'MATCH (:Account {id: "A1"})-[x:PAID_WITH]->(:PaymentMethod {id: "card-1"}) RETURN x.observations');
    expect(neo4j.isInt(paid)).toBe(true);
    expect(await one(client, 'MATCH (ip:IP {address: "10.0.0.1"})-[:IN_SUBNET]->(s:Subnet) RETURN s.cidr')).toBe('10.0.0.0/24');
    expect(await one(client, 'MATCH (ip:IP {address: "2001:db8::1:0:0:1"})-[:IN_SUBNET]->(s) RETURN s.cidr')).toBe('2001:db8::/64');
    expect(toNum(await one(client, 'MATCH (:Account {id: "A2"})-[x:CONNECTED_FROM]->() RETURN x.requests'))).toBe(1);
    const sent = await client.query(
      'MATCH (:Account {id: "A1"})-[x:SENT]->(p:PromptFingerprint {id: "fp-1"}) RETURN x.count AS c, p.markers AS m, p.capability AS cap',
      {},
      'READ',
    );
    expect(neo4j.isInt(sent.records[0]!.get('c'))).toBe(true);
    expect(toNum(sent.records[0]!.get('c'))).toBe(10);
    expect(sent.records[0]!.get('m')).toEqual(['cot', 'rubric']);
    expect(sent.records[0]!.get('cap')).toBe('coding');
    expect(await one(client, 'MATCH (p:PromptFingerprint {id: "fp-2"}) RETURN p.kind')).toBe('minhash');
    // Two A1 rows at 10:15Z and 10:45Z, and A2 at 11:00+01:00, fall in one UTC hour.
    const h10 = Date.UTC(2026, 0, 5, 10) / 3_600_000;
    const hours = await client.query(
      'MATCH (a:Account) WHERE a.id IN ["A1", "A2"] RETURN a.id AS id, a.activeHours AS h, a.hourlyRequests AS n ORDER BY id',
      {},
      'READ',
    );
    expect(hours.records.map((r) => [r.get('id'), (r.get('h') as unknown[]).map(toNum), (r.get('n') as unknown[]).map(toNum)])).toEqual([
      ['A1', [h10], [7]],
      ['A2', [h10], [2]],
    ]);
    expect(neo4j.isInt((hours.records[0]!.get('h') as unknown[])[0])).toBe(true);
  });

  it.each([
    [1, undefined],
    [2, 25],
    [3, 40],
    [2, 1],
  ])('merges activity lists exactly when an account spans batches (%i writers, activity buffer %s rows)', async (writers, activityBufferRows) => {
    client = await freshNeo4j();
    // 30 accounts × 10–12 distinct hours, requests adding up on repeated hours. Rows are interleaved
    // across accounts, as in a real file: a buffer smaller than the file (25, 40, 1 rows) flushes
    // each account several times, so its lists are merged across statements and transactions.
    const want = new Map<string, Map<number, number>>();
    const lines = ['account_id,hour,requests'];
    const base = Date.UTC(2026, 0, 1) / 3_600_000;
    for (let a = 0; a < 30; a++) {
      for (let i = 0; i < 10 + (a % 3); i++) {
        const h = base + ((a * 7 + i * 13) % 101);
        const n = 1 + ((a + i) % 4);
        lines.push(`A${a},${new Date(h * 3_600_000).toISOString()},${n}`);
        const m = want.get(`A${a}`) ?? new Map<number, number>();
        m.set(h, (m.get(h) ?? 0) + n);
        want.set(`A${a}`, m);
      }
    }
    const body = lines.slice(1);
    const shuffled = body
      .map((l, i) => [(i * 7919) % body.length, l] as const)
      .sort((x, y) => x[0] - y[0])
      .map(([, l]) => l);
    const s = await ingestDrop(client, writeDrop({ 'activity.csv': [lines[0], ...shuffled].join('\n') + '\n' }), {
      ...OPTS,
      batchSize: 7,
      writers,
      activityBufferRows,
    });
    expect(s.rows).toBe(body.length);
    const got = await client.query('MATCH (a:Account) RETURN a.id AS id, a.activeHours AS h, a.hourlyRequests AS n ORDER BY id', {}, 'READ');
    expect(got.records).toHaveLength(30);
    for (const r of got.records) {
      const m = want.get(r.get('id') as string)!;
      const hours = [...m.keys()].sort((x, y) => x - y);
      expect((r.get('h') as unknown[]).map(toNum)).toEqual(hours);
      expect((r.get('n') as unknown[]).map(toNum)).toEqual(hours.map((h) => m.get(h)));
    }
  });

  it('makes re-ingesting the same drop a no-op', async () => {
    client = await freshNeo4j();
    const dir = copyDrop('basic-csv');
    await ingestDrop(client, dir, OPTS);
    const before = await snapshot(client);
    const again = await ingestDrop(client, dir, OPTS);
    expect(again.skippedAsDuplicate).toBe(true);
    expect(again.files).toEqual([]);
    expect(await snapshot(client)).toEqual(before);
  });

  it('merges overlapping drops: firstSeen min, lastSeen max, counts added once, integers stay integers', async () => {
    client = await freshNeo4j();
    await ingestDrop(client, copyDrop('basic-csv'), OPTS);
    const s = await ingestDrop(client, copyDrop('overlap'), OPTS);
    expect(s.ledgerWritten).toBe(true);
    const paid = await client.query(
      'MATCH (:Account {id: "A1"})-[x:PAID_WITH]->(:PaymentMethod {id: "card-1"}) RETURN x.firstSeen AS f, x.lastSeen AS l, x.observations AS o',
      {},
      'READ',
    );
    const r = paid.records[0]!;
    expect(String(r.get('f'))).toBe('2026-01-04T00:00:00Z');
    expect(String(r.get('l'))).toBe('2026-01-08T00:00:00Z');
    expect(neo4j.isInt(r.get('o'))).toBe(true);
    expect(toNum(r.get('o'))).toBe(3);
    const sent = await client.query(
      'MATCH (:Account {id: "A1"})-[x:SENT]->(:PromptFingerprint {id: "fp-1"}) RETURN x.count AS c, x.observations AS o, x.firstSeen AS f, x.lastSeen AS l',
      {},
      'READ',
    );
    expect(neo4j.isInt(sent.records[0]!.get('c'))).toBe(true);
    expect(toNum(sent.records[0]!.get('c'))).toBe(15);
    expect(toNum(sent.records[0]!.get('o'))).toBe(2);
    expect(String(sent.records[0]!.get('f'))).toBe('2026-01-05T00:00:00Z');
    expect(String(sent.records[0]!.get('l'))).toBe('2026-01-09T00:00:00Z');
    const ip = await one(client, 'MATCH (:Account {id: "A1"})-[x:CONNECTED_FROM]->(:IP {address: "10.0.0.1"}) RETURN x.requests');
    expect(neo4j.isInt(ip)).toBe(true);
    expect(toNum(ip)).toBe(7);
    // Activity lists merge by hour (requests added) and stay sorted: 08:00 and next-day 00:00 are new.
    const h10 = Date.UTC(2026, 0, 5, 10) / 3_600_000;
    const act = await client.query('MATCH (a:Account {id: "A1"}) RETURN a.activeHours AS h, a.hourlyRequests AS n', {}, 'READ');
    expect((act.records[0]!.get('h') as unknown[]).map(toNum)).toEqual([h10 - 2, h10, h10 + 14]);
    expect((act.records[0]!.get('n') as unknown[]).map(toNum)).toEqual([5, 17, 1]);
    expect(toNum(await one(client, 'MATCH (d:Drop) RETURN count(d)'))).toBe(2);
    // Re-sending the second drop changes nothing.
    const before = await snapshot(client);
    expect((await ingestDrop(client, copyDrop('overlap'), OPTS)).skippedAsDuplicate).toBe(true);
    expect(await snapshot(client)).toEqual(before);
  });

  it('refuses an edited drop (file changed, added or removed) with nothing written; a new --drop-id loads it exactly once', async () => {
    // Issue #22 defect 1: the edited file was reloaded whole (counts doubled) and a second Drop got the same id.
    client = await freshNeo4j();
    const dir = copyDrop('basic-csv');
    const id = path.basename(dir);
    const original = fs.readFileSync(path.join(dir, 'prompt_fingerprints.csv'), 'utf8');
    await ingestDrop(client, dir, OPTS);
    const before = await snapshot(client);
    const pf = path.join(dir, 'prompt_fingerprints.csv');
    const edited =
      original.replace('A2,fp-1,2026-01-05T00:00:00Z,2026-01-06T00:00:00Z,3,', 'A2,fp-1,2026-01-05T00:00:00Z,2026-01-06T00:00:00Z,4,') +
      'A3,fp-9,2026-01-05T00:00:00Z,2026-01-05T00:00:00Z,1,,,\n';
    expect(edited).not.toBe(original);
    fs.writeFileSync(pf, edited);
    const refused = await ingestDrop(client, dir, OPTS).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(EditedDropError);
    expect(refused).toMatchObject({ dropId: id, files: ['prompt_fingerprints.csv (changed)'] });
    expect(await snapshot(client)).toEqual(before);
    // The per-file API (one pipeline job per file) refuses it as well, also for the unchanged files.
    const drop = await openDrop(dir);
    await expect(ingestFile(client, drop, 'prompt_fingerprints.csv', OPTS)).rejects.toBeInstanceOf(EditedDropError);
    await expect(ingestFile(client, drop, 'accounts.csv', OPTS)).rejects.toBeInstanceOf(EditedDropError);
    expect(await snapshot(client)).toEqual(before);

    // A file added or removed is an edit too.
    fs.writeFileSync(pf, original);
    fs.writeFileSync(path.join(dir, 'payment_methods.ndjson'), '');
    await expect(ingestDrop(client, dir, OPTS)).rejects.toMatchObject({ files: ['payment_methods.ndjson (added)'] });
    fs.rmSync(path.join(dir, 'payment_methods.ndjson'));
    const act = fs.readFileSync(path.join(dir, 'activity.csv'));
    fs.rmSync(path.join(dir, 'activity.csv'));
    await expect(ingestDrop(client, dir, OPTS)).rejects.toMatchObject({ files: ['activity.csv (removed)'] });
    fs.writeFileSync(path.join(dir, 'activity.csv'), act);
    expect(await snapshot(client)).toEqual(before);
    // Unchanged again: a no-op.
    expect((await ingestDrop(client, dir, OPTS)).skippedAsDuplicate).toBe(true);

    // Under a new id the edited content loads once, as a separate later drop would.
    fs.writeFileSync(pf, edited);
    const asNew = await ingestDrop(client, dir, { ...OPTS, dropId: 'edited-as-new' });
    expect(asNew.ledgerWritten).toBe(true);
    const loaded = await snapshot(client, true);
    expect((await ingestDrop(client, dir, { ...OPTS, dropId: 'edited-as-new' })).skippedAsDuplicate).toBe(true);
    expect(await snapshot(client, true)).toEqual(loaded);
    const ids = await client.query('MATCH (d:Drop) RETURN d.id AS id ORDER BY id', {}, 'READ');
    expect(ids.records.map((r) => r.get('id'))).toEqual(['edited-as-new', id].sort());

    client = await freshNeo4j();
    const copy = copyDrop('basic-csv');
    await ingestDrop(client, copy, OPTS);
    fs.writeFileSync(path.join(copy, 'prompt_fingerprints.csv'), edited);
    await ingestDrop(client, copy, { ...OPTS, dropId: 'other-id' });
    expect(loaded).toEqual(await snapshot(client, true));
    // Two Drop nodes with one id are impossible (unique constraint).
    await expect(client.query("CREATE (:Drop {id: 'other-id', sha256: 'x'})")).rejects.toMatchObject({
      code: 'Neo.ClientError.Schema.ConstraintValidationFailed',
    });
  });

  it('refuses a file edited after it started loading (no ledger entry yet), and still resumes the unchanged file', async () => {
    client = await freshNeo4j();
    const dir = copyDrop('basic-csv');
    const drop = await openDrop(dir);
    await ingestFile(client, drop, 'prompt_fingerprints.csv', OPTS); // then a "crash" before the ledger
    const before = await snapshot(client);
    const pf = path.join(dir, 'prompt_fingerprints.csv');
    const original = fs.readFileSync(pf);
    fs.appendFileSync(pf, 'A3,fp-9,2026-01-05T00:00:00Z,2026-01-05T00:00:00Z,1,,,\n');
    await expect(ingestDrop(client, dir, OPTS)).rejects.toMatchObject({ name: 'EditedDropError', files: ['prompt_fingerprints.csv (changed)'] });
    await expect(ingestFile(client, await openDrop(dir), 'prompt_fingerprints.csv', OPTS)).rejects.toBeInstanceOf(EditedDropError);
    expect(await snapshot(client)).toEqual(before);
    fs.writeFileSync(pf, original);
    const s = await ingestDrop(client, dir, OPTS);
    expect(s.ledgerWritten).toBe(true);
    expect(s.files.find((f) => f.file === 'prompt_fingerprints.csv')!.batchesSkipped).toBe(2);
    expect(toNum(await one(client, 'MATCH (:Account {id: "A1"})-[x:SENT]->(:PromptFingerprint {id: "fp-1"}) RETURN x.count'))).toBe(10);
  });

  it('upgrades the old drop_id index to a unique constraint, and names duplicate Drop ids an earlier version left', async () => {
    client = await freshNeo4j();
    await client.query('DROP CONSTRAINT drop_id_unique IF EXISTS');
    await client.query('CREATE INDEX drop_id IF NOT EXISTS FOR (n:Drop) ON (n.id)');
    await client.query("CREATE (:Drop {id: 'twice', sha256: 'one'}), (:Drop {id: 'twice', sha256: 'two'})");
    // A new client runs the schema statements again (they run once per client).
    const fresh = await Neo4jClient.connect(testConfig());
    try {
      const err = await ingestDrop(fresh, copyDrop('basic-csv'), OPTS).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LedgerConflictError);
      expect(err).toMatchObject({ dropIds: ['twice'] });
      await fresh.query("MATCH (d:Drop {sha256: 'two'}) DELETE d");
      expect((await ingestDrop(fresh, copyDrop('basic-csv'), OPTS)).ledgerWritten).toBe(true);
    } finally {
      await fresh.close();
    }
    const schema = await client.query(
      "SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties WHERE 'Drop' IN labelsOrTypes RETURN name, properties",
      {},
      'READ',
    );
    expect(schema.records.map((r) => [r.get('name'), r.get('properties')]).sort()).toEqual([
      ['drop_id_unique', ['id']],
      ['drop_sha256', ['sha256']],
    ]);
    expect((await client.query("SHOW INDEXES YIELD name WHERE name = 'drop_id' RETURN name", {}, 'READ')).records).toHaveLength(0);
  });

  it('two concurrent ingests of one drop load it once, and neither fails with a raw constraint error', async () => {
    client = await freshNeo4j();
    const dir = copyDrop('basic-csv');
    const [a, b] = await Promise.all([ingestDrop(client, dir, { ...OPTS, batchSize: 1 }), ingestDrop(client, dir, { ...OPTS, batchSize: 1 })]);
    expect([a.ledgerWritten, b.ledgerWritten].filter(Boolean)).toHaveLength(1);
    const once = await snapshot(client, true);
    client = await freshNeo4j();
    await ingestDrop(client, copyDrop('basic-csv'), OPTS);
    expect(once).toEqual(await snapshot(client, true));
  });

  it('writes a batch again with MERGE when another writer created one of its new nodes after the existence read', async () => {
    client = await freshNeo4j();
    const dir = writeDrop({
      'prompt_fingerprints.csv':
        [
          'account_id,fingerprint,first_seen,last_seen,count,kind',
          'acct_race_1,fp_race_1,2026-01-01T00:00:00Z,2026-01-02T00:00:00Z,3,minhash',
          'acct_race_2,fp_race_2,2026-01-01T00:00:00Z,2026-01-03T00:00:00Z,4,minhash',
        ].join('\n') + '\n',
    });
    // Another writer creates fp_race_1 and keeps its transaction open: ingest's existence read does
    // not see the node, and its CREATE waits on the key's index-entry lock until that writer commits.
    const other = client.session('WRITE');
    const tx = other.beginTransaction();
    try {
      await tx.run("CREATE (:PromptFingerprint {id: 'fp_race_1', kind: 'template'})");
      const ingest = ingestDrop(client, dir, { ...OPTS, batchSize: 10, writers: 1 });
      await waitFor('the ingest transaction to block on the index-entry lock', async () => {
        const r = await client.query("SHOW TRANSACTIONS YIELD status WHERE status STARTS WITH 'Blocked' RETURN count(*) AS n", {}, 'READ');
        return toNum(r.records[0]?.get('n')) > 0;
      });
      await tx.commit();
      const s = await ingest;
      expect(s.files.map((f) => f.status)).toEqual(['ok']);
      expect(s.ledgerWritten).toBe(true);
    } finally {
      await other.close();
    }
    expect(await one(client, "MATCH (p:PromptFingerprint {id: 'fp_race_1'}) RETURN count(p)")).toEqual(neo4j.int(1));
    // The node is the other writer's, merged with the row's kind; each relationship written once.
    expect(await one(client, "MATCH (p:PromptFingerprint {id: 'fp_race_1'}) RETURN p.kind")).toBe('minhash');
    const sent = await client.query(
      'MATCH (a:Account)-[x:SENT]->(p:PromptFingerprint) RETURN a.id AS a, p.id AS p, x.count AS n, x.observations AS o ORDER BY a',
      {},
      'READ',
    );
    expect(sent.records.map((r) => [r.get('a'), r.get('p'), toNum(r.get('n')), toNum(r.get('o'))])).toEqual([
      ['acct_race_1', 'fp_race_1', 3, 1],
      ['acct_race_2', 'fp_race_2', 4, 1],
    ]);
  });

  it('resumes a file whose batches were partly committed without adding any count twice', async () => {
    client = await freshNeo4j();
    const dir = copyDrop('basic-csv');
    const drop = await openDrop(dir);
    // A job that ingested one file and then "crashed" before the ledger.
    const first = await ingestFile(client, drop, 'prompt_fingerprints.csv', OPTS);
    expect(first.batchesSkipped).toBe(0);
    const s = await ingestDrop(client, dir, OPTS);
    const pf = s.files.find((f) => f.file === 'prompt_fingerprints.csv')!;
    expect(pf.batches).toBe(2);
    expect(pf.batchesSkipped).toBe(2);
    expect(toNum(await one(client, 'MATCH (:Account {id: "A1"})-[x:SENT]->() RETURN x.count'))).toBe(10);
    // A resume with another batch size would cut different batches: refused.
    await expect(ingestFile(client, drop, 'prompt_fingerprints.csv', { ...OPTS, batchSize: 3 })).rejects.toBeInstanceOf(RingscopeError);
    // The ledger is only written once.
    expect(await finalizeDrop(client, drop, s.files)).toBe(false);
  });

  it('resumes an activity file only with the buffer its committed batches were cut with', async () => {
    client = await freshNeo4j();
    const dir = copyDrop('basic-csv');
    const drop = await openDrop(dir);
    const opts = { ...OPTS, activityBufferRows: 2 };
    await ingestFile(client, drop, 'activity.csv', opts);
    const before = await snapshot(client);
    // Another buffer would group rows into other batches, so the ledger could not tell which were in.
    await expect(ingestFile(client, drop, 'activity.csv', { ...OPTS, activityBufferRows: 3 })).rejects.toBeInstanceOf(RingscopeError);
    const again = await ingestFile(client, drop, 'activity.csv', opts);
    expect(again.batchesSkipped).toBe(again.batches);
    expect(await snapshot(client)).toEqual(before);
  });

  it('writes rejects as file:line:field and loads the valid rows', async () => {
    client = await freshNeo4j();
    const T = '2026-01-05T00:00:00Z';
    const good = Array.from({ length: 150 }, (_, i) => `acc${i},fp${i % 7},${T},${T},1`);
    good.splice(100, 0, `accX,fpX,${T},not-a-time,1`);
    const dir = writeDrop({ 'prompt_fingerprints.csv': ['account_id,fingerprint,first_seen,last_seen,count', ...good].join('\n') + '\n' });
    const s = await ingestDrop(client, dir, { ...OPTS, batchSize: 40, dropId: 'rejects-test' });
    const f = s.files[0]!;
    expect(f).toMatchObject({ status: 'ok', rows: 150, rejects: 1 });
    expect(fs.readFileSync(f.rejectsPath, 'utf8')).toBe('prompt_fingerprints.csv:102:last_seen: not an ISO-8601 timestamp with a zone\n');
    expect(f.rejectsPath).toBe(path.join(OPTS.stateDir!, 'rejects', 'rejects-test', 'prompt_fingerprints.csv.rejects.txt'));
    expect(toNum(await one(client, 'MATCH (:Account)-[x:SENT]->() RETURN count(x)'))).toBe(150);
    expect(toNum(await one(client, 'MATCH (a:Account {id: "accX"}) RETURN count(a)'))).toBe(0);
  });

  it('leaves the database unchanged when a file fails its reject ratio', async () => {
    client = await freshNeo4j();
    await ingestDrop(client, copyDrop('basic-csv'), OPTS);
    const before = await snapshot(client);
    const T = '2026-01-05T00:00:00Z';
    const rows = Array.from({ length: 50 }, (_, i) => `A1,new-card-${i},${T},${T}`);
    rows.push(`A1,bad-card,${T}Z,${T}`);
    const dir = writeDrop({ 'payment_methods.csv': ['account_id,payment_fingerprint,first_seen,last_seen', ...rows].join('\n') + '\n' });
    const s = await ingestDrop(client, dir, OPTS);
    expect(s.files[0]!.status).toBe('failed');
    expect(s.files[0]!.error).toBeInstanceOf(InvalidFileError);
    expect(s.ledgerWritten).toBe(false);
    expect(await snapshot(client)).toEqual(before);
    // The same file passes under a looser policy.
    const ok = await ingestDrop(client, dir, { ...OPTS, maxRejectRatio: 0.05 });
    expect(ok.files[0]).toMatchObject({ status: 'ok', rows: 50, rejects: 1 });
  });

  it('stores hostile identifiers verbatim and executes nothing', async () => {
    client = await freshNeo4j();
    const hostile = [
      `'}) DETACH DELETE n //`,
      `"}) MATCH (n) DETACH DELETE n RETURN 1 //`,
      'a`b`) DETACH DELETE n //',
      '$param',
      '{id: $rows}',
      '\\u0041\\u0027',
      `quote " and ' and \\`,
      'ünï𝔠ødé 账户 🙂',
      'CALL db.clearQueryCaches()',
    ];
    const T = '2026-01-05T00:00:00Z';
    const csvCell = (s: string): string => `"${s.replace(/"/g, '""')}"`;
    const dir = writeDrop({
      'accounts.csv': ['account_id,created_at,plan', ...hostile.map((h) => `${csvCell(h)},${T},${csvCell(h)}`)].join('\r\n') + '\r\n',
      'prompt_fingerprints.ndjson': hostile.map((h) => JSON.stringify({ account_id: h, fingerprint: h, first_seen: T, last_seen: T })).join('\n') + '\n',
    });
    const s = await ingestDrop(client, dir, OPTS);
    expect(s.files.map((f) => [f.status, f.rows, f.rejects])).toEqual([
      ['ok', hostile.length, 0],
      ['ok', hostile.length, 0],
    ]);
    const ids = await one<string[]>(client, 'MATCH (a:Account) RETURN collect(a.id)');
    expect([...ids].sort()).toEqual([...hostile].sort());
    const plans = await one<string[]>(client, 'MATCH (a:Account) RETURN collect(a.plan)');
    expect([...plans].sort()).toEqual([...hostile].sort());
    const fps = await one<string[]>(client, 'MATCH (p:PromptFingerprint) RETURN collect(p.id)');
    expect([...fps].sort()).toEqual([...hostile].sort());
    expect(toNum(await one(client, 'MATCH (a:Account)-[x:SENT]->(p) WHERE a.id = p.id RETURN count(x)'))).toBe(hostile.length);
  });

  it('refuses a file name with a path in the per-file API', async () => {
    const drop = await openDrop(copyDrop('basic-csv'));
    for (const bad of ['../basic-csv/accounts.csv', '/etc/passwd', '..', 'accounts.csv\0', 'missing.csv']) {
      await expect(ingestFile(client, drop, bad, OPTS)).rejects.toBeInstanceOf(InvalidDropError);
    }
  });
});
