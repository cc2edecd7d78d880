import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generator/index.js';
import { runDetection, type DetectedCluster, type IdentifierGroup, type LinkageInput } from '../../src/graph/index.js';
import type { DetectionState } from '../../src/graph/detection-state.js';
import { decodeState, encodeState } from '../../src/db/snapshot-codec.js';
import { fullRunState, runIncrementalDetection } from '../../src/graph/incremental-detection.js';
import { readDropAsLinkageInput } from '../../src/loaders/index.js';
import { mulberry32 } from '../../src/util/hash.js';
import { StateFormatError } from '../../src/util/errors.js';

/**
 * The frontier update against the full path on a generated mixed scenario: a night touching
 * nothing, a ring growing, and random small nights (1% of accounts).
 */
const RELEASE = Date.parse('2026-02-12T17:00:00Z');
const OPTS = { seed: 5, releaseDate: RELEASE };

function stateOf(input: LinkageInput, res: Awaited<ReturnType<typeof runDetection>>, runId: string): DetectionState {
  return { ...fullRunState(input, res.graph, res.clusters), runId, storeId: 'store', paramsDigest: 'p', drops: [], fullRunId: runId };
}

/** Account → cluster id of a run's clusters (the carried ones included). */
function partition(clusters: ReadonlyArray<{ id: string; members: readonly string[] }>): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of clusters) for (const a of c.members) out.set(a, c.id);
  return out;
}

/** Jaccard of the co-clustered account pairs of two partitions (1: same partition). */
function pairAgreement(a: Map<string, string>, b: Map<string, string>): number {
  const pairs = (p: Map<string, string>): Set<string> => {
    const by = new Map<string, string[]>();
    for (const [acct, c] of p) by.set(c, [...(by.get(c) ?? []), acct]);
    const s = new Set<string>();
    for (const m of by.values()) {
      m.sort();
      for (let i = 0; i < m.length; i++) for (let j = i + 1; j < m.length; j++) s.add(`${m[i]}|${m[j]}`);
    }
    return s;
  };
  const pa = pairs(a);
  const pb = pairs(b);
  let both = 0;
  for (const x of pa) if (pb.has(x)) both++;
  const union = pa.size + pb.size - both;
  return union === 0 ? 1 : both / union;
}

/** Input with some identifiers' member lists replaced and accounts added. */
function night(input: LinkageInput, change: (g: IdentifierGroup) => IdentifierGroup, accounts: LinkageInput['accounts'] = new Map()): LinkageInput {
  return { ...input, accounts: new Map([...input.accounts, ...accounts]), identifiers: input.identifiers.map(change) };
}

describe('frontier update (incremental detection)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-frontier-'));
  let input: LinkageInput;
  let full: Awaited<ReturnType<typeof runDetection>>;
  let state: DetectionState;
  beforeAll(async () => {
    const g = await generate({ scenario: 'mixed', accounts: 2000, seed: 13, out: dir });
    input = await readDropAsLinkageInput(g.dropDir);
    full = await runDetection(input, { ...OPTS, runId: 'r1' });
    state = decodeState(encodeState(stateOf(input, full, 'r1')));
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a night touching nothing re-detects nothing and carries every cluster with its id', async () => {
    const inc = await runIncrementalDetection(input, state, { ...OPTS, runId: 'r2' });
    expect(full.clusters.length).toBeGreaterThan(10);
    expect(inc.clusters).toHaveLength(0);
    expect(inc.stats.frontier.touchedAccounts).toBe(0);
    expect(inc.stats.frontier.frontierAccounts).toBe(0);
    expect(inc.carried.map((c) => c.id).sort()).toEqual(full.clusters.map((c) => c.id).sort());
    expect(inc.stats.enforce).toBe(full.stats.enforce);
  });

  it('a ring that grows is re-detected alone: same id, lineage grown, newcomers respawn when it was enforce', async () => {
    const ring = full.clusters.find((c) => c.recommendation === 'enforce' && c.size >= 4)!;
    expect(ring).toBeDefined();
    const members = new Set(ring.members);
    // Newcomers take over the identifiers most of the ring shares (its cards, exits and prompts).
    const shared = input.identifiers.filter((g) => g.members.length >= 2 && g.members.filter((m) => members.has(m.account)).length >= g.members.length * 0.8);
    expect(shared.length).toBeGreaterThan(0);
    const newcomers = ['zz-new-1', 'zz-new-2'];
    const keys = new Set(shared.map((g) => `${g.kind}/${g.key}`));
    const template = input.accounts.get(ring.members[0]!)!;
    const grown = night(
      input,
      (g) => {
        if (!keys.has(`${g.kind}/${g.key}`)) return g;
        const m = g.members.find((x) => members.has(x.account))!;
        return { ...g, members: [...g.members, ...newcomers.map((account) => ({ ...m, account }))] };
      },
      new Map(newcomers.map((id) => [id, { ...template, id }])),
    );
    const inc = await runIncrementalDetection(grown, state, { ...OPTS, runId: 'r2' });
    const now = inc.clusters.find((c) => c.id === ring.id)!;
    expect(now).toBeDefined();
    expect(now.lineage).toBe('grown');
    expect([...now.respawn].sort()).toEqual(newcomers);
    // Only the ring's component was re-detected: every other cluster is carried.
    const redone = new Set(inc.clusters.map((c) => c.id));
    expect(inc.carried.length + inc.clusters.length).toBeGreaterThanOrEqual(full.clusters.length);
    for (const c of full.clusters) if (!redone.has(c.id)) expect(inc.carried.some((k) => k.id === c.id)).toBe(true);
    expect(inc.stats.frontier.frontierAccounts).toBeLessThan(grown.accounts.size / 10);
    // The same clusters as a full run on the same data.
    const fullNow = await runDetection(grown, { ...OPTS, runId: 'r2', previous: full.clusters });
    const carriedMembers = carriedWithMembers(inc.carried, full.clusters);
    expect(pairAgreement(partition([...inc.clusters, ...carriedMembers]), partition(fullNow.clusters))).toBeGreaterThanOrEqual(0.99);

    // Given the accounts the night can change (newcomers and the members of the groups they joined):
    // digests are taken for those only, with the same result, and changed links none of them ends are counted as drift.
    const reach = new Set([...newcomers, ...shared.flatMap((g) => g.members.map((m) => m.account))]);
    const inReach = await runIncrementalDetection(grown, state, { ...OPTS, runId: 'r2', changedAccounts: reach });
    expect(inReach.state.digests).toEqual(inc.state.digests);
    expect(inReach.clusters.map((c) => [c.id, c.members])).toEqual(inc.clusters.map((c) => [c.id, c.members]));
    const f = inReach.stats.frontier;
    expect(inc.stats.frontier.driftLinks).toBeUndefined();
    expect(f.driftLinks).toBeGreaterThanOrEqual(0);
    expect(f.driftLinks).toBeLessThan(f.changedLinks);
    const everyone = new Set(grown.accounts.keys());
    for (const g of grown.identifiers) for (const m of g.members) everyone.add(m.account);
    expect((await runIncrementalDetection(grown, state, { ...OPTS, runId: 'r2', changedAccounts: everyone })).stats.frontier.driftLinks).toBe(0);
  });

  it('random nights touching 1% of accounts agree with full runs (pairwise membership ≥ 0.99), and nights chain', async () => {
    const rng = mulberry32(99);
    let prevState = state;
    let prevClusters: ReadonlyArray<{ id: string; members: readonly string[] }> = full.clusters;
    let data = input;
    for (let nightNo = 0; nightNo < 3; nightNo++) {
      const ids = [...data.accounts.keys()];
      const touched = new Set(ids.filter(() => rng() < 0.01));
      // Touched accounts get a later last use of everything they hold, and new accounts arrive holding fresh cards.
      const fresh = new Map(Array.from({ length: 10 }, (_, i) => [`zz-n${nightNo}-${i}`, { id: `zz-n${nightNo}-${i}`, createdAt: RELEASE }]));
      const later = 86_400_000 * (nightNo + 1);
      data = night(
        data,
        (g) =>
          g.members.some((m) => touched.has(m.account))
            ? { ...g, members: g.members.map((m) => (touched.has(m.account) ? { ...m, lastSeen: m.lastSeen + later, count: m.count + 1 } : m)) }
            : g,
        fresh,
      );
      data = {
        ...data,
        identifiers: [
          ...data.identifiers,
          ...[...fresh.keys()].map((a, i) => ({
            kind: 'payment' as const,
            key: `zz-card-${nightNo}-${i >> 1}`,
            members: [{ account: a, firstSeen: RELEASE, lastSeen: RELEASE, count: 1 }],
          })),
        ],
      };
      const runId = `n${nightNo}`;
      const inc = await runIncrementalDetection(data, prevState, { ...OPTS, runId });
      const fullNow = await runDetection(data, { ...OPTS, runId });
      const incClusters = [...inc.clusters, ...carriedWithMembers(inc.carried, prevClusters)];
      expect(inc.stats.frontier.touchedAccounts).toBeGreaterThan(0);
      expect(inc.stats.frontier.carriedClusters).toBeGreaterThan(0);
      const agree = pairAgreement(partition(incClusters), partition(fullNow.clusters));
      expect(agree).toBeGreaterThanOrEqual(0.99);
      prevState = { ...inc.state, runId, storeId: 'store', paramsDigest: 'p', drops: [], fullRunId: 'r1' };
      expect(prevState.sinceFull).toBe(nightNo + 1);
      prevClusters = incClusters;
    }
  });

  it('a state survives encoding; a flipped byte or another format version is a StateFormatError', () => {
    const bytes = encodeState(state);
    const back = decodeState(bytes);
    expect(back.accounts).toEqual(state.accounts);
    expect(Array.from(back.weight)).toEqual(Array.from(state.weight));
    expect(back.clusters).toEqual(state.clusters);
    const bad = Uint8Array.from(bytes);
    bad[bad.length - 3]! ^= 0xff;
    expect(() => decodeState(bad)).toThrow(StateFormatError);
    const other = Uint8Array.from(bytes);
    other[4] = 99;
    expect(() => decodeState(other)).toThrow(StateFormatError);
    expect(() => decodeState(bytes.subarray(0, 100))).toThrow(StateFormatError);
  });
});

/** Carried clusters with their members, from the run they came from. */
function carriedWithMembers(carried: ReadonlyArray<{ id: string }>, from: ReadonlyArray<{ id: string; members: readonly string[] }>): DetectedCluster[] {
  const by = new Map(from.map((c) => [c.id, c]));
  return carried.map((c) => ({ id: c.id, members: by.get(c.id)!.members }) as unknown as DetectedCluster);
}
