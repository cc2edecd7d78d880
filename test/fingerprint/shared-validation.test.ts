import { Readable, PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fingerprintLog } from '../../src/fingerprint/index.js';
import { validateRow } from '../../src/loaders/index.js';

/**
 * `ringscope fingerprint` writes drop files that ingest reads, so it must refuse what ingest
 * refuses, by the same rules (src/loaders/timestamp.ts, src/loaders/row-schemas.ts `textProblem`).
 */
async function run(lines: unknown[]): Promise<{ summary: Awaited<ReturnType<typeof fingerprintLog>>; csv: string }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const input = Readable.from([lines.map((l) => JSON.stringify(l)).join('\n') + '\n']);
  const summary = await fingerprintLog(input, out, { maxRejectRatio: 1 });
  return { summary, csv: Buffer.concat(chunks).toString('utf8') };
}

describe('fingerprint and ingest share one validator', () => {
  it('refuses an impossible date that Date.parse would roll over (Feb 30 → Mar 2)', async () => {
    const { summary, csv } = await run([
      { account_id: 'a1', ts: '2026-02-30T00:00:00Z', prompt: 'Write a parser for this log format' },
      { account_id: 'a2', ts: '2026-02-28T00:00:00Z', prompt: 'Write a parser for this log format' },
    ]);
    expect(summary.rejects).toBe(1);
    expect(summary.firstRejects[0]).toMatchObject({ line: 1, field: 'ts', reason: 'impossible date or time' });
    expect(csv).not.toContain('2026-03-02');
    expect(csv).not.toMatch(/^a1,/m);
  });

  it('refuses C1 control characters in account ids, as the loader does', async () => {
    const { summary } = await run([{ account_id: 'a\u0085b', ts: '2026-02-01T00:00:00Z', prompt: 'hello there' }]);
    expect(summary.rejects).toBe(1);
    expect(summary.firstRejects[0]).toMatchObject({ field: 'account_id', reason: 'contains control characters' });
  });

  it('refuses epoch milliseconds outside the loaders range', async () => {
    const { summary } = await run([{ account_id: 'a1', ts: 5, prompt: 'hello there' }]);
    expect(summary.firstRejects[0]).toMatchObject({ field: 'ts' });
  });

  it('every row it writes passes the loader row schema', async () => {
    const { csv } = await run([
      { account_id: 'a1', ts: '2026-02-01T10:00:00+02:00', prompt: 'Refactor this function to be async' },
      { account_id: 'a2', ts: 1769940000000, prompt: 'Refactor this function to be async', system: 'You are a coder' },
    ]);
    const [header, ...rows] = csv.trim().split('\n');
    const cols = header!.split(',');
    expect(rows.length).toBeGreaterThan(0);
    for (const line of rows) {
      const rec = Object.fromEntries(line.split(',').map((v, i) => [cols[i]!, v]));
      const r = validateRow('prompt_fingerprints', rec);
      expect(r.ok, JSON.stringify(r)).toBe(true);
    }
  });
});
