import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Neo4jClient, type Neo4jClient as Client } from '../../src/db/index.js';
import { ensureSchema } from '../../src/db/schema.js';
import { generate } from '../../src/generator/index.js';
import { bulkLoad, ingestDrop, type BulkLoadOptions } from '../../src/loaders/index.js';
import { BulkImportError, InvalidFileError } from '../../src/util/errors.js';
import * as services from '../../scripts/services.mjs';
import { freshNeo4j, testConfig } from '../helpers/services.js';
import { snapshot } from './graph-snapshot.js';

/**
 * Bulk load (Neo4j's offline importer) must build exactly the store the transactional ingest
 * builds from the same drop: same nodes, relationships and typed properties (the evidence
 * checksum), with every duplicate merged the same way; and a later nightly drop must then merge
 * into it as it would into a transactionally loaded store. The bulk side runs on its own Neo4j
 * instance, stopped for each import as the importer requires.
 */
const INSTANCE = 'bulk-test';
const HOME = path.join(services.stateDir(INSTANCE), 'neo4j');
const DROPS = path.resolve(import.meta.dirname, '../fixtures/drops');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-bulk-'));
const OPTS = { stateDir: path.join(tmp, 'state'), neo4jHome: HOME, overwrite: true } satisfies BulkLoadOptions;

/** A drop of fixture files; `gz` names are gzipped copies, so a kind can come in two files. */
function drop(files: Array<{ from: string; file: string; gz?: boolean }>): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'drop-'));
  for (const f of files) {
    const data = fs.readFileSync(path.join(DROPS, f.from, f.file));
    fs.writeFileSync(path.join(dir, f.gz ? `${f.file}.gz` : f.file), f.gz ? zlib.gzipSync(data) : data);
  }
  return dir;
}

const BASIC = ['accounts.csv', 'payment_methods.csv', 'ip_addresses.csv', 'prompt_fingerprints.csv', 'activity.csv'];
const OVERLAP = ['payment_methods.csv', 'ip_addresses.csv', 'prompt_fingerprints.csv', 'activity.csv'];

let bulkClient: Client | undefined;

/** Stop the bulk instance, run `load` against its home, start it again and connect. */
async function withBulkInstance(load: () => Promise<unknown>): Promise<Client> {
  await bulkClient?.close();
  bulkClient = undefined;
  await services.down(INSTANCE);
  fs.mkdirSync(HOME, { recursive: true });
  let failure: unknown;
  try {
    await load();
  } catch (err) {
    failure = err;
  }
  const n = await services.restartNeo4j(INSTANCE);
  bulkClient = await Neo4jClient.connect(testConfig({ NEO4J_URI: n.uri, NEO4J_PASSWORD_FILE: n.passwordFile, NEO4J_PASSWORD: '' }));
  await ensureSchema(bulkClient);
  if (failure !== undefined) throw failure;
  return bulkClient;
}

let client: Client;
beforeAll(async () => {
  client = await freshNeo4j();
});
afterAll(async () => {
  await client?.close();
  await bulkClient?.close();
  await services.down(INSTANCE);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('bulk load', () => {
  it('merges duplicate rows across files exactly as the transactional ingest does, and a later drop merges in the same way', async () => {
    // Every evidence kind twice over (a CSV and a gzipped copy), plus overlapping observations.
    const first = drop([
      ...BASIC.map((file) => ({ from: 'basic-csv', file })),
      ...OVERLAP.map((file) => ({ from: 'overlap', file, gz: true })),
      { from: 'basic-csv', file: 'payment_methods.csv', gz: true },
    ]);
    const later = drop(OVERLAP.map((file) => ({ from: 'overlap', file })));

    const tx = await ingestDrop(client, first, OPTS);
    expect(tx.ledgerWritten).toBe(true);
    const expected = await snapshot(client, true);
    await ingestDrop(client, later, OPTS);
    const expectedAfter = await snapshot(client, true);

    let rows = 0;
    const bulk = await withBulkInstance(async () => {
      rows = (await bulkLoad(first, OPTS)).rows;
    });
    expect(rows).toBe(tx.rows);
    expect(await snapshot(bulk, true)).toEqual(expected);
    // The ledger came with the import: the same drop again is a no-op...
    const again = await ingestDrop(bulk, first, OPTS);
    expect(again.skippedAsDuplicate).toBe(true);
    // ...and the next nightly drop merges into the bulk-loaded store exactly as into the other.
    await ingestDrop(bulk, later, OPTS);
    expect(await snapshot(bulk, true)).toEqual(expectedAfter);
  });

  it('builds the same graph as the transactional ingest for a generated mixed scenario', async () => {
    const g = await generate({ scenario: 'mixed', accounts: 600, seed: 5, out: path.join(tmp, 'gen') });
    client = await freshNeo4j();
    await ingestDrop(client, g.dropDir, OPTS);
    const expected = await snapshot(client, true);
    expect(expected.rels).toBeGreaterThan(1000);
    const bulk = await withBulkInstance(() => bulkLoad(g.dropDir, OPTS));
    expect(await snapshot(bulk, true)).toEqual(expected);
  });

  it('imports nothing when a file is bad, and leaves the existing database as it was', async () => {
    // The store the previous test loaded (or a small one when run alone).
    const bulk = bulkClient ?? (await withBulkInstance(() => bulkLoad(drop(BASIC.map((file) => ({ from: 'basic-csv', file }))), OPTS)));
    const before = await snapshot(bulk);
    expect(before.nodes).toBeGreaterThan(0);
    const bad = drop(BASIC.map((file) => ({ from: 'basic-csv', file })));
    fs.appendFileSync(path.join(bad, 'activity.csv'), 'A1,not-a-time,3\n'.repeat(5));
    let error: unknown;
    const after = await withBulkInstance(() => bulkLoad(bad, OPTS)).catch(async (err: unknown) => {
      error = err;
      return bulkClient!;
    });
    expect(error).toBeInstanceOf(InvalidFileError);
    expect((error as InvalidFileError).file).toBe('activity.csv');
    expect((error as InvalidFileError).field).toBe('hour');
    expect(await snapshot(after)).toEqual(before);
  });

  it('refuses to import into a running database', async () => {
    if (!bulkClient) await withBulkInstance(() => Promise.resolve());
    await expect(bulkLoad(drop(BASIC.map((file) => ({ from: 'basic-csv', file }))), OPTS)).rejects.toBeInstanceOf(BulkImportError);
  });
});

describe('ringscope bulk-load', () => {
  const cli = (args: string[]) =>
    promisify(execFile)(process.execPath, ['bin/ringscope.mjs', ...args], {
      env: { ...process.env, LOG_LEVEL: 'silent', RINGSCOPE_STATE_DIR: path.join(tmp, 'cli-state') },
    });

  it('--files-only writes the importer files and prints the neo4j-admin arguments', async () => {
    const out = path.join(tmp, 'files-only');
    const r = await cli(['bulk-load', drop(BASIC.map((file) => ({ from: 'basic-csv', file }))), '--files-only', out]);
    expect(r.stdout).toMatch(/neo4j-admin database import full neo4j --overwrite-destination=false --id-type=integer/);
    const accounts = fs.readFileSync(path.join(out, 'nodes-Account.csv'), 'utf8').trim().split('\n');
    expect(accounts[0]).toMatch(/^:ID\(Account\),id,createdAt:datetime,/);
    expect(accounts.slice(1).map((l) => l.split(',')[1])).toEqual(expect.arrayContaining(['"A1"', '"A2"', '"A9"']));
    expect(fs.existsSync(path.join(out, 'relationships-SENT.csv'))).toBe(true);
  });

  it('exits non-zero without a Neo4j home or --files-only', async () => {
    await expect(cli(['bulk-load', path.join(DROPS, 'basic-csv')])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^ringscope: InvalidParameterError: --neo4j-home: is required/),
    });
  });
});
