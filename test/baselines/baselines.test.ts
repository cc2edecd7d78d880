import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { louvainPlain, p2pRule, paymentComponents } from '../../src/baselines/index.js';
import { evaluate, readTruthCsv, type Prediction } from '../../src/evaluate/index.js';
import { generate } from '../../src/generator/index.js';
import type { IdentifierGroup, IdentifierKind, LinkageInput } from '../../src/graph/types.js';
import { readDropAsLinkageInput } from '../../src/loaders/index.js';

function input(groups: Array<[IdentifierKind, string, string[]]>): LinkageInput {
  const identifiers: IdentifierGroup[] = groups.map(([kind, key, members]) => ({
    kind,
    key,
    members: members.map((account) => ({ account, firstSeen: 0, lastSeen: 0, count: 1 })),
  }));
  const ids = new Set(groups.flatMap(([, , m]) => m));
  return { accounts: new Map([...ids].map((id) => [id, { id }])), identifiers, activity: new Map() };
}

/** The partition of flagged accounts, as sorted member lists. */
function clusters(p: Map<string, Prediction>): string[][] {
  const by = new Map<string, string[]>();
  for (const [a, x] of p) {
    expect(x.recommendation).toBe('review');
    by.set(x.clusterId, [...(by.get(x.clusterId) ?? []), a]);
  }
  return [...by.values()].map((m) => m.sort()).sort((a, b) => a[0]!.localeCompare(b[0]!));
}

const hub = Array.from({ length: 10 }, (_, i) => `X${i}`);
const small = input([
  ['payment', 'p1', ['A', 'B']],
  ['payment', 'p2', ['B', 'C']],
  ['payment', 'p3', ['D', 'E']],
  ['ip', 'i1', ['D', 'E']],
  ['ip', 'i2', ['D', 'E']],
  ['ip', 'i3', ['A', 'B']],
  ['payment', 'p4', ['F', 'G']],
  ['ip', 'i4', ['F', 'G']],
  ['ip', 'h1', ['F', 'G', ...hub]], // 12 accounts: too busy to open a link, but counts as shared
  ['prompt', 't1', ['A', 'D', 'F', 'H']],
]);

describe('peer baselines on hand-built inputs', () => {
  it('payment-cc: connected components over shared cards, clusters of ≥ 2 flagged review', () => {
    expect(clusters(paymentComponents(small))).toEqual([
      ['A', 'B', 'C'],
      ['D', 'E'],
      ['F', 'G'],
    ]);
  });

  it('p2p-rule: a card/IP used by ≤ 10 accounts opens a link, kept when the pair shares > 2 identifiers', () => {
    // A–B share p1 and i3 (2: not enough); D–E share p3, i1, i2; F–G share p4, i4 and the busy h1.
    expect(clusters(p2pRule(small))).toEqual([
      ['D', 'E'],
      ['F', 'G'],
    ]);
    // A stricter "more than 3" keeps neither pair (each shares exactly 3).
    expect(clusters(p2pRule(small, { moreThan: 3 }))).toEqual([]);
  });

  it('louvain-plain: two cliques joined by one bridge come out as two communities, deterministically', () => {
    const K = Array.from({ length: 6 }, (_, i) => `K${i}`);
    const L = Array.from({ length: 6 }, (_, i) => `L${i}`);
    const g = input([
      ['prompt', 't1', K],
      ['prompt', 't2', L],
      ['ip', 'bridge', ['K0', 'L0']],
      ['payment', 'solo', ['Z']],
    ]);
    const out = louvainPlain(g, { seed: 3 });
    expect(clusters(out)).toEqual([K, L]);
    expect(out.has('Z')).toBe(false);
    expect(louvainPlain(g, { seed: 3 })).toEqual(out);
  });

  it('louvain-plain caps pairs on big identifiers but still links their members', () => {
    const big = Array.from({ length: 300 }, (_, i) => `B${String(i).padStart(3, '0')}`);
    const out = louvainPlain(input([['ip', 'cgnat', big]]), { seed: 1 });
    expect(out.size).toBe(300); // every member lands in some community of ≥ 2
  });
});

describe('peer baselines on a generated scenario, scored by evaluate', () => {
  it('payment-cc flags families (shared card) and p2p-rule flags far fewer accounts', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-base-'));
    await generate({ scenario: 'mixed', accounts: 1500, seed: 21, out });
    const li = await readDropAsLinkageInput(path.join(out, 'drop'));
    const truth = await readTruthCsv(path.join(out, 'truth.csv'));
    const cc = evaluate(truth, paymentComponents(li));
    const p2p = evaluate(truth, p2pRule(li));
    const lv = evaluate(truth, louvainPlain(li, { seed: 1 }));
    expect(cc.legitFlagged.find((c) => c.label === 'legit_family')!.review).toBeGreaterThan(0.9);
    expect(p2p.scores.flagged).toBeLessThan(cc.scores.flagged);
    // Plain Louvain on the unweighted projection puts nearly everyone who shares anything in a community.
    expect(lv.scores.recall).toBeGreaterThan(0.9);
    expect(lv.scores.precision).toBeLessThan(0.2);
  });
});
