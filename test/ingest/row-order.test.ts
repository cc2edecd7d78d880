import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Neo4jClient } from '../../src/db/index.js';
import { generate } from '../../src/generator/index.js';
import { ingestDrop, type IngestOptions } from '../../src/loaders/index.js';
import { freshNeo4j } from '../helpers/services.js';
import { snapshot } from './graph-snapshot.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-row-order-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The same drop with every file's lines stably sorted by account id (the first column). */
function groupedCopy(dropDir: string): string {
  const out = path.join(tmp, 'grouped');
  fs.mkdirSync(out, { recursive: true });
  for (const f of fs.readdirSync(dropDir)) {
    const [header, ...lines] = fs.readFileSync(path.join(dropDir, f), 'utf8').trimEnd().split('\n');
    const acct = (l: string): string => l.slice(0, l.indexOf(','));
    const sorted = lines.map((l, i) => ({ l, i, a: acct(l) })).sort((x, y) => (x.a < y.a ? -1 : x.a > y.a ? 1 : x.i - y.i));
    fs.writeFileSync(path.join(out, f), [header, ...sorted.map((x) => x.l)].join('\n') + '\n');
  }
  return out;
}

/** How spread one account's rows are: share of consecutive row pairs that belong to the same account. */
function sameAccountNeighbours(file: string): number {
  const accts = fs
    .readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => l.slice(0, l.indexOf(',')));
  let same = 0;
  for (let i = 1; i < accts.length; i++) if (accts[i] === accts[i - 1]) same++;
  return same / (accts.length - 1);
}

async function ingestedSnapshot(dropDir: string, opts: IngestOptions): Promise<Awaited<ReturnType<typeof snapshot>>> {
  const client: Neo4jClient = await freshNeo4j();
  try {
    const s = await ingestDrop(client, dropDir, { stateDir: path.join(tmp, 'state'), ...opts });
    expect(s.files.every((f) => f.status === 'ok')).toBe(true);
    expect(s.ledgerWritten).toBe(true);
    return await snapshot(client, true);
  } finally {
    await client.close();
  }
}

describe('ingest is independent of row order', () => {
  it('writes the same graph from exporter-order rows as from the same rows grouped by account', async () => {
    const gen = await generate({ scenario: 'mixed', accounts: 150, seed: 5, out: path.join(tmp, 'gen') });
    const exporter = gen.dropDir;
    const grouped = groupedCopy(exporter);
    // The generator writes exporter order: one account's rows are not next to each other.
    expect(sameAccountNeighbours(path.join(exporter, 'prompt_fingerprints.csv'))).toBeLessThan(0.05);
    expect(sameAccountNeighbours(path.join(grouped, 'prompt_fingerprints.csv'))).toBeGreaterThan(0.5);

    // Small batches, so accounts and shared identifiers span batches and both writers run at once;
    // a group buffer smaller than the files, so files are read twice and drained more than once;
    // and the default buffer, in which every file fits and is written from the validation pass.
    const small: IngestOptions = { batchSize: 211, writers: 2, groupBufferRows: 700, activityBufferRows: 900 };
    const reference = await ingestedSnapshot(grouped, { batchSize: 211, writers: 1 });
    expect(reference.nodes).toBeGreaterThan(500);
    expect(reference.rels).toBeGreaterThan(gen.rows.prompt_fingerprints!);
    for (const opts of [small, {}]) {
      expect(await ingestedSnapshot(exporter, opts)).toEqual(reference);
    }
    expect(await ingestedSnapshot(grouped, small)).toEqual(reference);
  }, 600_000);
});
