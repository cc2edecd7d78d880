import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeInput, encodeInput } from '../../src/db/input-codec.js';
import { generate } from '../../src/generator/index.js';
import { patchInput } from '../../src/graph/input-patch.js';
import type { IdentifierGroup, LinkageInput, SoloPrompts } from '../../src/graph/types.js';
import { readDropAsLinkageInput } from '../../src/loaders/index.js';
import { StateFormatError } from '../../src/util/errors.js';

/**
 * The snapshot's input file (src/db/input-codec.ts) and the delta patch (src/graph/input-patch.ts),
 * without Neo4j: a generated drop's input survives the round trip unchanged, and a patch puts
 * replacements and new keys where a full read would have them. test/detect/incremental.test.ts
 * checks the patched input against a real full read.
 */
describe('detection input file and delta patch', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-input-'));
  let input: LinkageInput;

  beforeAll(async () => {
    const g = await generate({ scenario: 'mixed', accounts: 400, seed: 11, out: path.join(dir, 'gen') });
    input = await readDropAsLinkageInput(g.dropDir);
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('an input decodes to what was encoded: every attribute, member, series and solo total, in order', () => {
    const solo = new Map<string, SoloPrompts>([
      ['acct_a', { fingerprints: { template: 3, scaffold: 2 }, volume: { coding: 7, 'tool\nuse "x"': 1 }, markedVolume: 2, scaffoldVolume: 5 }],
      ['acct_b', { fingerprints: {}, volume: {}, markedVolume: 0 }],
    ]);
    const rich: LinkageInput = { ...input, soloPrompts: solo };
    const back = decodeInput(encodeInput(rich));
    expect([...back.accounts.keys()]).toEqual([...rich.accounts.keys()]);
    expect(back.accounts).toEqual(rich.accounts);
    expect(back.identifiers).toEqual(rich.identifiers);
    expect([...back.activity.keys()]).toEqual([...rich.activity.keys()]);
    expect(back.activity).toEqual(rich.activity);
    expect(back.soloPrompts).toEqual(solo);
    // Attributes absent stay absent (not undefined-valued keys).
    const bare = [...back.accounts.values()].find((a) => a.plan === undefined);
    if (bare) expect(Object.keys(bare)).not.toContain('plan');
    expect(back.identifiers.filter((g) => g.kind === 'ip').some((g) => 'isProxy' in g)).toBe(input.identifiers.filter((g) => g.kind === 'ip').some((g) => 'isProxy' in g));
  });

  it('a flipped byte or a truncated file is a StateFormatError', () => {
    const bytes = Buffer.from(encodeInput(input));
    const bad = Buffer.from(bytes);
    bad[bad.length - 9]! ^= 0x10;
    expect(() => decodeInput(bad)).toThrow(StateFormatError);
    expect(() => decodeInput(bytes.subarray(0, bytes.length - 64))).toThrow(/checksum|truncated/);
    expect(() => decodeInput(Buffer.from('not an input at all, not at all, not at all, not at all'))).toThrow(/bad magic/);
  });

  it('a patch replaces what it holds and inserts new keys in key order, kinds in full-read order', () => {
    const base: LinkageInput = {
      accounts: new Map([
        ['a1', { id: 'a1', plan: 'free' }],
        ['a3', { id: 'a3' }],
      ]),
      identifiers: [
        { kind: 'payment', key: 'p1', members: [{ account: 'a1', firstSeen: 1, lastSeen: 2, count: 1 }] },
        { kind: 'ip', key: '10.0.0.1', members: [{ account: 'a1', firstSeen: 1, lastSeen: 2, count: 3 }] },
        { kind: 'prompt', key: 'f2', members: [] },
      ],
      activity: new Map([['a3', { hours: Int32Array.of(1), requests: Float64Array.of(2) }]]),
      soloPrompts: new Map([['a1', { fingerprints: { template: 1 }, volume: { coding: 1 }, markedVolume: 0 }]]),
    };
    const ipNow: IdentifierGroup = {
      kind: 'ip',
      key: '10.0.0.1',
      isProxy: true,
      members: [
        { account: 'a1', firstSeen: 1, lastSeen: 5, count: 4 },
        { account: 'a2', firstSeen: 4, lastSeen: 5, count: 1 },
      ],
    };
    const out = patchInput(base, {
      accounts: new Map([
        ['a2', { id: 'a2', plan: 'pro' }],
        ['a1', { id: 'a1', plan: 'team' }],
      ]),
      activity: new Map([['a2', { hours: Int32Array.of(4), requests: Float64Array.of(1) }]]),
      promptAccounts: ['a1', 'a2'],
      soloPrompts: new Map(),
      identifiers: [ipNow, { kind: 'prompt', key: 'f1', members: [] }, { kind: 'payment', key: 'p0', members: [] }],
    });
    expect([...out.accounts.keys()]).toEqual(['a1', 'a2', 'a3']);
    expect(out.accounts.get('a1')).toEqual({ id: 'a1', plan: 'team' });
    expect(out.identifiers.map((g) => `${g.kind}:${g.key}`)).toEqual(['payment:p0', 'payment:p1', 'ip:10.0.0.1', 'prompt:f1', 'prompt:f2']);
    expect(out.identifiers[2]).toEqual(ipNow);
    // Members name accounts by the accounts map's own strings.
    expect(out.identifiers[2]!.members[1]!.account).toBe([...out.accounts.keys()][1]);
    expect([...out.activity.keys()]).toEqual(['a2', 'a3']);
    // a1's only solo fingerprint became shared: it has no solo totals any more.
    expect(out.soloPrompts!.size).toBe(0);
    // The base is not changed.
    expect(base.accounts.get('a1')).toEqual({ id: 'a1', plan: 'free' });
    expect(base.identifiers).toHaveLength(3);
  });
});
