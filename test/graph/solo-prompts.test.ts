import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compactSoloPrompts, project, runDetection } from '../../src/graph/index.js';
import { generate } from '../../src/generator/index.js';
import { readDropAsLinkageInput } from '../../src/loaders/index.js';

/**
 * Folding single-account prompt fingerprints into per-account totals (what the Neo4j reader does to
 * save memory at scale) must not change anything detection computes.
 */
describe('soloPrompts', () => {
  it('gives the same projection, features and clusters as keeping every fingerprint as a group', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-solo-'));
    await generate({ scenario: 'mixed', accounts: 1500, seed: 5, out: dir });
    const full = await readDropAsLinkageInput(path.join(dir, 'drop'));
    const compact = compactSoloPrompts(full);
    const folded = full.identifiers.length - compact.identifiers.length;
    expect(folded).toBeGreaterThan(full.identifiers.length / 3);
    expect(compact.identifiers.every((g) => g.kind !== 'prompt' || new Set(g.members.map((m) => m.account)).size > 1)).toBe(true);

    const a = project(full, { seed: 1 });
    const b = project(compact, { seed: 1 });
    expect(Array.from(b.weight)).toEqual(Array.from(a.weight));
    expect(Array.from(b.src)).toEqual(Array.from(a.src));
    expect(b.accounts).toEqual(a.accounts);
    expect(Array.from(b.evidence)).toEqual(Array.from(a.evidence));

    // Clusters, features (prompt volume, capabilities, markers), scores and reasons: all identical.
    const r1 = await runDetection(full, { seed: 7, runId: 'r' });
    const r2 = await runDetection(compact, { seed: 7, runId: 'r' });
    expect(r1.clusters.length).toBeGreaterThan(10);
    expect(JSON.stringify(r2.clusters)).toBe(JSON.stringify(r1.clusters));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('prompt mass with solo fingerprints (hand-computed)', () => {
  it('scales shared-template evidence by the share of the smaller prompt mass, solo fingerprints included', async () => {
    const { PROJECTION_DEFAULTS, identifierBits, edgeEvidence } = await import('../../src/graph/index.js');
    const T = Date.UTC(2026, 0, 1);
    const m = (account: string) => ({ account, firstSeen: T, lastSeen: T, count: 1 });
    const accounts = new Map<string, { id: string }>();
    for (let i = 0; i < 998; i++) accounts.set(`f${String(i).padStart(4, '0')}`, { id: `f${String(i).padStart(4, '0')}` });
    accounts.set('A', { id: 'A' });
    accounts.set('B', { id: 'B' });
    const shared = ['S1', 'S2', 'S3'].map((key) => ({ kind: 'prompt' as const, key, fpKind: 'template' as const, members: [m('A'), m('B')] }));
    // A sent 3 fingerprints nobody else did, B sent 1.
    const solo = ['a1', 'a2', 'a3', 'b1'].map((key) => ({
      kind: 'prompt' as const,
      key,
      fpKind: 'template' as const,
      members: [m(key.startsWith('a') ? 'A' : 'B')],
    }));
    const full = { accounts, identifiers: [...shared, ...solo], activity: new Map() };
    const n = 1000;
    const o = PROJECTION_DEFAULTS;
    const b2 = identifierBits(o.m.template, n, 2);
    const b1 = identifierBits(o.m.template, n, 1);
    const massB = 3 * b2 + b1; // the smaller mass (A has 3·b2 + 3·b1)
    const raw = 3 * b2 * Math.min(1, (3 * b2) / massB);
    const want = o.cap.prompt * (1 - Math.exp(-raw / o.cap.prompt));
    for (const input of [full, compactSoloPrompts(full)]) {
      const g = project(input, { seed: 1 });
      expect(g.edgeCount).toBe(1);
      expect(edgeEvidence(g, 0).prompt).toBeCloseTo(want, 5);
    }
  });
});
