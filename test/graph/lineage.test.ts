import { describe, expect, it } from 'vitest';
import { assignLineage, newClusterId, type PreviousCluster } from '../../src/graph/index.js';

const range = (p: string, a: number, b: number) => Array.from({ length: b - a }, (_, i) => `${p}${String(a + i).padStart(3, '0')}`);

describe('lineage', () => {
  const previous: PreviousCluster[] = [
    { id: 'ring', members: range('r', 0, 20), recommendation: 'enforce' },
    { id: 'org', members: range('o', 0, 10), recommendation: 'monitor' },
    { id: 'a', members: range('a', 0, 10), recommendation: 'review' },
    { id: 'b', members: range('b', 0, 10), recommendation: 'monitor' },
    { id: 'big', members: range('g', 0, 30), recommendation: 'review' },
    { id: 'gone', members: range('x', 0, 5), recommendation: 'monitor' },
  ];
  const current = [
    // The ring lost 5 banned accounts and gained 6 replacements (respawns).
    { key: 'k-ring', members: [...range('r', 5, 20), ...range('n', 0, 6)] },
    { key: 'k-org', members: range('o', 0, 10) },
    { key: 'k-ab', members: [...range('a', 0, 10), ...range('b', 0, 10)] },
    { key: 'k-big1', members: range('g', 0, 16) },
    { key: 'k-big2', members: range('g', 16, 30) },
    { key: 'k-new', members: range('z', 0, 4) },
    { key: 'k-shrunk', members: range('o', 100, 100) },
  ].filter((c) => c.members.length > 0);

  const out = assignLineage(previous, current, { salt: 'run-2' });
  const by = new Map(out.map((l) => [l.key, l]));

  it('keeps the id of the best-overlapping previous cluster above the threshold', () => {
    expect(by.get('k-ring')!.id).toBe('ring');
    expect(by.get('k-org')!.id).toBe('org');
    expect(by.get('k-big1')!.id).toBe('big');
    expect(by.get('k-big2')!.id).not.toBe('big');
    expect(by.get('k-new')!.id).toBe(newClusterId('run-2', 'k-new'));
    expect(new Set(out.map((l) => l.id)).size).toBe(out.length);
  });

  it('labels lineage new, grown, unchanged, split and merged', () => {
    expect(by.get('k-ring')!.lineage).toBe('grown');
    expect(by.get('k-org')!.lineage).toBe('unchanged');
    expect(by.get('k-ab')!.lineage).toBe('merged');
    expect(by.get('k-big1')!.lineage).toBe('split');
    expect(by.get('k-big2')!.lineage).toBe('split');
    expect(by.get('k-big2')!.previousId).toBe('big');
    expect(by.get('k-new')!.lineage).toBe('new');
    expect(by.get('k-new')!.previousId).toBeUndefined();
  });

  it('labels a cluster that lost members as shrunk', () => {
    const [l] = assignLineage(previous, [{ key: 'k', members: range('r', 0, 12) }]);
    expect(l!.id).toBe('ring');
    expect(l!.lineage).toBe('shrunk');
    expect(l!.respawn).toEqual([]);
  });

  it('flags accounts that join a cluster previously recommended enforce, and only those', () => {
    expect([...by.get('k-ring')!.respawn].sort()).toEqual(range('n', 0, 6));
    expect(by.get('k-org')!.respawn).toEqual([]);
    expect(by.get('k-ab')!.respawn).toEqual([]);
  });
});
