import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasIngestProcedure, type Neo4jClient } from '../../src/db/index.js';
import { generate, generateNight } from '../../src/generator/index.js';
import { ingestDrop, CYPHER_FALLBACK_WARNING, type IngestOptions } from '../../src/loaders/index.js';
import { freshNeo4j } from '../helpers/services.js';
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
