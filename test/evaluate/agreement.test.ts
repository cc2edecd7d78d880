import { describe, expect, it } from 'vitest';
import { keptIds, pairAgreement } from '../../src/evaluate/index.js';

const assign = (clusters: Record<string, string[]>): Map<string, string> =>
  new Map(Object.entries(clusters).flatMap(([c, ms]) => ms.map((m) => [m, c] as const)));

/** Every pair enumerated: the definition the contingency-table computation must match. */
function bruteForce(a: Map<string, string>, b: Map<string, string>, universe: string[]) {
  const accts = [...new Set([...universe, ...a.keys(), ...b.keys()])];
  let pa = 0;
  let pb = 0;
  let both = 0;
  let agree = 0;
  let all = 0;
  for (let i = 0; i < accts.length; i++)
    for (let j = i + 1; j < accts.length; j++) {
      const x = accts[i]!;
      const y = accts[j]!;
      const ta = a.has(x) && a.get(x) === a.get(y);
      const tb = b.has(x) && b.get(x) === b.get(y);
      pa += ta ? 1 : 0;
      pb += tb ? 1 : 0;
      both += ta && tb ? 1 : 0;
      agree += ta === tb ? 1 : 0;
      all++;
    }
  return { pa, pb, both, agreement: pa + pb - both === 0 ? 1 : both / (pa + pb - both), rand: all === 0 ? 1 : agree / all };
}

describe('pairAgreement', () => {
  it('is 1 for the same partition under other cluster ids, and counts pairs exactly', () => {
    const a = assign({ x: ['1', '2', '3'], y: ['4', '5'] });
    const b = assign({ p: ['4', '5'], q: ['1', '2', '3'] });
    expect(pairAgreement(a, b)).toEqual({ accounts: 5, pairsA: 4, pairsB: 4, pairsBoth: 4, agreement: 1, rand: 1 });
  });

  it('drops to the shared share of co-membership pairs when a cluster splits, while Rand stays high', () => {
    // a: one cluster of 4; b: it split 2 + 2 → 6 pairs vs 2 shared.
    const a = assign({ x: ['1', '2', '3', '4'] });
    const b = assign({ p: ['1', '2'], q: ['3', '4'] });
    const universe = Array.from({ length: 100 }, (_, i) => `s${i}`);
    const r = pairAgreement(a, b, universe);
    expect(r.pairsA).toBe(6);
    expect(r.pairsB).toBe(2);
    expect(r.pairsBoth).toBe(2);
    expect(r.agreement).toBeCloseTo(2 / 6, 12);
    // 4 disagreeing pairs out of C(104, 2).
    expect(r.rand).toBeCloseTo(1 - 4 / ((104 * 103) / 2), 12);
  });

  it('treats an account missing from one assignment as a singleton there', () => {
    const a = assign({ x: ['1', '2'] });
    const b = assign({ p: ['1'] });
    expect(pairAgreement(a, b)).toMatchObject({ pairsA: 1, pairsB: 0, pairsBoth: 0, agreement: 0 });
    expect(pairAgreement(new Map(), new Map())).toMatchObject({ accounts: 0, agreement: 1, rand: 1 });
  });

  it('matches pair enumeration on random partitions, including ids that look alike', () => {
    let s = 7;
    const rnd = (n: number) => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s % n;
    };
    for (let t = 0; t < 30; t++) {
      const universe = Array.from({ length: 40 }, (_, i) => `a${i}`);
      const a = new Map<string, string>();
      const b = new Map<string, string>();
      for (const u of universe) {
        if (rnd(4) > 0) a.set(u, `c${rnd(6)}`);
        // "c1,2" vs ("c1", "2"): composite keys must not collide.
        if (rnd(4) > 0) b.set(u, rnd(2) ? `c${rnd(5)}` : `c1,${rnd(3)}`);
      }
      const want = bruteForce(a, b, universe);
      const got = pairAgreement(a, b, universe);
      expect(got.pairsA).toBe(want.pa);
      expect(got.pairsB).toBe(want.pb);
      expect(got.pairsBoth).toBe(want.both);
      expect(got.agreement).toBeCloseTo(want.agreement, 12);
      expect(got.rand).toBeCloseTo(want.rand, 12);
    }
  });
});

describe('keptIds', () => {
  it('counts only untouched clusters, and keeps those whose id holds all their members', () => {
    const before = [
      { id: 'k1', members: ['1', '2'] }, // untouched, same id, same members
      { id: 'k2', members: ['3', '4'] }, // untouched, same id, gained a newcomer
      { id: 'k3', members: ['5', '6'] }, // untouched, id lost (renamed)
      { id: 'k4', members: ['7', '8'] }, // untouched, same id but lost a member
      { id: 't1', members: ['9', '10'] }, // touched: not counted
    ];
    const after = [
      { id: 'k1', members: ['2', '1'] },
      { id: 'k2', members: ['3', '4', 'new'] },
      { id: 'other', members: ['5', '6'] },
      { id: 'k4', members: ['7'] },
      { id: 't1', members: ['9'] },
    ];
    expect(keptIds(before, after, new Set(['10', 'new']))).toEqual({ untouched: 4, kept: 2, unchanged: 1, share: 0.5 });
    expect(keptIds([], after, new Set())).toEqual({ untouched: 0, kept: 0, unchanged: 0, share: 1 });
  });
});
