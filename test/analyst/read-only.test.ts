import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Neo4jClient } from '../../src/db/index.js';
import { runReadOnly } from '../../src/analyst/index.js';
import { AdminCommandRefusedError, InvalidParameterError, QueryError, QueryTimeoutError, WriteRefusedError } from '../../src/util/errors.js';
import { cli } from '../helpers/cli.js';
import { freshNeo4j } from '../helpers/services.js';
import { seedTwoRuns } from '../helpers/seed-run.js';

let client: Neo4jClient;
beforeAll(async () => {
  client = await freshNeo4j();
  await seedTwoRuns(client);
});
afterAll(async () => {
  await client?.close();
});

/** Counts, labels, a property digest and the schema: anything a write could change. */
async function fingerprint(): Promise<string> {
  const r = await client.query(
    `MATCH (n) WITH count(n) AS nodes, collect(DISTINCT labels(n)) AS labels,
       sum(size(keys(n))) AS props, collect(coalesce(n.id, n.address, n.cidr, n.uid, n.sha256)) AS keys
     CALL () { MATCH ()-[r]->() RETURN count(r) AS rels, sum(size(keys(r))) AS relProps }
     RETURN nodes, labels, props, rels, relProps, keys`,
  );
  const idx = await client.query('SHOW INDEXES YIELD name RETURN collect(name) AS indexes');
  const rec = r.records[0]!;
  return JSON.stringify([
    ...rec.keys.map((k) => {
      const v = rec.get(k);
      return Array.isArray(v) ? [...v].map(String).sort() : String(v);
    }),
    [...(idx.records[0]!.get('indexes') as string[])].sort(),
  ]);
}

describe('read-only analyst runner', () => {
  it('runs ad-hoc reads with parameters', async () => {
    const r = await runReadOnly(client, 'MATCH (a:Account) WHERE a.id STARTS WITH $p RETURN a.id AS id ORDER BY id', { p: 'a0' });
    expect(r.columns).toEqual(['id']);
    expect(r.rows.map((x) => x.id)).toEqual(['a01', 'a02', 'a03', 'a04', 'a05']);
    const lit = await runReadOnly(client, "RETURN 'LOAD CSV and CREATE are just words here' AS s // CREATE (x)");
    expect(lit.rows[0]!.s).toMatch(/^LOAD CSV/);
    const capped = await runReadOnly(client, 'UNWIND range(1, 10) AS i RETURN i', {}, { maxRows: 3 });
    expect(capped).toMatchObject({ rows: [{ i: 1 }, { i: 2 }, { i: 3 }], truncated: true, limit: 3 });
    expect(await runReadOnly(client, 'UNWIND range(1, 3) AS i RETURN i', {}, { maxRows: 3 })).toMatchObject({ truncated: false, limit: 3 });
    const words = await runReadOnly(client, "MATCH (a:Account) WHERE a.id <> 'TERMINATE TRANSACTIONS' AND a.plan <> 'GRANT' RETURN count(a) AS n");
    expect(words.rows[0]!.n).toBeGreaterThan(0);
  });

  it.each([
    'SHOW INDEXES',
    'SHOW CONSTRAINTS YIELD name RETURN name',
    "SHOW PROCEDURES YIELD name WHERE name STARTS WITH 'db.' RETURN name",
    'SHOW FUNCTIONS YIELD name RETURN count(name) AS n',
    'CALL db.labels() YIELD label RETURN label',
    'CALL db.schema.visualization()',
    'MATCH (a:Account) CALL (a) { RETURN a.id AS id } RETURN id LIMIT 1',
  ])('runs the read %s', async (cypher) => {
    const r = await runReadOnly(client, cypher);
    expect(r.rows.length).toBeGreaterThan(0);
  });

  // Issue #22 defect 2: admin commands are not reads. TERMINATE TRANSACTIONS and SHOW TRANSACTIONS
  // plan as reads ('r'), STOP DATABASE and GRANT cannot even be EXPLAINed on Community: refused by words.
  const TERMINATE =
    "SHOW TRANSACTIONS YIELD transactionId AS t, currentQuery AS q WHERE NOT q STARTS WITH 'SHOW' AND q <> '' " +
    'TERMINATE TRANSACTIONS t YIELD transactionId, message RETURN transactionId, message';
  const admin = [
    TERMINATE,
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    'SHOW TRANSACTIONS',
    'show transactions yield transactionId terminate transactions transactionId',
    'SHOW SETTINGS',
    'SHOW USERS',
    'SHOW CURRENT USER',
    'SHOW DATABASES',
    'SHOW INDEXES YIELD name SHOW TRANSACTIONS',
    'STOP DATABASE neo4j',
    'START DATABASE neo4j',
    'CREATE DATABASE intruder',
    'DROP DATABASE neo4j',
    'ALTER DATABASE neo4j SET ACCESS READ ONLY',
    "CREATE USER intruder SET PASSWORD 'secret-secret' CHANGE NOT REQUIRED",
    "ALTER USER neo4j SET PASSWORD 'hijacked-password'",
    'CREATE ROLE intruder',
    'GRANT ROLE admin TO neo4j',
    'DENY READ {*} ON GRAPH * TO PUBLIC',
    'REVOKE ROLE admin FROM neo4j',
    'CREATE ALIAS intruder FOR DATABASE neo4j',
    'USE system MATCH (n) RETURN n',
    'CALL db.clearQueryCaches()',
    'CALL dbms.listConfig()',
    'CALL db.awaitIndexes(1)',
    'CALL db.prepareForReplanning()',
    "CALL db.stats.collect('QUERIES')",
    'CALL tx.setMetaData({a: 1})',
    'MATCH (a:Account) WITH a LIMIT 1 CALL db.awaitIndexes(1) RETURN a.id',
    'CALL `db`.`clearQueryCaches`()',
    'EXPLAIN MATCH (n) RETURN n',
    'CYPHER runtime=slotted MATCH (n) RETURN n',
  ];

  it.each(admin)('refuses the admin command %s with AdminCommandRefusedError, nothing run', async (cypher) => {
    const before = await fingerprint();
    await expect(runReadOnly(client, cypher)).rejects.toBeInstanceOf(AdminCommandRefusedError);
    expect(await fingerprint()).toBe(before);
  });

  it('procedures this server does not have (dbms.killQuery, dbms.setConfigValue) fail as QueryError, not run', async () => {
    await expect(runReadOnly(client, "CALL dbms.killQuery('query-1')")).rejects.toBeInstanceOf(QueryError);
    await expect(runReadOnly(client, "CALL dbms.setConfigValue('db.logs.query.enabled', 'OFF')")).rejects.toBeInstanceOf(QueryError);
    await expect(runReadOnly(client, 'MATCH (n RETURN n')).rejects.toBeInstanceOf(QueryError);
  });

  it('TERMINATE TRANSACTIONS from the runner leaves a live write transaction alive', async () => {
    const s = client.session('WRITE');
    const tx = s.beginTransaction();
    try {
      await tx.run("MATCH (a:Account {id: 'a01'}) SET a.touchedBy = 'live-ingest'");
      await expect(runReadOnly(client, TERMINATE)).rejects.toBeInstanceOf(AdminCommandRefusedError);
      await tx.run("MATCH (a:Account {id: 'a01'}) REMOVE a.touchedBy");
      await tx.commit();
    } finally {
      await s.close();
    }
  });

  const writes = [
    "CREATE (:Account {id: 'intruder'})",
    "MERGE (a:Account {id: 'intruder'}) RETURN a",
    "MATCH (a:Account {id: 'a01'}) SET a.plan = 'hacked'",
    "MATCH (a:Account {id: 'a01'}) REMOVE a.plan",
    "MATCH (a:Account {id: 'x06'}) DETACH DELETE a",
    "MATCH (a:Account {id: 'a01'}) RETURN a UNION MATCH (b:Account {id: 'a02'}) DELETE b RETURN b AS a",
    'CREATE INDEX intruder_idx IF NOT EXISTS FOR (a:Account) ON (a.plan)',
    "LOAD CSV FROM 'file:///accounts.csv' AS row CREATE (:Account {id: row[0]})",
    "load\ncsv with headers from 'https://example.invalid/x.csv' AS row RETURN row",
    'MATCH (a:Account) CALL (a) { SET a.flag = true } IN TRANSACTIONS OF 10 ROWS',
    "CALL db.createLabel('Intruder')",
  ];

  it.each(writes)('refuses %s with WriteRefusedError and leaves the database unchanged', async (cypher) => {
    const before = await fingerprint();
    await expect(runReadOnly(client, cypher)).rejects.toBeInstanceOf(WriteRefusedError);
    expect(await fingerprint()).toBe(before);
  });

  it('an expensive read is stopped by the server-side timeout (QueryTimeoutError)', async () => {
    const slow = 'UNWIND range(1, 1000000000) AS i WITH i WHERE i = -1 RETURN count(i) AS n';
    await expect(runReadOnly(client, slow, {}, { timeoutMs: 300 })).rejects.toBeInstanceOf(QueryTimeoutError);
  });

  it('refuses a --limit outside 1..1000000', async () => {
    for (const maxRows of [0, -1, 1.5, 1_000_001]) {
      await expect(runReadOnly(client, 'RETURN 1', {}, { maxRows })).rejects.toBeInstanceOf(InvalidParameterError);
    }
  });

  it('the same statements do change the database through a write session (the check is not vacuous)', async () => {
    const before = await fingerprint();
    await client.query("MATCH (a:Account {id: 'a01'}) SET a.plan = 'enterprise'");
    expect(await fingerprint()).toBe(before); // same property set: the digest ignores values...
    await client.query("CREATE (:Account {id: 'intruder'})");
    expect(await fingerprint()).not.toBe(before); // ...but not a new node
  });
});

describe('ringscope query row cap', () => {
  // Issue #22 defect 4: the cap was silent and all 10M records were read before the slice (3.2 GB RSS).
  const BIG = 'UNWIND range(1, 10000000) AS i RETURN i';
  const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    cli(['query', ...args], { LOG_LEVEL: 'debug' }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  const maxRssMiB = (stderr: string): number => Number(/debug: maxRSS (\d+) KiB/.exec(stderr)![1]) / 1024;
  const NOTICE = /^notice: stopped at the row cap of 10000 rows; more rows exist/m;

  it.each(['table', 'csv', 'json'])('stops a 10M-row result at the cap with a notice and bounded memory (%s)', async (format) => {
    const r = await run(['--cypher', BIG, '--format', format]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(NOTICE);
    expect(maxRssMiB(r.stderr)).toBeLessThan(500);
    if (format === 'json') {
      const doc = JSON.parse(r.stdout) as { rows: Array<{ i: number }>; truncated: boolean; limit: number };
      expect(doc).toMatchObject({ truncated: true, limit: 10000 });
      expect(doc.rows).toHaveLength(10000);
      expect(doc.rows.at(-1)).toEqual({ i: 10000 });
    } else if (format === 'csv') {
      const lines = r.stdout.trimEnd().split('\r\n');
      expect(lines).toHaveLength(10001);
      expect(lines.at(-1)).toBe('10000');
    } else {
      expect(r.stdout).toMatch(/\(10000 rows, stopped at the row cap of 10000: more rows exist\)\n$/);
    }
  });

  it('--limit sets the cap; a bad value is a one-line InvalidParameterError', async () => {
    const r = await run(['--cypher', BIG, '--format', 'json', '--limit', '7']);
    expect(JSON.parse(r.stdout)).toMatchObject({ truncated: true, limit: 7, rows: [{ i: 1 }, { i: 2 }, { i: 3 }, { i: 4 }, { i: 5 }, { i: 6 }, { i: 7 }] });
    const all = await run(['--cypher', 'UNWIND range(1, 7) AS i RETURN i', '--format', 'csv', '--limit', '7']);
    expect(all.stderr).not.toMatch(/notice:/);
    for (const bad of ['0', '-3', '1.5', 'ten', '1000001']) {
      const b = await run(['--cypher', 'RETURN 1', '--limit', bad]);
      expect(b.code).not.toBe(0);
      expect(b.stdout).toBe('');
      expect(b.stderr.trim().split('\n')).toHaveLength(1);
      expect(b.stderr).toMatch(/InvalidParameterError: --limit: /);
    }
  });
});
