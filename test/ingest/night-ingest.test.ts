import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toNum, type Neo4jClient } from '../../src/db/index.js';
import { generate, generateNight } from '../../src/generator/index.js';
import { cli } from '../helpers/cli.js';
import { freshNeo4j } from '../helpers/services.js';
import { readCsv } from '../generator/drop-reader.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-night-ingest-'));

let client: Neo4jClient;
beforeAll(async () => {
  client = await freshNeo4j();
});
afterAll(async () => {
  await client?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('generated nights through ringscope ingest', () => {
  it('night 1 and night 2 ingest cleanly as two drops; the graph holds the world after night 2', async () => {
    const n1 = path.join(tmp, 'n1');
    const n2 = path.join(tmp, 'n2');
    await generate({ scenario: 'mixed', accounts: 1500, seed: 9, out: n1 });
    const night = await generateNight({ from: n1, out: n2, touchShare: 0.05 });
    const env = { RINGSCOPE_STATE_DIR: path.join(tmp, 'state') };
    const first = await cli(['ingest', path.join(n1, 'drop')], env);
    const second = await cli(['ingest', night.dropDir], env);
    for (const out of [first.stdout, second.stdout]) expect(out).toMatch(/total +ledger written +\d+ +0 /);

    const ledger = await client.query('MATCH (d:Drop) RETURN d.id AS id, d.rows AS rows, d.rejects AS rejects ORDER BY d.ingestedAt', {}, 'READ');
    expect(ledger.records.map((r) => r.get('id') as string)).toEqual(['drop', 'drop-day-2']);
    expect(ledger.records.map((r) => toNum(r.get('rejects')))).toEqual([0, 0]);
    const nightRows = Object.entries(night.rows)
      .filter(([f]) => f !== 'truth')
      .reduce((s, [, n]) => s + n, 0);
    expect(toNum(ledger.records[1]!.get('rows'))).toBe(nightRows);

    // Every account of the world after night 2 is in the graph, and only those.
    const truth = readCsv(night.truthFile);
    const accounts = await client.query('MATCH (a:Account) RETURN count(a) AS n', {}, 'READ');
    expect(toNum(accounts.records[0]!.get('n'))).toBe(truth.length);
    // A respawned account shares an identifier with the ring member it replaced.
    const respawn = readCsv(night.nightFile).filter((r) => r.event === 'respawn' || r.event === 'grow');
    expect(respawn.length).toBeGreaterThan(0);
    const linked = await client.query(
      'UNWIND $ids AS id MATCH (a:Account {id: id})-->(x)<--(b:Account) WHERE b <> a RETURN count(DISTINCT a) AS n',
      { ids: respawn.map((r) => r.account_id) },
      'READ',
    );
    expect(toNum(linked.records[0]!.get('n'))).toBe(respawn.length);
    // Re-ingesting night 2 is a no-op (same drop id, same content).
    expect((await cli(['ingest', night.dropDir], env)).stdout).toMatch(/already ingested/);
  });
});
