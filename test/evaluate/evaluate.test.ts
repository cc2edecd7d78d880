import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluate, readPredictionsCsv, readTruthCsv, writePredictionsCsv, formatEvaluation, type Prediction, type TruthRow } from '../../src/evaluate/index.js';
import { InvalidFileError, InvalidParameterError, InvalidRowError, NoPositiveLabelError } from '../../src/util/errors.js';
import { cli } from '../helpers/cli.js';

const T = (accountId: string, label: string, group = ''): TruthRow => ({ accountId, label, group });
const truth: TruthRow[] = [
  T('a1', 'ring', 'ring:hydra-1'),
  T('a2', 'ring', 'ring:hydra-1'),
  T('a3', 'ring', 'ring:hydra-1'),
  T('a6', 'ring', 'ring:hydra-1'),
  T('a4', 'ring', 'ring:careful-1'),
  T('a5', 'ring', 'ring:careful-1'),
  T('o1', 'legit_org', 'org:1'),
  T('o2', 'legit_org', 'org:1'),
  T('i1', 'legit_individual'),
  T('i2', 'legit_individual'),
  T('i3', 'legit_individual'),
];
const P = (clusterId: string, recommendation: Prediction['recommendation']): Prediction => ({ clusterId, recommendation });
const predictions = new Map<string, Prediction>([
  ['a1', P('C1', 'enforce')],
  ['a2', P('C1', 'enforce')],
  ['a6', P('C1', 'enforce')],
  ['a3', P('C2', 'review')],
  ['o1', P('C2', 'review')],
  ['a4', P('C3', 'monitor')],
  ['o2', P('C4', 'review')],
  ['i1', P('C4', 'review')],
  ['i2', P('C5', 'none')],
  ['x9', P('C6', 'enforce')], // not in the truth: ignored
]);

describe('evaluate (hand-computed case)', () => {
  const e = evaluate(truth, predictions);

  it('account-level precision/recall/F1 at ≥ review and at every level', () => {
    // ≥ review flags a1 a2 a6 a3 o1 o2 i1: 7 flagged, 4 ring → P 4/7, R 4/6, F1 16/26.
    expect(e.minRecommendation).toBe('review');
    expect(e.ringAccounts).toBe(6);
    expect(e.unknownAccounts).toBe(1);
    expect(e.scores).toMatchObject({ flagged: 7, truePositives: 4, falsePositives: 3, falseNegatives: 2 });
    expect(e.scores.precision).toBeCloseTo(4 / 7, 12);
    expect(e.scores.recall).toBeCloseTo(4 / 6, 12);
    expect(e.scores.f1).toBeCloseTo(16 / 26, 12);
    // enforce: a1 a2 a6 → P 1, R 1/2, F1 2/3.  monitor: + a4 → 8 flagged, 5 ring → P 5/8, R 5/6, F1 5/7.
    expect(e.byLevel.enforce).toMatchObject({ flagged: 3, truePositives: 3 });
    expect(e.byLevel.enforce.f1).toBeCloseTo(2 / 3, 12);
    expect(e.byLevel.monitor).toMatchObject({ flagged: 8, truePositives: 5 });
    expect(e.byLevel.monitor.precision).toBeCloseTo(5 / 8, 12);
    expect(e.byLevel.monitor.f1).toBeCloseTo(5 / 7, 12);
  });

  it('recall per ring group and per ring type', () => {
    expect(e.ringGroups).toEqual([
      { group: 'ring:careful-1', type: 'careful', size: 2, flagged: 0, recall: 0 },
      { group: 'ring:hydra-1', type: 'hydra', size: 4, flagged: 4, recall: 1 },
    ]);
    expect(e.ringTypes.map((t) => [t.type, t.size, t.flagged])).toEqual([
      ['careful', 2, 0],
      ['hydra', 4, 4],
    ]);
  });

  it('share of each legitimate category flagged at each level', () => {
    const ind = e.legitFlagged.find((c) => c.label === 'legit_individual')!;
    expect(ind.accounts).toBe(3);
    expect(ind.enforce).toBe(0);
    expect(ind.review).toBeCloseTo(1 / 3, 12);
    expect(ind.monitor).toBeCloseTo(1 / 3, 12); // i2's cluster is 'none'
    expect(e.legitFlagged.find((c) => c.label === 'legit_org')).toMatchObject({ accounts: 2, enforce: 0, review: 1, monitor: 1 });
  });

  it('cluster purity over flagged clusters', () => {
    // C1 {a1 a2 a6} 1.0; C2 {a3 hydra-1, o1 org:1} 0.5; C4 {o2 org:1, i1 alone} 0.5.
    expect(e.purity.flaggedClusters).toBe(3);
    expect(e.purity.mean).toBeCloseTo(2 / 3, 12);
    expect(e.purity.weighted).toBeCloseTo(5 / 7, 12);
    expect(e.purity.clusters[0]).toEqual({ clusterId: 'C1', recommendation: 'enforce', size: 3, ringMembers: 3, majorityGroup: 'ring:hydra-1', purity: 1 });
    expect(e.purity.clusters.find((c) => c.clusterId === 'C4')).toMatchObject({ majorityGroup: 'org:1', purity: 0.5, ringMembers: 0 });
  });

  it('at ≥ enforce only enforce clusters count', () => {
    const en = evaluate(truth, predictions, { minRecommendation: 'enforce' });
    expect(en.scores.precision).toBe(1);
    expect(en.scores.recall).toBe(0.5);
    expect(en.ringGroups.find((g) => g.group === 'ring:hydra-1')!.flagged).toBe(3);
    expect(en.purity.flaggedClusters).toBe(1);
    expect(formatEvaluation(en)).toContain('ring:careful-1');
  });

  it('empty predictions score zero without dividing by zero; duplicates are refused', () => {
    const z = evaluate(truth, new Map());
    expect(z.scores).toMatchObject({ flagged: 0, precision: 0, recall: 0, f1: 0 });
    expect(() => evaluate([...truth, T('a1', 'ring', 'ring:hydra-1')], predictions)).toThrow(InvalidParameterError);
  });
});

describe('positive labels other than ring (issue #19)', () => {
  // The same truth with the ring accounts labelled `fraud`, as another provider's file would.
  const fraud = truth.map((t) => (t.label === 'ring' ? { ...t, label: 'fraud' } : t));

  it('scores `fraud` accounts as rings when named, exactly as `ring` ones', () => {
    const e = evaluate(fraud, predictions, { positiveLabels: ['fraud'] });
    const reference = evaluate(truth, predictions);
    expect(e.ringAccounts).toBe(6);
    expect(e.positiveLabels).toEqual(['fraud']);
    expect(e.byLevel).toEqual(reference.byLevel);
    expect(e.purity).toEqual(reference.purity);
    expect(e.legitFlagged.map((c) => c.label)).toEqual(['legit_individual', 'legit_org']);
    expect(formatEvaluation(e)).toMatch(/^accounts 11, ring accounts 6 \(labelled fraud\)/);
    // Several labels: both count.
    const mixed = [...fraud.slice(0, 3), ...truth.slice(3)];
    expect(evaluate(mixed, predictions, { positiveLabels: ['fraud', 'ring'] }).byLevel).toEqual(reference.byLevel);
  });

  it('refuses a truth file with no positive account, naming the labels it found', () => {
    let caught: unknown;
    try {
      evaluate(fraud, predictions);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NoPositiveLabelError);
    expect((caught as NoPositiveLabelError).found).toEqual([
      ['fraud', 6],
      ['legit_individual', 3],
      ['legit_org', 2],
    ]);
    expect((caught as Error).message).toContain('labels found: fraud (6), legit_individual (3), legit_org (2)');
  });

  it('CLI: --positive-label fraud, and a one-line error without it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-fraud-'));
    const t = path.join(dir, 'truth.csv');
    fs.writeFileSync(t, ['account_id,label,group', ...fraud.map((r) => `${r.accountId},${r.label},${r.group}`)].join('\n') + '\n');
    const p = path.join(dir, 'predictions.csv');
    await writePredictionsCsv(p, predictions);
    const evaluateCli = (args: string[]) => cli(['evaluate', '--truth', t, '--predictions', p, ...args]);
    const ok = await evaluateCli(['--positive-label', 'fraud']);
    expect(ok.stdout).toContain('ring accounts 6 (labelled fraud)');
    expect(ok.stdout).toMatch(/flagged at ≥ review: precision 0\.571 {2}recall 0\.667/);
    const json = JSON.parse((await evaluateCli(['--positive-label', 'fraud,ring', '--json'])).stdout) as { ringAccounts: number; positiveLabels: string[] };
    expect(json).toMatchObject({ ringAccounts: 6, positiveLabels: ['fraud', 'ring'] });
    const failed = await evaluateCli([]).catch((e: { code: number; stderr: string }) => e);
    await expect(evaluateCli(['--positive-label', 'fraud,'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/InvalidParameterError: --positive-label/),
    });
    expect(failed).toMatchObject({ code: 2 });
    const stderr = (failed as { stderr: string }).stderr;
    expect(stderr).toMatch(
      /^ringscope: NoPositiveLabelError: no truth account is labelled ring; labels found: fraud \(6\), .*\(hint: name the ring label\(s\) with --positive-label\)$/m,
    );
    expect(stderr.trim().split('\n')).toHaveLength(1);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('truth and predictions files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-eval-'));

  it('round-trips predictions and reads truth with empty groups', async () => {
    const f = path.join(dir, 'p.csv');
    await writePredictionsCsv(f, predictions);
    expect(await readPredictionsCsv(f)).toEqual(predictions);
    const t = path.join(dir, 'truth.csv');
    fs.writeFileSync(t, 'account_id,label,group\na1,ring,ring:hydra-1\ni1,legit_individual,\n');
    expect(await readTruthCsv(t)).toEqual([T('a1', 'ring', 'ring:hydra-1'), T('i1', 'legit_individual', '')]);
  });

  it('names file, line and field on bad input', async () => {
    const f = path.join(dir, 'bad.csv');
    fs.writeFileSync(f, 'account_id,cluster_id,recommendation\na1,C1,review\na2,C1,ban\n');
    const err = await readPredictionsCsv(f).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRowError);
    expect(err).toMatchObject({ file: f, line: 3, field: 'recommendation' });
    const g = path.join(dir, 'nocol.csv');
    fs.writeFileSync(g, 'account_id,label\na1,ring\n');
    await expect(readTruthCsv(g)).rejects.toBeInstanceOf(InvalidFileError);
    await expect(readTruthCsv(path.join(dir, 'missing.csv'))).rejects.toBeInstanceOf(InvalidFileError);
  });
});
