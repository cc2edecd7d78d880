import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Neo4jClient } from '../../src/db/index.js';
import { runReadOnly } from '../../src/analyst/index.js';
import { WriteRefusedError } from '../../src/util/errors.js';
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
    expect(capped).toMatchObject({ rows: [{ i: 1 }, { i: 2 }, { i: 3 }], dropped: 7 });
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
    "MATCH (a:Account) CALL (a) { SET a.flag = true } IN TRANSACTIONS OF 10 ROWS",
    "CALL db.createLabel('Intruder')",
  ];

  it.each(writes)('refuses %s with WriteRefusedError and leaves the database unchanged', async (cypher) => {
    const before = await fingerprint();
    await expect(runReadOnly(client, cypher)).rejects.toBeInstanceOf(WriteRefusedError);
    expect(await fingerprint()).toBe(before);
  });

  it('the same statements do change the database through a write session (the check is not vacuous)', async () => {
    const before = await fingerprint();
    await client.query("MATCH (a:Account {id: 'a01'}) SET a.plan = 'enterprise'");
    expect(await fingerprint()).toBe(before); // same property set: the digest ignores values...
    await client.query("CREATE (:Account {id: 'intruder'})");
    expect(await fingerprint()).not.toBe(before); // ...but not a new node
  });
});
