import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterPredictions, evaluate, readTruthCsv } from '../../src/evaluate/index.js';
import { generate } from '../../src/generator/index.js';
import { runDetection } from '../../src/graph/index.js';
import { readDropAsLinkageInput } from '../../src/loaders/index.js';

/**
 * Detection quality on a small `mixed` scenario of the generator (every ring type and every
 * look-alike). The bars are the acceptance criteria; constants were not fitted to this data
 * (see docs/detection.md for the principle behind each weight).
 */
describe('detection quality on a generated mixed scenario', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-quality-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reaches F1 ≥ 0.95 at review, no legitimate account in enforce, ≤ 0.5% of org accounts flagged, recall ≥ 0.9 per ring type', async () => {
    const g = await generate({ scenario: 'mixed', accounts: 3000, seed: 11, out: dir });
    const input = await readDropAsLinkageInput(g.dropDir);
    const res = await runDetection(input, { seed: 1, releaseDate: Date.parse('2026-02-12T17:00:00Z') });
    const predictions = clusterPredictions(res.clusters);
    const truth = await readTruthCsv(g.truthFile);
    const ev = evaluate(truth, predictions, { minRecommendation: 'review' });
    expect(ev.ringAccounts).toBeGreaterThan(50);
    expect(ev.scores.f1).toBeGreaterThanOrEqual(0.95);
    for (const t of ev.ringTypes) expect(t.recall, t.type).toBeGreaterThanOrEqual(0.9);
    expect(ev.ringTypes.map((t) => t.type)).toEqual(expect.arrayContaining(['careful', 'hydra', 'camouflage']));
    for (const l of ev.legitFlagged) expect(l.enforce, l.label).toBe(0);
    const org = ev.legitFlagged.find((l) => l.label === 'legit_org')!;
    expect(org.accounts).toBeGreaterThan(0);
    expect(org.review).toBeLessThanOrEqual(0.005);
  });
});
