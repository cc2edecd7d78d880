import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasIngestProcedure, toNum, type Neo4jClient } from '../../src/db/index.js';
import { generate, generateNight } from '../../src/generator/index.js';
import { ingestDrop, CYPHER_FALLBACK_WARNING, type IngestOptions } from '../../src/loaders/index.js';
import { freshNeo4j } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';
import { snapshot, type GraphSnapshot } from './graph-snapshot.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-write-path-'));
let day1: string;
let day2: string;

beforeAll(async () => {
  day1 = (await generate({ scenario: 'mixed', accounts: 300, seed: 11, out: path.join(tmp, 'n1') })).dropDir;
  // The next night re-observes old accounts and identifiers: every merge rule (firstSeen min,
  // lastSeen max, sums, markers, coalesced properties, activity lists) meets stored values.
  day2 = (await generateNight({ from: path.join(tmp, 'n1'), out: path.join(tmp, 'n2'), touchShare: 0.3 })).dropDir;
}, 120_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Both nights into an emptied store, then the graph (the ledger included: batch markers and drops). */
async function twoNights(opts: IngestOptions): Promise<{ graph: GraphSnapshot; warnings: string[] }> {
  const client: Neo4jClient = await freshNeo4j();
  try {
    const warnings: string[] = [];
    for (const dir of [day1, day2]) {
      const s = await ingestDrop(client, dir, { stateDir: path.join(tmp, 'state'), ...opts });
      expect(s.files.every((f) => f.status === 'ok')).toBe(true);
      expect(s.ledgerWritten).toBe(true);
      warnings.push(...s.warnings);
    }
    return { graph: await snapshot(client, true), warnings };
  } finally {
    await client.close();
  }
}

describe('the ingest procedure and the Cypher write path', () => {
  it('the local services have the procedure', async () => {
    const client = await freshNeo4j();
    try {
      expect(await hasIngestProcedure(client)).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('write the same graph over two nights, with one writer or two and batches that split accounts and keys', async () => {
    const cypher = await twoNights({ writePath: 'cypher', batchSize: 97, writers: 2 });
    expect(cypher.graph.rels).toBeGreaterThan(5_000);
    expect(cypher.warnings).not.toContain(CYPHER_FALLBACK_WARNING);
    for (const opts of [
      { writePath: 'procedure', batchSize: 97, writers: 2 },
      { writePath: 'procedure', batchSize: 97, writers: 1, groupBufferRows: 400, activityBufferRows: 500 },
      {},
    ] satisfies IngestOptions[]) {
      const got = await twoNights(opts);
      expect(got.graph).toEqual(cypher.graph);
      expect(got.warnings).not.toContain(CYPHER_FALLBACK_WARNING);
    }
  }, 600_000);

  it('re-ingesting a drop through the procedure adds nothing', async () => {
    const client = await freshNeo4j();
    try {
      const opts: IngestOptions = { stateDir: path.join(tmp, 'state'), writePath: 'procedure', batchSize: 150 };
      await ingestDrop(client, day1, opts);
      const once = await snapshot(client, true);
      // Under another drop id the ledger does not short-cut it: every batch marker is found committed.
      const again = await ingestDrop(client, day1, { ...opts, dropId: 'again' });
      expect(again.files.every((f) => f.batchesSkipped === f.batches)).toBe(true);
      expect(await snapshot(client, true)).toEqual(once);
    } finally {
      await client.close();
    }
  }, 300_000);
});

describe('the ingest procedure under a concurrent writer', () => {
  it('adds to a relationship another open transaction is creating, instead of creating a second one', async () => {
    const client = await freshNeo4j();
    const dir = path.join(tmp, 'race');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'prompt_fingerprints.csv'),
      'account_id,fingerprint,first_seen,last_seen,count,kind\nacct_race,fp_race,2026-01-01T00:00:00Z,2026-01-02T00:00:00Z,3,minhash\n',
    );
    const other = client.session('WRITE');
    try {
      await client.query("CREATE (:Account {id: 'acct_race'}), (:PromptFingerprint {id: 'fp_race', kind: 'minhash'})");
      // Another writer links the two and keeps its transaction open: the relationship is not visible
      // to ingest yet, and the account stays write-locked until that writer commits.
      const tx = other.beginTransaction();
      await tx.run(
        `MATCH (a:Account {id: 'acct_race'}), (p:PromptFingerprint {id: 'fp_race'})
         SET a._lock = true REMOVE a._lock
         CREATE (a)-[:SENT {count: 1, observations: 1, firstSeen: datetime('2026-01-05T00:00:00Z'), lastSeen: datetime('2026-01-05T00:00:00Z')}]->(p)`,
      );
      const ingest = ingestDrop(client, dir, { stateDir: path.join(tmp, 'state'), writePath: 'procedure', writers: 1 });
      await waitFor('the ingest transaction to block on the account', async () => {
        const r = await client.query("SHOW TRANSACTIONS YIELD status WHERE status STARTS WITH 'Blocked' RETURN count(*) AS n", {}, 'READ');
        return toNum(r.records[0]?.get('n')) > 0;
      }, 20_000);
      await tx.commit();
      expect((await ingest).ledgerWritten).toBe(true);
      const sent = await client.query(
        "MATCH (:Account {id: 'acct_race'})-[x:SENT]->(:PromptFingerprint {id: 'fp_race'}) RETURN x.count AS n, x.observations AS o, toString(x.firstSeen) AS fs",
        {},
        'READ',
      );
      expect(sent.records.map((r) => [toNum(r.get('n')), toNum(r.get('o')), r.get('fs')])).toEqual([[4, 2, '2026-01-01T00:00:00Z']]);
    } finally {
      await other.close();
      await client.close();
    }
  }, 120_000);
});
