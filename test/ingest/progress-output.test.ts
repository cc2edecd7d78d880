import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Neo4jClient } from '../../src/db/index.js';
import { cli } from '../helpers/cli.js';
import { freshNeo4j } from '../helpers/services.js';

/**
 * Issue #19 item 4: `ringscope ingest` with stderr redirected to a file (not a TTY) writes its
 * progress as whole lines, a few per stage, not `\r` updates on one endless line.
 */
describe('ingest progress when stderr is not a terminal', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-progress-'));
  let client: Neo4jClient;
  beforeAll(async () => {
    client = await freshNeo4j();
    const drop = path.join(dir, 'drop');
    fs.mkdirSync(drop);
    const rows = ['account_id,payment_fingerprint,first_seen,last_seen'];
    for (let i = 0; i < 10_000; i++) rows.push(`acc-${i},card-${i % 2_500},2026-01-05T00:00:00Z,2026-01-06T00:00:00Z`);
    fs.writeFileSync(path.join(drop, 'payment_methods.csv'), rows.join('\n') + '\n');
  });
  afterAll(async () => {
    await client?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints newline-terminated lines, bounded by stages and elapsed time', async () => {
    const t0 = Date.now();
    // Batches of 100 rows: 100 write-progress updates for the 10,000-row file.
    // stderr is a pipe here, as when a nightly job redirects it to a file.
    const { stdout, stderr } = await cli(['ingest', path.join(dir, 'drop'), '--batch-size', '100', '--drop-id', 'progress-10k'], {
      RINGSCOPE_STATE_DIR: path.join(dir, 'state'),
    });
    const seconds = (Date.now() - t0) / 1000;
    expect(stdout).toMatch(/payment_methods\.csv\s+ok\s+10000\s+0\s+100/);
    expect(stderr).not.toContain('\r');
    expect(stderr.endsWith('\n')).toBe(true);
    const lines = stderr.split('\n').slice(0, -1);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    // Two stages (validate, write) of one file, plus one line per 10 s at most.
    expect(lines.length).toBeLessThanOrEqual(2 + Math.ceil(seconds / 10));
    for (const l of lines) expect(l).toMatch(/^payment_methods\.csv (validate|write): [\d,]+ rows, 0 rejects, [\d,]+ rows\/s$/);
  });
});
