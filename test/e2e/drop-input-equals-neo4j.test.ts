import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLinkageInput } from '../../src/db/linkage-source.js';
import { generate } from '../../src/generator/index.js';
import { ingestDrop, readDropAsLinkageInput } from '../../src/loaders/index.js';
import { canonical } from '../helpers/canonical-input.js';
import { freshNeo4j } from '../helpers/services.js';

/**
 * The robustness and quality benchmarks run detection in-process on the LinkageInput that
 * readDropAsLinkageInput builds from a drop. This checks that it is the input the user path builds:
 * ingest into Neo4j, then readLinkageInput. Same input, so the same pure detection.
 */
describe('drop reader and the Neo4j path give the same detection input', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-same-input-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('on a generated world with every ring type, bystanders and mid-sized exits', async () => {
    const g = await generate({
      scenario: 'worlds',
      accounts: 1500,
      seed: 21,
      out: dir,
      world: { hubExitUsers: [20, 80], proxyHomeShare: 0.3, creation: 'steady' },
    });
    const fromDrop = await readDropAsLinkageInput(g.dropDir);
    const client = await freshNeo4j();
    try {
      const ing = await ingestDrop(client, g.dropDir, { stateDir: path.join(dir, 'state') });
      expect(ing.files.every((f) => f.status === 'ok')).toBe(true);
      const fromNeo4j = await readLinkageInput(client, { pageSize: 400 });
      expect(fromNeo4j.accounts.size).toBe(1500);
      expect(canonical(fromNeo4j)).toEqual(canonical(fromDrop));
    } finally {
      await client.close();
    }
  });
});
