import { describe, expect, it } from 'vitest';
import {
  buildAdjacency,
  edgeEvidence,
  estimateCoherence,
  memberVerdicts,
  mixtureBits,
  pairPosterior,
  partyShare,
  project,
  runDetection,
  scoreClusters,
  type IdentifierGroup,
  type LinkageInput,
  type Membership,
  type ProjectedGraph,
} from '../../src/graph/index.js';
import { buildFixture, T0 } from '../detect/fixtures.js';

const DAY = 86_400_000;
const mem = (account: string, f = T0, days = 20): Membership => ({ account, firstSeen: f, lastSeen: f + days * DAY, count: 5 });
const name = (p: string, i: number) => `${p}-${String(i).padStart(4, '0')}`;

function edge(g: ProjectedGraph, a: string, b: string): number | undefined {
  const ia = g.accounts.indexOf(a);
  const ib = g.accounts.indexOf(b);
  for (let e = 0; e < g.edgeCount; e++) if ((g.src[e] === ia && g.dst[e] === ib) || (g.src[e] === ib && g.dst[e] === ia)) return e;
  return undefined;
}

/**
 * Two groups of 16 on one shared exit (interleaved in time); only group A also shares a card and five
 * rare templates. Around them, the population the EM learns from: 30 households sharing a card and a
 * home IP, and 20 NAT exits of 30 unrelated users each.
 */
function hubWorld(): { input: LinkageInput; a: string[]; b: string[] } {
  const accounts = new Map<string, { id: string }>();
  const add = (id: string) => (accounts.set(id, { id }), id);
  const a = Array.from({ length: 16 }, (_, i) => add(name('a', i)));
  const b = Array.from({ length: 16 }, (_, i) => add(name('b', i)));
  const pad = Array.from({ length: 3000 }, (_, i) => add(name('pad', i)));
  const ids: IdentifierGroup[] = [];
  // The shared exit: A and B alternate in first use, so the k-neighbour band mixes them.
  ids.push({ kind: 'ip', key: '100.64.7.1', members: a.flatMap((x, i) => [mem(x, T0 + 2 * i * 3_600_000), mem(b[i]!, T0 + (2 * i + 1) * 3_600_000)]) });
  ids.push({ kind: 'payment', key: 'card-a', members: a.map((x) => mem(x)) });
  for (let t = 0; t < 5; t++) ids.push({ kind: 'prompt', key: `tpl-a-${t}`, fpKind: 'template', capability: 'coding', members: a.map((x) => mem(x)) });
  b.forEach((x, i) => ids.push({ kind: 'payment', key: `card-b-${i}`, members: [mem(x)] }));
  for (let h = 0; h < 30; h++) {
    const [p, q] = [pad[2 * h]!, pad[2 * h + 1]!];
    ids.push({ kind: 'payment', key: `card-home-${h}`, members: [mem(p), mem(q)] });
    ids.push({ kind: 'ip', key: `198.51.${h}.9`, members: [mem(p), mem(q)] });
  }
  for (let x = 0; x < 20; x++) ids.push({ kind: 'ip', key: `100.65.${x}.1`, members: pad.slice(100 + 30 * x, 130 + 30 * x).map((p) => mem(p)) });
  return { input: { accounts, identifiers: ids, activity: new Map() }, a, b };
}

describe('coherence of shared network identifiers', () => {
  it('links strongly only the group on a shared exit that also shares a card and templates', () => {
    const { input, a, b } = hubWorld();
    const g = project(input);
    let strong = 0;
    for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length; j++) if ((g.weight[edge(g, a[i]!, a[j]!) ?? -1] ?? 0) >= 20) strong++;
    expect(strong).toBe((a.length * (a.length - 1)) / 2);
    for (let i = 0; i < b.length; i++) {
      for (let j = i + 1; j < b.length; j++) expect(edge(g, b[i]!, b[j]!), `${b[i]} – ${b[j]}`).toBeUndefined();
      for (const x of a) expect(edge(g, x, b[i]!)).toBeUndefined();
    }
    // NAT exits of unrelated users earn nothing; households (card + home IP) keep their IP evidence.
    expect(edge(g, name('pad', 100), name('pad', 101))).toBeUndefined();
    const home = edgeEvidence(g, edge(g, name('pad', 0), name('pad', 1))!).ip;
    expect(g.stats.coherence!.ip.q1).toBeGreaterThan(g.stats.coherence!.ip.q0 + 0.5);
    // Term frequency alone (the previous projection) links group B through the exit it shares.
    const old = project(input, { coherence: false });
    let linkedB = 0;
    for (let i = 0; i < b.length; i++) for (let j = i + 1; j < b.length; j++) if (edge(old, b[i]!, b[j]!) !== undefined) linkedB++;
    expect(linkedB).toBeGreaterThan(b.length);
    expect(home).toBeGreaterThan(0.95 * edgeEvidence(old, edge(old, name('pad', 0), name('pad', 1))!).ip);
  });

  it('keeps the k·d bound on pairs per identifier', () => {
    const accounts = new Map(Array.from({ length: 5000 }, (_, i) => [name('h', i), { id: name('h', i) }]));
    const ids = [...accounts.keys()];
    // Every holder pair also shares a card, so the exit is coherent and every band pair is linked.
    const input: LinkageInput = {
      accounts,
      identifiers: [
        { kind: 'ip', key: 'exit', members: ids.map((x, i) => mem(x, T0 + i * 60_000)) },
        { kind: 'payment', key: 'card', members: ids.map((x, i) => mem(x, T0 + i * 60_000)) },
      ],
      activity: new Map(),
    };
    const g = project(input, { m: { ip: 1000, payment: 1000 }, minEdgeWeight: 0 });
    expect(g.edgeCount).toBeGreaterThan(ids.length);
    expect(g.edgeCount).toBeLessThanOrEqual(8 * ids.length);
    expect(g.stats.candidatePairs).toBeLessThanOrEqual(8 * ids.length);
  });

  it('estimates by EM that one party’s pairs corroborate and unrelated pairs do not', () => {
    const hubs = Array.from({ length: 50 }, () => ({ pairs: 300, corroborated: 3 }));
    const parties = Array.from({ length: 200 }, () => ({ pairs: 6, corroborated: 5 }));
    const m = estimateCoherence([...hubs, ...parties]);
    expect(m.q1).toBeGreaterThan(0.7);
    expect(m.q0).toBeLessThan(0.05);
    expect(partyShare(m, 3, 300)).toBeLessThan(0.05);
    expect(partyShare(m, 5, 6)).toBeGreaterThan(0.5);
    expect(partyShare(m, 60, 60)).toBeGreaterThan(0.95);
    expect(pairPosterior(m, 0.9, true)).toBeGreaterThan(pairPosterior(m, 0.9, false));
    expect(mixtureBits(10, 1)).toBe(10);
    expect(mixtureBits(10, 0)).toBe(0);
  });
});

describe('a verdict per account', () => {
  const { input, roles } = buildFixture({ background: 1000 });
  const hydra = [...roles].filter(([, r]) => r === 'hydra').map(([x]) => x);
  const exit = input.identifiers.find((g) => g.kind === 'ip' && g.members.some((m) => m.account === hydra[0]))!;
  // A legitimate household whose home IP is one of the hydra's residential proxy exits.
  const withBystander: LinkageInput = {
    ...input,
    accounts: new Map([...input.accounts, ['by-home', { id: 'by-home', createdAt: T0 - 300 * DAY, emailDomain: 'gmail.com', verified: true, country: 'US' }]]),
    identifiers: [
      ...input.identifiers.filter((g) => g !== exit),
      { ...exit, members: [...exit.members, mem('by-home', T0, 30)] },
      { kind: 'payment', key: 'card-by-home', members: [mem('by-home', T0, 30)] },
    ],
  };

  it('does not enforce a legitimate account that shares one IP with a ring', async () => {
    const res = await runDetection(withBystander, { seed: 11 });
    const ring = res.clusters.find((c) => c.members.includes(hydra[0]!))!;
    expect(ring.recommendation).toBe('enforce');
    const c = res.clusters.find((x) => x.members.includes('by-home'));
    const own = c?.memberVerdicts[c.members.indexOf('by-home')]!.recommendation ?? 'none';
    expect(own).not.toBe('enforce');
  });

  it('reviews, with a reason, a member held in an enforced cluster by one kind of evidence only', async () => {
    const g = project(withBystander, { coherence: false });
    const res = await runDetection(withBystander, { seed: 11, projection: { coherence: false } });
    const ring = res.clusters.find((c) => c.members.includes(hydra[0]!))!;
    // Put the bystander in the ring's cluster by hand, as modularity would if peeling kept it.
    const assignment = new Map([...res.assignment, ['by-home', res.assignment.get(hydra[0]!)!]]);
    const scored = scoreClusters(withBystander, g, assignment).find((c) => c.members.includes('by-home'))!;
    expect(scored.recommendation).toBe('enforce');
    const v = scored.memberVerdicts[scored.members.indexOf('by-home')]!;
    expect(v.kinds).toEqual(['network']);
    expect(v.recommendation).toBe('review');
    expect(v.reasons[0]).toMatch(/network evidence only/);
    expect(v.bits.ip).toBeGreaterThan(0);
    expect(v.bits.payment + v.bits.prompt + v.bits.sync).toBe(0);
    // Ring members are held by several kinds and keep the cluster's verdict.
    for (const x of ring.members.filter((m) => m !== 'by-home')) {
      const w = scored.memberVerdicts[scored.members.indexOf(x)]!;
      expect(w.kinds.length, x).toBeGreaterThanOrEqual(2);
      expect(w.recommendation).toBe('enforce');
      expect(w.strongestLink).toBeGreaterThanOrEqual(w.weakestLink);
    }
    expect(memberVerdicts(g, buildAdjacency(g), [g.accounts.indexOf(hydra[0]!)], 'monitor')[0]!.recommendation).toBe('monitor');
  });
});
