import { describe, expect, it } from 'vitest';
import {
  project,
  identifierBits,
  timeFactor,
  EVIDENCE_KINDS,
  edgeEvidence,
  type LinkageInput,
  type Membership,
  type ProjectedGraph,
} from '../../src/graph/index.js';
import { buildFixture, T0 } from '../detect/fixtures.js';

const DAY = 86_400_000;
const ids = (n: number, p = 'a') => Array.from({ length: n }, (_, i) => `${p}-${String(i).padStart(5, '0')}`);
const mem = (account: string, f = T0, days = 5): Membership => ({ account, firstSeen: f, lastSeen: f + days * DAY, count: 1 });
const input = (accounts: string[], identifiers: LinkageInput['identifiers']): LinkageInput => ({
  accounts: new Map(accounts.map((id) => [id, { id }])),
  identifiers,
  activity: new Map(),
});
function edge(g: ProjectedGraph, a: string, b: string): number | undefined {
  const ia = g.accounts.indexOf(a);
  const ib = g.accounts.indexOf(b);
  for (let e = 0; e < g.edgeCount; e++) if ((g.src[e] === ia && g.dst[e] === ib) || (g.src[e] === ib && g.dst[e] === ia)) return e;
  return undefined;
}

describe('projection', () => {
  it('weights an identifier less the more accounts share it (term-frequency adjustment)', () => {
    expect(identifierBits(0.9, 1000, 2)).toBeGreaterThan(identifierBits(0.9, 1000, 20));
    expect(identifierBits(0.9, 1000, 2) - identifierBits(0.9, 1000, 20)).toBeCloseTo(Math.log2(10), 6);
    const acc = ids(1000);
    const g = project(
      input(acc, [
        { kind: 'payment', key: 'small', members: acc.slice(0, 2).map((a) => mem(a)) },
        { kind: 'payment', key: 'big', members: acc.slice(10, 15).map((a) => mem(a)) },
        // Shared by 95% of accounts: no evidence at all, and no edges.
        { kind: 'ip', key: 'cgnat', members: acc.slice(0, 950).map((a) => mem(a)) },
      ]),
      { minEdgeWeight: 0 },
    );
    const small = g.weight[edge(g, acc[0]!, acc[1]!)!]!;
    const big = g.weight[edge(g, acc[10]!, acc[11]!)!]!;
    expect(small).toBeGreaterThan(big);
    expect(g.stats.identifiersSkipped).toBe(1);
    expect(edge(g, acc[100]!, acc[101]!)).toBeUndefined();
  });

  it('counts sharing in overlapping time spans more than sharing months apart', () => {
    const a = mem('x', T0, 10);
    expect(timeFactor(a, mem('y', T0 + 5 * DAY), 30, 0.3)).toBe(1);
    expect(timeFactor(a, mem('y', T0 + 130 * DAY), 30, 0.3)).toBeLessThan(0.35);
    expect(timeFactor(a, mem('y', T0 + 130 * DAY), 30, 0.3)).toBeGreaterThanOrEqual(0.3);
    const acc = ids(500);
    const g = project(
      input(acc, [
        { kind: 'ip', key: 'ip-near', members: [mem(acc[0]!, T0), mem(acc[1]!, T0 + 2 * DAY)] },
        { kind: 'ip', key: 'ip-far', members: [mem(acc[2]!, T0), mem(acc[3]!, T0 + 90 * DAY)] },
      ]),
      { minEdgeWeight: 0, coherence: false },
    );
    expect(g.weight[edge(g, acc[0]!, acc[1]!)!]!).toBeGreaterThan(5 * g.weight[edge(g, acc[2]!, acc[3]!)!]!);
  });

  it('bounds the edges of a 20,000-account identifier by k·d', () => {
    const acc = ids(20_000);
    const k = 8;
    // m is raised so that this hub still carries evidence among only 20,000 accounts.
    const g = project(input(acc, [{ kind: 'ip', key: 'proxy-hub', members: acc.map((a, i) => mem(a, T0 + i * 60_000)) }]), {
      neighbours: k,
      m: { ip: 100 },
      minEdgeWeight: 0,
      coherence: false,
    });
    expect(g.stats.identifiersSparsified).toBe(1);
    expect(g.edgeCount).toBeGreaterThanOrEqual(acc.length - 1);
    expect(g.edgeCount).toBeLessThanOrEqual(k * acc.length);
    expect(g.edgeCount).toBeLessThan((acc.length * (acc.length - 1)) / 2 / 1000);
    const degree = new Int32Array(acc.length);
    for (let e = 0; e < g.edgeCount; e++) {
      degree[g.src[e]!]!++;
      degree[g.dst[e]!]!++;
    }
    expect(Math.max(...degree)).toBeLessThanOrEqual(2 * k);
  });

  it('never counts a shared /24 on top of a shared IP', () => {
    const acc = ids(300);
    const g = project(
      input(acc, [
        { kind: 'ip', key: '192.0.2.1', members: [mem(acc[0]!), mem(acc[1]!)] },
        { kind: 'subnet', key: '192.0.2.0/24', members: [mem(acc[0]!), mem(acc[1]!), mem(acc[2]!)] },
      ]),
      { minEdgeWeight: 0, coherence: false },
    );
    const both = edgeEvidence(g, edge(g, acc[0]!, acc[1]!)!);
    expect(both.ip).toBeGreaterThan(0);
    expect(both.subnet).toBe(0);
    const onlySubnet = edgeEvidence(g, edge(g, acc[0]!, acc[2]!)!);
    expect(onlySubnet.subnet).toBeGreaterThan(0);
    expect(onlySubnet.ip).toBe(0);
    expect(both.ip).toBeGreaterThan(onlySubnet.subnet);
  });

  it('links a ring that shares no card or IP through rare templates and synchronised hours, but not through a popular tool prompt', () => {
    const { input: fx, roles } = buildFixture();
    const g = project(fx, { seed: 5 });
    const careful = [...roles].filter(([, r]) => r === 'careful').map(([a]) => a);
    let linked = 0;
    let withSync = 0;
    for (let i = 0; i < careful.length; i++) {
      for (let j = i + 1; j < careful.length; j++) {
        const e = edge(g, careful[i]!, careful[j]!);
        if (e === undefined) continue;
        linked++;
        const ev = edgeEvidence(g, e);
        expect(ev.payment + ev.ip + ev.subnet).toBe(0);
        expect(ev.prompt).toBeGreaterThan(0);
        if (ev.sync > 0) withSync++;
      }
    }
    expect(linked).toBeGreaterThan(careful.length); // well connected, not a chain
    expect(withSync).toBeGreaterThan(linked / 2);
    // 40% of individuals use the same IDE system prompt: no prompt evidence between them.
    const bgIdx = new Set([...roles].filter(([, r]) => r === 'background' || r === 'cgnat').map(([a]) => g.accounts.indexOf(a)));
    for (let e = 0; e < g.edgeCount; e++) if (bgIdx.has(g.src[e]!) && bgIdx.has(g.dst[e]!)) expect(edgeEvidence(g, e).prompt).toBe(0);
    expect(EVIDENCE_KINDS).toEqual(['payment', 'ip', 'subnet', 'prompt', 'sync']);
  });

  it('scales prompt evidence by the share of prompt mass two accounts have in common', () => {
    // Two prolific accounts with 300 distinct prompts each, 3 of which collide by accident (rare
    // fingerprints, as MinHash false positives are), against two accounts that reuse the same
    // 30 templates. Same rarity per shared fingerprint; only the overlap differs.
    const acc = ids(2000);
    const [p1, p2, r1, r2] = [acc[0]!, acc[1]!, acc[2]!, acc[3]!];
    const groups: LinkageInput['identifiers'][number][] = [];
    for (let i = 0; i < 300; i++) {
      groups.push({ kind: 'prompt', key: `p1-${i}`, fpKind: 'minhash', members: i < 3 ? [mem(p1), mem(p2)] : [mem(p1)] });
      if (i >= 3) groups.push({ kind: 'prompt', key: `p2-${i}`, fpKind: 'minhash', members: [mem(p2)] });
    }
    for (let i = 0; i < 30; i++) groups.push({ kind: 'prompt', key: `tpl-${i}`, fpKind: 'minhash', members: [mem(r1), mem(r2)] });
    const g = project(input(acc, groups), { minEdgeWeight: 0 });
    const ring = edge(g, r1, r2);
    expect(ring).toBeDefined();
    expect(g.weight[ring!]).toBeGreaterThan(20);
    const accidental = edge(g, p1, p2);
    const accidentalBits = accidental === undefined ? 0 : g.weight[accidental]!;
    // 3 shared rare fingerprints are ~3·log2(0.3·2000/2) ≈ 25 bits unscaled; 1% overlap leaves < 1 bit.
    expect(accidentalBits).toBeLessThan(1);
    expect(project(input(acc, groups)).edgeCount).toBe(1);
  });

  it('links a scaffold ring whose whole-prompt fingerprints all differ, through a scaffold comparison of its own', () => {
    // 6 ring accounts: 60 prompts each, every whole-prompt id their own (fresh tasks), 8 scaffold ids
    // shared by all six plus 4 task-side scaffold ids each. 300 other accounts, each with its own prompts.
    const acc = ids(306);
    const ring = acc.slice(0, 6);
    const groups: LinkageInput['identifiers'][number][] = [];
    for (const a of ring)
      for (let j = 0; j < 60 * 21; j++) groups.push({ kind: 'prompt', key: `own-${a}-${j}`, fpKind: j % 21 === 0 ? 'template' : 'minhash', members: [mem(a)] });
    for (const a of ring) for (let j = 0; j < 60 * 4; j++) groups.push({ kind: 'prompt', key: `task-${a}-${j}`, fpKind: 'scaffold', members: [mem(a)] });
    for (let j = 0; j < 8; j++) groups.push({ kind: 'prompt', key: `scaf-${j}`, fpKind: 'scaffold', members: ring.map((a) => ({ ...mem(a), count: 60 })) });
    for (const a of acc.slice(6)) for (let j = 0; j < 21; j++) groups.push({ kind: 'prompt', key: `own-${a}-${j}`, fpKind: 'minhash', members: [mem(a)] });
    const g = project(input(acc, groups));
    const e = edge(g, ring[0]!, ring[1]!);
    expect(e).toBeDefined();
    expect(edgeEvidence(g, e!).prompt).toBeGreaterThan(4);
    // Counted in one mass with the whole-prompt ids, the same shared scaffold would be drowned.
    const mixed = project(
      input(
        acc,
        groups.map((x) => (x.fpKind === 'scaffold' ? { ...x, fpKind: 'minhash' as const } : x)),
      ),
    );
    expect(edge(mixed, ring[0]!, ring[1]!)).toBeUndefined();
  });

  it('credits a candidate pair with every fingerprint both sent, not only the one whose k-neighbour band paired them', () => {
    // A 200-account fleet sends the same 10 templates; each template's first uses come in a different
    // order, so each band pairs different neighbours. The bound chooses pairs (blocking); the weight of
    // a chosen pair is its full agreement (record-linkage comparison).
    const acc = ids(2000);
    const fleet = acc.slice(0, 200);
    let s = 7;
    const rand = (): number => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const templates = Array.from({ length: 10 }, (_, t) => ({
      kind: 'prompt' as const,
      fpKind: 'template' as const,
      key: `t${t}`,
      members: fleet.map((a) => mem(a, T0 + Math.floor(rand() * 30 * DAY))),
    }));
    const g = project(input(acc, templates), { minEdgeWeight: 0 });
    const perTemplate = identifierBits(0.5, acc.length, fleet.length);
    expect(g.stats.identifiersSparsified).toBe(10);
    expect(g.edgeCount).toBeLessThanOrEqual(10 * 8 * fleet.length);
    const prompt = [...Array(g.edgeCount).keys()].map((e) => edgeEvidence(g, e).prompt);
    // Every pair shares all ten (the whole of both accounts' prompt mass): 10 templates' bits, saturated.
    const all = 24 * (1 - Math.exp(-(10 * perTemplate) / 24));
    for (const p of prompt) expect(p).toBeCloseTo(all, 6);
    expect(Math.min(...prompt)).toBeGreaterThan(3 * perTemplate);
  });

  it('is deterministic for a seed', () => {
    const { input: fx } = buildFixture();
    const a = project(fx, { seed: 9 });
    const b = project(fx, { seed: 9 });
    expect(a.edgeCount).toBe(b.edgeCount);
    expect([...a.weight]).toEqual([...b.weight]);
  });
});
