import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDelta, decodeInput, encodeDelta, encodeInput } from '../../src/db/input-codec.js';
import { decodeState } from '../../src/db/snapshot-codec.js';
import { deltaFile, heldInput, INPUT_FILE, readSnapshotInput, SNAPSHOT_FILE, writeSnapshot } from '../../src/db/snapshot-repository.js';
import { generate } from '../../src/generator/index.js';
import { accountDigests, deltaAccounts, reusedDigests } from '../../src/graph/account-digest.js';
import type { DetectionState } from '../../src/graph/detection-state.js';
import { composeDeltas, patchInput, type InputDelta } from '../../src/graph/input-patch.js';
import { accountUniverse } from '../../src/graph/project.js';
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
      identifiers: [
        ipNow,
        { kind: 'prompt', key: 'f1', members: [] },
        { kind: 'payment', key: 'p9', members: [] },
        { kind: 'subnet', key: '10.0.0.0/24', members: [] },
        { kind: 'payment', key: 'p0', members: [] },
      ],
    });
    expect([...out.accounts.keys()]).toEqual(['a1', 'a2', 'a3']);
    expect(out.accounts.get('a1')).toEqual({ id: 'a1', plan: 'team' });
    // New keys before, between and after the old ones of their kind, and a kind the base lacked.
    expect(out.identifiers.map((g) => `${g.kind}:${g.key}`)).toEqual([
      'payment:p0',
      'payment:p1',
      'payment:p9',
      'ip:10.0.0.1',
      'subnet:10.0.0.0/24',
      'prompt:f1',
      'prompt:f2',
    ]);
    expect(out.identifiers[3]).toEqual(ipNow);
    // Members name accounts by the accounts map's own strings.
    expect(out.identifiers[3]!.members[1]!.account).toBe([...out.accounts.keys()][1]);
    expect([...out.activity.keys()]).toEqual(['a2', 'a3']);
    // a1's only solo fingerprint became shared: it has no solo totals any more.
    expect(out.soloPrompts!.size).toBe(0);
    // The base is not changed.
    expect(base.accounts.get('a1')).toEqual({ id: 'a1', plan: 'free' });
    expect(base.identifiers).toHaveLength(3);
  });
});

/**
 * The snapshot keeps the input file of the last full run (or of the last compaction) and one delta
 * file: the nights since, composed. Composing must give what patching night by night gives, the
 * delta file must round-trip, and the account digests taken for the delta's accounts only must be
 * those of the whole patched input.
 */
describe('the delta file beside the input', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-delta-'));
  let input: LinkageInput;
  let d1: InputDelta;
  let d2: InputDelta;

  beforeAll(async () => {
    const g = await generate({ scenario: 'mixed', accounts: 400, seed: 12, out: path.join(dir, 'gen') });
    input = await readDropAsLinkageInput(g.dropDir);
    const ids = [...input.accounts.keys()];
    const [x, y] = [ids[3]!, ids[7]!];
    const ip = input.identifiers.find((g) => g.kind === 'ip' && g.members.length >= 2)!;
    const prompt = input.identifiers.find((g) => g.kind === 'prompt' && g.members.length >= 2)!;
    const seen = (account: string, t: number) => ({ account, firstSeen: t, lastSeen: t + 1, count: 2 });
    d1 = {
      accounts: new Map([
        [x, { ...input.accounts.get(x)!, plan: 'team' }],
        ['acct_zz_n1', { id: 'acct_zz_n1', country: 'SE' }],
      ]),
      activity: new Map([
        [x, { hours: Int32Array.of(10, 11), requests: Float64Array.of(1, 2) }],
        ['acct_zz_n1', { hours: Int32Array.of(12), requests: Float64Array.of(3) }],
      ]),
      promptAccounts: [x],
      soloPrompts: new Map([[x, { fingerprints: { template: 9 }, volume: { coding: 9 }, markedVolume: 1 }]]),
      identifiers: [{ ...ip, isProxy: true, members: [...ip.members, seen('acct_zz_n1', 5)] }],
    };
    d2 = {
      // x again, now with no series; n1 again; the same IP once more and a prompt group.
      accounts: new Map([
        [x, { ...input.accounts.get(x)!, plan: 'pro' }],
        ['acct_zz_n1', { id: 'acct_zz_n1', country: 'NO' }],
      ]),
      activity: new Map([['acct_zz_n1', { hours: Int32Array.of(13), requests: Float64Array.of(1) }]]),
      promptAccounts: [x, y],
      soloPrompts: new Map(),
      identifiers: [
        { ...prompt, members: [...prompt.members, seen(x, 7)] },
        { ...ip, isProxy: false, members: [...ip.members, seen('acct_zz_n1', 5), seen(y, 6)] },
      ],
    };
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const same = (a: LinkageInput, b: LinkageInput): void => {
    expect([...a.accounts.keys()]).toEqual([...b.accounts.keys()]);
    expect(a.accounts).toEqual(b.accounts);
    expect(a.identifiers).toEqual(b.identifiers);
    expect([...a.activity.keys()]).toEqual([...b.activity.keys()]);
    expect(a.activity).toEqual(b.activity);
    expect(a.soloPrompts).toEqual(b.soloPrompts);
  };

  it('two nights composed patch the input as the two nights one after the other', () => {
    const stepwise = patchInput(patchInput(input, d1), d2);
    same(patchInput(input, composeDeltas(d1, d2)), stepwise);
    // The later night wins: x has no series and no solo totals any more, the IP is not a proxy.
    const x = [...d1.accounts.keys()][0]!;
    expect(stepwise.activity.has(x)).toBe(false);
    expect(stepwise.soloPrompts?.has(x)).toBe(false);
    expect(stepwise.identifiers.find((g) => g.kind === 'ip' && g.key === d2.identifiers[1]!.key)!.isProxy).toBe(false);
    // Order matters: the nights the other way round give another input.
    expect(patchInput(input, composeDeltas(d2, d1)).accounts.get(x)!.plan).toBe('team');
  });

  it('a delta file decodes to the delta encoded; a flipped byte or an input file is a StateFormatError', () => {
    const d = composeDeltas(d1, d2);
    const back = decodeDelta(encodeDelta(d));
    expect([...back.accounts.keys()]).toEqual([...d.accounts.keys()]);
    expect(back.accounts).toEqual(d.accounts);
    expect(back.activity).toEqual(d.activity);
    expect(back.soloPrompts).toEqual(d.soloPrompts);
    expect(back.identifiers).toEqual(d.identifiers);
    expect(back.promptAccounts).toEqual(d.promptAccounts);
    const bad = Buffer.from(encodeDelta(d));
    bad[bad.length - 5]! ^= 0x20;
    expect(() => decodeDelta(bad)).toThrow(StateFormatError);
    expect(() => decodeDelta(encodeInput(input))).toThrow(/bad magic/);
  });

  it('the snapshot writes the delta beside the input file, or the input whole once the delta outgrows its share', async () => {
    const state: DetectionState = {
      runId: 'r1',
      storeId: 's',
      paramsDigest: 'p',
      drops: [],
      sinceFull: 0,
      fullRunId: 'r1',
      accounts: [],
      digests: new Uint32Array(0),
      src: new Int32Array(0),
      dst: new Int32Array(0),
      weight: new Float64Array(0),
      evidence: new Float32Array(0),
      community: new Int32Array(0),
      clusters: [],
    };
    const sd = path.join(dir, 'state');
    await writeSnapshot(sd, state, { whole: input });
    const first = decodeState(fs.readFileSync(path.join(sd, SNAPSHOT_FILE)));
    const file = fs.readFileSync(path.join(sd, INPUT_FILE));
    const since = composeDeltas(d1, d2);
    const now = patchInput(input, since);
    await writeSnapshot(sd, { ...state, runId: 'r2' }, { whole: now, base: { sha256: first.inputSha256!, delta: since } });
    const second = decodeState(fs.readFileSync(path.join(sd, SNAPSHOT_FILE)));
    expect(second.inputSha256).toBe(first.inputSha256);
    expect(fs.readFileSync(path.join(sd, INPUT_FILE)).equals(file)).toBe(true);
    expect(fs.readdirSync(sd).filter((f) => f.startsWith('detection-input-delta-'))).toEqual([deltaFile(second.inputDeltaSha256!)]);
    const held = await readSnapshotInput(sd, second);
    if ('reason' in held) throw new Error(held.reason);
    same(heldInput(held), now);
    // Share 0: every delta is too big, so the input is written whole and the delta file goes.
    await writeSnapshot(sd, { ...state, runId: 'r3' }, { whole: now, base: { sha256: first.inputSha256!, delta: since } }, 0);
    const third = decodeState(fs.readFileSync(path.join(sd, SNAPSHOT_FILE)));
    expect(third.inputDeltaSha256).toBeUndefined();
    expect(third.inputSha256).not.toBe(first.inputSha256);
    expect(fs.readdirSync(sd).filter((f) => f.startsWith('detection-input-delta-'))).toEqual([]);
    const whole = await readSnapshotInput(sd, third);
    if ('reason' in whole) throw new Error(whole.reason);
    expect(whole.delta).toBeUndefined();
    same(whole.base, now);
  });

  it('digests taken for the delta’s accounts only are those of the whole patched input', () => {
    const accounts = accountUniverse(input);
    const prev = { accounts, digests: accountDigests(input, accounts) };
    const now = patchInput(input, d1);
    const nowAccounts = accountUniverse(now);
    const whole = accountDigests(now, nowAccounts);
    expect(Array.from(reusedDigests(now, nowAccounts, prev, deltaAccounts(d1)))).toEqual(Array.from(whole));
    // Leaving out the IP's old members (whose digests hold its proxy flag) gives other digests.
    const onlyTouched = new Set([...d1.accounts.keys()]);
    expect(Array.from(reusedDigests(now, nowAccounts, prev, onlyTouched))).not.toEqual(Array.from(whole));
  });
});
