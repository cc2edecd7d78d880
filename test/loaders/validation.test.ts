import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchParams, canonicalIp, openDrop, parseTimestamp, readDropAsLinkageInput, validateRow, type Row } from '../../src/loaders/index.js';
import { InvalidDropError } from '../../src/util/errors.js';
import { SeenKeys } from '../../src/loaders/seen-keys.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/drops');

describe('canonicalIp', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1', 4, '192.0.2.0/24'],
    ['::ffff:192.0.2.1', '192.0.2.1', 4, '192.0.2.0/24'],
    ['::FFFF:C000:0201', '192.0.2.1', 4, '192.0.2.0/24'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1', 6, '2001:db8::/64'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1', 6, '2001:db8::/64'],
    ['2001:db8:aa:bb:cc::', '2001:db8:aa:bb:cc::', 6, '2001:db8:aa:bb::/64'],
    ['::1', '::1', 6, '::/64'],
    ['0.0.0.0', '0.0.0.0', 4, '0.0.0.0/24'],
  ])('%s -> %s', (input, address, version, subnet) => {
    expect(canonicalIp(input)).toEqual({ address, version, subnet });
  });

  it.each(['010.0.0.1', '1.2.3.04', 'fe80::1%eth0', '256.0.0.1', '1.2.3', 'example.com', '', ' 1.2.3.4', '::ffff:1.2.3.4.5', '[::1]'])(
    'rejects %j',
    (input) => {
      expect(typeof canonicalIp(input)).toBe('string');
    },
  );
});

describe('parseTimestamp', () => {
  it('normalises offsets to UTC', () => {
    expect(parseTimestamp('2026-01-02T01:00:00+01:00')).toBe(Date.UTC(2026, 0, 2, 0, 0, 0));
    expect(parseTimestamp('2026-01-02 01:30-0230')).toBe(Date.UTC(2026, 0, 2, 4, 0, 0));
    expect(parseTimestamp('2026-01-02T00:00:00.123456Z')).toBe(Date.UTC(2026, 0, 2, 0, 0, 0, 123));
  });
  it.each(['2026-01-02T00:00:00', '2026-01-02', '2026-02-30T00:00:00Z', '1999-12-31T23:59:59Z', '2100-01-01T00:00:00Z', '2026-01-02T24:00:00Z', 'yesterday'])(
    'rejects %j',
    (input) => {
      expect(typeof parseTimestamp(input)).toBe('string');
    },
  );
});

describe('validateRow', () => {
  const T = '2026-01-05T00:00:00Z';
  it('names the failing field', () => {
    expect(validateRow('ip_addresses', { account_id: 'a', ip: '1.2.3.4', first_seen: T, last_seen: T, requests: '-1' })).toMatchObject({
      ok: false,
      field: 'requests',
    });
    expect(validateRow('payment_methods', { account_id: 'a', payment_fingerprint: 'x'.repeat(513), first_seen: T, last_seen: T })).toMatchObject({
      ok: false,
      field: 'payment_fingerprint',
    });
    expect(validateRow('payment_methods', { account_id: 'a', payment_fingerprint: 'p', first_seen: '2026-01-06T00:00:00Z', last_seen: T })).toMatchObject({
      ok: false,
      field: 'last_seen',
    });
    expect(validateRow('activity', { account_id: 'a\u0085b', hour: T, requests: '1' })).toMatchObject({ ok: false, field: 'account_id' });
  });
  it('applies defaults and truncates the hour', () => {
    const r = validateRow('prompt_fingerprints', { account_id: 'a', fingerprint: 'f', first_seen: T, last_seen: T, markers: 'rubric;cot;cot' });
    expect(r).toMatchObject({ ok: true, row: { count: 1, markers: ['cot', 'rubric'] } });
    expect(r.ok && r.row.kind === 'prompt_fingerprints' && r.row.fpKind).toBe(undefined);
    const h = validateRow('activity', { account_id: 'a', hour: '2026-01-05T10:59:59Z', requests: '2' });
    expect(h).toMatchObject({ ok: true, row: { hour: Math.floor(Date.UTC(2026, 0, 5, 10) / 3_600_000) } });
  });
});

describe('batchParams', () => {
  it('pre-aggregates duplicate (account, identifier) rows with min/max/sum', () => {
    const rows: Row[] = [
      { kind: 'prompt_fingerprints', accountId: 'a', key: 'f', firstSeen: 10, lastSeen: 20, count: 2, fpKind: 'template', markers: [] },
      { kind: 'prompt_fingerprints', accountId: 'a', key: 'f', firstSeen: 5, lastSeen: 15, count: 3, markers: ['cot'] },
      { kind: 'prompt_fingerprints', accountId: 'b', key: 'f', firstSeen: 7, lastSeen: 8, count: 1, fpKind: 'template', markers: [] },
    ];
    const p = batchParams('prompt_fingerprints', rows);
    expect(p).toMatchObject({
      groups: [
        { a: 'a', rels: [{ k: 'f', fs: 5, ls: 20, n: 5, o: 2, fk: 'template', mk: ['cot'] }] },
        { a: 'b', rels: [{ k: 'f', fs: 7, ls: 8, n: 1, o: 1 }] },
      ],
    });
  });

  const pay = (accountId: string, key: string): Row => ({ kind: 'payment_methods', accountId, key, firstSeen: 1, lastSeen: 2 });
  const keysOf = (gs: ReadonlyArray<{ a: string; rels: ReadonlyArray<{ k: unknown }> }>): string[] =>
    gs.flatMap((g) => g.rels.map((r) => `${g.a}>${String(r.k)}`));

  it('puts relationships other transactions may lock last, in key order, and only reorders them', () => {
    const seen = new SeenKeys();
    // Batch 1: k2 is shared by A1 and A2 inside the batch.
    const b1 = batchParams('payment_methods', [pay('A3', 'k3'), pay('A1', 'k2'), pay('A1', 'k1'), pay('A2', 'k2')], seen);
    if (b1.kind === 'accounts') throw new Error('unreachable');
    expect(keysOf(b1.groups)).toEqual(['A1>k1', 'A3>k3']);
    expect(keysOf(b1.contended)).toEqual(['A1>k2', 'A2>k2']);
    // Batch 2: A3 (account seen before) and k1 (key seen before) are contended; A4>k5 is not.
    const b2 = batchParams('payment_methods', [pay('A4', 'k5'), pay('A4', 'k1'), pay('A3', 'k4')], seen);
    if (b2.kind === 'accounts') throw new Error('unreachable');
    expect(keysOf(b2.groups)).toEqual(['A4>k5']);
    expect(keysOf(b2.contended)).toEqual(['A4>k1', 'A3>k4']);
    // Without a filter nothing is contended, and the same relationships are written.
    const plain = batchParams('payment_methods', [pay('A4', 'k5'), pay('A4', 'k1'), pay('A3', 'k4')]);
    if (plain.kind === 'accounts') throw new Error('unreachable');
    expect(plain.contended).toEqual([]);
    expect(keysOf(plain.groups).sort()).toEqual([...keysOf(b2.groups), ...keysOf(b2.contended)].sort());
  });

  it('treats only accounts as contended in activity (hours are not nodes)', () => {
    const seen = new SeenKeys();
    const act = (accountId: string, hour: number): Row => ({ kind: 'activity', accountId, hour, requests: 1 });
    const b1 = batchParams('activity', [act('A', 1), act('B', 1)], seen);
    const b2 = batchParams('activity', [act('B', 3), act('C', 1), act('B', 2)], seen);
    if (b1.kind === 'accounts' || b2.kind === 'accounts') throw new Error('unreachable');
    expect(keysOf(b1.groups)).toEqual(['A>1', 'B>1']);
    expect(keysOf(b2.groups)).toEqual(['C>1']);
    // One group per account: the activity statement merges each account's lists once.
    expect(b2.contended).toHaveLength(1);
    expect(keysOf(b2.contended)).toEqual(['B>2', 'B>3']);
  });
});

describe('SeenKeys', () => {
  it('never forgets a key, and rarely claims an unseen one', () => {
    const seen = new SeenKeys(20);
    for (let i = 0; i < 50_000; i++) seen.add(`acct-${i}`);
    let missing = 0;
    for (let i = 0; i < 50_000; i++) if (!seen.has(`acct-${i}`)) missing++;
    expect(missing).toBe(0);
    let falsePositives = 0;
    for (let i = 0; i < 50_000; i++) if (seen.has(`other-${i}`)) falsePositives++;
    // 2^20 bits, 3 probes, 50k keys: expected rate (1 - e^(-3·50k/2^20))^3 ≈ 0.25%.
    expect(falsePositives / 50_000).toBeLessThan(0.01);
  });
});

describe('readDropAsLinkageInput', () => {
  it('builds accounts, identifier groups and activity from a drop, with the ingest merge rules', async () => {
    const input = await readDropAsLinkageInput(path.join(FIXTURES, 'basic-csv'));
    expect([...input.accounts.keys()].sort()).toEqual(['A1', 'A2', 'A3', 'A9']);
    expect(input.accounts.get('A2')?.createdAt).toBe(Date.UTC(2026, 0, 2));
    expect(input.accounts.get('A9')).toEqual({ id: 'A9' });
    const card1 = input.identifiers.find((g) => g.kind === 'payment' && g.key === 'card-1');
    expect(card1?.members.map((m) => m.account).sort()).toEqual(['A1', 'A2']);
    const ip = input.identifiers.find((g) => g.kind === 'ip' && g.key === '10.0.0.1');
    expect(ip?.members).toEqual([{ account: 'A1', firstSeen: Date.UTC(2026, 0, 5), lastSeen: Date.UTC(2026, 0, 6), count: 5 }]);
    expect(input.identifiers.find((g) => g.kind === 'subnet' && g.key === '10.0.0.0/24')?.members.length).toBe(2);
    expect(input.identifiers.find((g) => g.kind === 'ip' && g.key === '2001:db8::1:0:0:1')?.isProxy).toBe(true);
    const fp1 = input.identifiers.find((g) => g.kind === 'prompt' && g.key === 'fp-1');
    expect(fp1).toMatchObject({ capability: 'coding', markers: ['cot', 'rubric'] });
    const a1 = input.activity.get('A1')!;
    expect(Array.from(a1.hours)).toEqual([Math.floor(Date.UTC(2026, 0, 5, 10) / 3_600_000)]);
    expect(Array.from(a1.requests)).toEqual([7]);
    // A2's 11:00+01:00 is 10:00Z: the same hour as A1.
    expect(Array.from(input.activity.get('A2')!.hours)).toEqual(Array.from(a1.hours));
  });

  it('gives the same input from CSV and NDJSON', async () => {
    const a = await readDropAsLinkageInput(path.join(FIXTURES, 'basic-csv'));
    const b = await readDropAsLinkageInput(path.join(FIXTURES, 'basic-ndjson'));
    expect(b.accounts).toEqual(a.accounts);
    expect(b.identifiers).toEqual(a.identifiers);
    expect(b.activity).toEqual(a.activity);
  });
});

describe('openDrop', () => {
  it('refuses a symlink that leaves the drop and accepts one that stays inside', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-drop-'));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-outside-'));
    fs.writeFileSync(path.join(outside, 'secret.csv'), 'account_id,created_at\n');
    fs.mkdirSync(path.join(dir, 'real'));
    fs.writeFileSync(path.join(dir, 'real', 'a.csv'), 'account_id,created_at\nX,2026-01-01T00:00:00Z\n');
    fs.symlinkSync(path.join(dir, 'real', 'a.csv'), path.join(dir, 'accounts.csv'));
    const drop = await openDrop(dir);
    expect(drop.files.map((f) => f.name)).toEqual(['accounts.csv']);
    fs.symlinkSync(path.join(outside, 'secret.csv'), path.join(dir, 'activity.csv'));
    await expect(openDrop(dir)).rejects.toBeInstanceOf(InvalidDropError);
  });
});

/**
 * validateRow takes a fast path (hand-written checks) for plainly valid records and falls back to
 * the zod schema otherwise. On real rows and on fuzzed ones, the fast path must either decline or
 * produce exactly the zod result, and it must take almost every valid generated row.
 */
describe('validateRow fast path', async () => {
  const { fastRow, validateRowWithSchema } = await import('../../src/loaders/row-schemas.js');
  const { generate } = await import('../../src/generator/index.js');
  const { readRecords } = await import('../../src/loaders/index.js');
  const TRICKY = [
    undefined,
    ' ',
    'TRUE',
    'False',
    '1',
    '0',
    '-1',
    '1e3',
    '007',
    '99999999999999999999',
    '2026-01-01',
    '2026-02-30T00:00:00Z',
    '2026-01-01T00:00:00+25:00',
    '2026-01-01 10:00:00z',
    '1999-12-31T23:59:59Z',
    'a\u0001b',
    'x'.repeat(513),
    'x'.repeat(512),
    '\ud800',
    'cot; rubric;cot',
    'rubric;',
    'bogus',
    'coding',
    'Math ',
    'long-horizon-planning',
    'x'.repeat(65),
    'minhash',
    '::1',
    '::ffff:10.0.0.1',
    '256.1.1.1',
    '10.0.0.1',
    'é',
  ];

  it('declines or agrees with the schema on generated and fuzzed rows', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-fast-'));
    const g = await generate({ scenario: 'mixed', accounts: 300, seed: 9, out });
    const drop = await openDrop(g.dropDir);
    let seed = 7;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    let valid = 0;
    let fast = 0;
    let fuzzed = 0;
    for (const f of drop.files) {
      for await (const rec of readRecords(f)) {
        if (!('values' in rec)) continue;
        const slow = validateRowWithSchema(f.kind, rec.values);
        const quick = fastRow(f.kind, rec.values);
        if (slow.ok) valid++;
        if (quick !== undefined) {
          fast++;
          expect(slow).toEqual({ ok: true, row: quick });
        }
        // Three fuzzed variants of each record: one field replaced by a tricky value.
        const keys = Object.keys(rec.values);
        for (let k = 0; k < 3; k++) {
          const values = { ...rec.values, [keys[rand(keys.length)]!]: TRICKY[rand(TRICKY.length)] };
          const q = fastRow(f.kind, values);
          if (q === undefined) continue;
          fuzzed++;
          expect(validateRowWithSchema(f.kind, values)).toEqual({ ok: true, row: q });
        }
      }
    }
    expect(valid).toBeGreaterThan(5000);
    expect(fast).toBe(valid);
    expect(fuzzed).toBeGreaterThan(1000);
    fs.rmSync(out, { recursive: true, force: true });
  });
});

describe('parseTimestamp fast path', async () => {
  const { parseGeneral } = await import('../../src/loaders/timestamp.js');
  it('gives the general parser’s result for canonical-looking strings, valid or not', () => {
    let seed = 3;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const pad = (n: number): string => String(n).padStart(2, '0');
    const cases: string[] = [
      '2024-02-29T23:59:59Z',
      '2023-02-29T00:00:00Z',
      '2100-02-29T00:00:00Z',
      '2000-02-29T12:00:00Z',
      '1999-12-31T23:59:59Z',
      '2099-12-31T23:59:59Z',
      '2100-01-01T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-01-00T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T10:60:00Z',
      '2026-01-01T10:00:60Z',
      '2026-01-01T10:00:00z',
      '2026-01-01 10:00:00Z',
      '2026-0a-01T10:00:00Z',
    ];
    for (let i = 0; i < 20_000; i++) {
      const y = 1995 + rand(110);
      cases.push(`${y}-${pad(rand(14))}-${pad(rand(33))}T${pad(rand(26))}:${pad(rand(62))}:${pad(rand(62))}Z`);
    }
    let valid = 0;
    for (const c of cases) {
      const general = parseGeneral(c);
      const fast = parseTimestamp(c);
      if (typeof general === 'number') valid++;
      expect(fast, c).toEqual(general);
    }
    expect(valid).toBeGreaterThan(5000);
  });
});
