/**
 * Scores predicted clusters against ground truth (truth.csv from `ringscope generate`). Pure: data in,
 * metrics out. Account-level precision/recall/F1 count every ring account as a positive and every
 * other truth account as a negative; accounts in the predictions but not in the truth are ignored
 * (and counted in `unknownAccounts`).
 */
import { ringTypeOf } from '../generator/vocab.js';
import { InvalidParameterError, NoPositiveLabelError } from '../util/errors.js';
import { RECOMMENDATIONS, isRecommendation, flagLevel, type Predictions, type Recommendation, type TruthRow } from './types.js';

export interface EvaluateOptions {
  /** An account is flagged when its own recommendation is at least this. @defaultValue 'review' */
  readonly minRecommendation?: Recommendation;
  /** Truth labels of fraudulent (ring) accounts; every other label is a legitimate category. @defaultValue ['ring'] */
  readonly positiveLabels?: readonly string[];
}

export const DEFAULTS = { minRecommendation: 'review', positiveLabels: ['ring'] } as const satisfies Required<EvaluateOptions>;

export interface Scores {
  readonly flagged: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  /** TP / flagged; 0 when nothing is flagged. */
  readonly precision: number;
  /** TP / ring accounts; 0 when there are none. */
  readonly recall: number;
  /** Harmonic mean of precision and recall; 0 when both are 0. */
  readonly f1: number;
}

export interface GroupRecall {
  readonly group: string;
  /** Parsed from `ring:<type>-<n>`; 'unknown' when the group name does not follow that form. */
  readonly type: string;
  readonly size: number;
  readonly flagged: number;
  readonly recall: number;
}

export interface CategoryFlagged {
  readonly label: string;
  readonly accounts: number;
  /** Share of the category's accounts flagged at ≥ each level. */
  readonly enforce: number;
  readonly review: number;
  readonly monitor: number;
}

export interface ClusterPurity {
  readonly clusterId: string;
  readonly recommendation: Recommendation;
  /** Members present in the truth. */
  readonly size: number;
  readonly ringMembers: number;
  /** The most common truth group ('' groups count each account as its own group). */
  readonly majorityGroup: string;
  /** Share of members in the majority group. */
  readonly purity: number;
}

export interface Evaluation {
  readonly minRecommendation: Recommendation;
  /** The truth labels counted as ring accounts. */
  readonly positiveLabels: readonly string[];
  readonly accounts: number;
  /** Truth accounts carrying a positive label. */
  readonly ringAccounts: number;
  /** Prediction entries whose account is not in the truth (ignored). */
  readonly unknownAccounts: number;
  /** Scores at the chosen minimum level. */
  readonly scores: Scores;
  /** Scores at every level (for the table's side-by-side). */
  readonly byLevel: Readonly<Record<Recommendation, Scores>>;
  readonly ringGroups: readonly GroupRecall[];
  readonly ringTypes: readonly GroupRecall[];
  readonly legitFlagged: readonly CategoryFlagged[];
  readonly purity: {
    readonly flaggedClusters: number;
    /** Unweighted mean of cluster purities (0 when no cluster is flagged). */
    readonly mean: number;
    /** Σ majority members / Σ members over flagged clusters. */
    readonly weighted: number;
    readonly clusters: readonly ClusterPurity[];
  };
}

function scores(tp: number, flagged: number, positives: number): Scores {
  const precision = flagged > 0 ? tp / flagged : 0;
  const recall = positives > 0 ? tp / positives : 0;
  return {
    flagged,
    truePositives: tp,
    falsePositives: flagged - tp,
    falseNegatives: positives - tp,
    precision,
    recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
  };
}

/** Rank of each prediction's cluster (for purity): the highest level any of its members carries. */
function clusterRanks(predictions: Predictions): Map<string, number> {
  const clusterRank = new Map<string, number>();
  for (const p of predictions.values()) clusterRank.set(p.clusterId, Math.max(clusterRank.get(p.clusterId) ?? 0, flagLevel(p.recommendation)));
  return clusterRank;
}

/** Counts over the truth file, one pass. */
interface Tally {
  readonly seen: Set<string>;
  /** Flagged accounts and true positives at ≥ each rank (index 1..3). */
  readonly levelFlagged: number[];
  readonly levelTp: number[];
  positives: number;
  readonly groups: Map<string, { size: number; flagged: number }>;
  /** Legitimate categories: accounts, and accounts flagged at ≥ each rank. */
  readonly categories: Map<string, { accounts: number; atLeast: number[] }>;
  /** Truth rows of the members of each flagged cluster. */
  readonly members: Map<string, TruthRow[]>;
}

function tally(truth: readonly TruthRow[], predictions: Predictions, positive: ReadonlySet<string>, minRank: number): Tally {
  const t: Tally = {
    seen: new Set(),
    levelFlagged: [0, 0, 0, 0],
    levelTp: [0, 0, 0, 0],
    positives: 0,
    groups: new Map(),
    categories: new Map(),
    members: new Map(),
  };
  for (const row of truth) {
    if (t.seen.has(row.accountId)) throw new InvalidParameterError('truth', `account ${row.accountId} appears twice`);
    t.seen.add(row.accountId);
    const p = predictions.get(row.accountId);
    // Scored per account: an account is flagged at its own recommendation (a member held by one kind
    // of evidence may be `review` inside an `enforce` cluster); the cluster's rank is for purity.
    const rank = p ? flagLevel(p.recommendation) : 0;
    const ring = positive.has(row.label);
    if (ring) t.positives++;
    for (let l = 1; l <= rank; l++) {
      t.levelFlagged[l]!++;
      if (ring) t.levelTp[l]!++;
    }
    if (ring) {
      const g = t.groups.get(row.group) ?? { size: 0, flagged: 0 };
      g.size++;
      if (rank >= minRank) g.flagged++;
      t.groups.set(row.group, g);
    } else {
      const c = t.categories.get(row.label) ?? { accounts: 0, atLeast: [0, 0, 0, 0] };
      c.accounts++;
      for (let l = 1; l <= rank; l++) c.atLeast[l]!++;
      t.categories.set(row.label, c);
    }
    if (p && rank >= minRank) {
      const list = t.members.get(p.clusterId) ?? [];
      list.push(row);
      t.members.set(p.clusterId, list);
    }
  }
  return t;
}

/** Refuse a truth file with no positive account: every score would be 0 without saying why. */
function requirePositives(t: Tally, truth: readonly TruthRow[], positiveLabels: readonly string[]): void {
  if (t.positives > 0 || truth.length === 0) return;
  const found = new Map<string, number>();
  for (const row of truth) found.set(row.label, (found.get(row.label) ?? 0) + 1);
  throw new NoPositiveLabelError(
    positiveLabels,
    [...found.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  );
}

function levelScores(t: Tally): Record<Recommendation, Scores> {
  return Object.fromEntries(
    RECOMMENDATIONS.map((r) => {
      const l = flagLevel(r);
      return [r, scores(t.levelTp[l]!, t.levelFlagged[l]!, t.positives)];
    }),
  ) as Record<Recommendation, Scores>;
}

/** Recall per ring group, and per ring type (parsed from the group name). */
function ringRecall(groups: Tally['groups']): { ringGroups: GroupRecall[]; ringTypes: GroupRecall[] } {
  const ringGroups: GroupRecall[] = [...groups.entries()]
    .map(([group, g]) => ({ group, type: ringTypeOf(group) ?? 'unknown', size: g.size, flagged: g.flagged, recall: g.flagged / g.size }))
    .sort((a, b) => a.type.localeCompare(b.type) || a.group.localeCompare(b.group, 'en', { numeric: true }));
  const types = new Map<string, { size: number; flagged: number }>();
  for (const g of ringGroups) {
    const x = types.get(g.type) ?? { size: 0, flagged: 0 };
    x.size += g.size;
    x.flagged += g.flagged;
    types.set(g.type, x);
  }
  const ringTypes: GroupRecall[] = [...types.entries()]
    .map(([type, x]) => ({ group: type, type, size: x.size, flagged: x.flagged, recall: x.flagged / x.size }))
    .sort((a, b) => a.type.localeCompare(b.type));
  return { ringGroups, ringTypes };
}

function legitFlagged(categories: Tally['categories']): CategoryFlagged[] {
  return [...categories.entries()]
    .map(([label, c]) => ({
      label,
      accounts: c.accounts,
      monitor: c.atLeast[1]! / c.accounts,
      review: c.atLeast[2]! / c.accounts,
      enforce: c.atLeast[3]! / c.accounts,
    }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** Purity of each flagged cluster: the share of its members in its most common truth group. */
function purity(members: Tally['members'], clusterRank: ReadonlyMap<string, number>, positive: ReadonlySet<string>): Evaluation['purity'] {
  const clusters: ClusterPurity[] = [];
  let majoritySum = 0;
  let sizeSum = 0;
  for (const [clusterId, list] of members) {
    const counts = new Map<string, number>();
    for (const t of list) {
      const key = t.group === '' ? `account:${t.accountId}` : t.group;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    let majorityGroup = '';
    let best = 0;
    // Ties go to a named group over a lone account, then to the lexically smaller name (deterministic).
    const tieKey = (g: string): string => (g.startsWith('account:') ? `1${g}` : `0${g}`);
    for (const [g, c] of counts) if (c > best || (c === best && tieKey(g) < tieKey(majorityGroup))) [majorityGroup, best] = [g, c];
    majoritySum += best;
    sizeSum += list.length;
    clusters.push({
      clusterId,
      recommendation: RECOMMENDATIONS[clusterRank.get(clusterId)! - 1]!,
      size: list.length,
      ringMembers: list.filter((t) => positive.has(t.label)).length,
      majorityGroup,
      purity: best / list.length,
    });
  }
  clusters.sort((a, b) => b.size - a.size || a.clusterId.localeCompare(b.clusterId));
  return {
    flaggedClusters: clusters.length,
    mean: clusters.length ? clusters.reduce((a, c) => a + c.purity, 0) / clusters.length : 0,
    weighted: sizeSum ? majoritySum / sizeSum : 0,
    clusters,
  };
}

/** Score predictions against truth. Throws NoPositiveLabelError when no truth account carries a positive label. */
export function evaluate(truth: readonly TruthRow[], predictions: Predictions, options: EvaluateOptions = {}): Evaluation {
  const opts = { ...DEFAULTS, ...options };
  if (!isRecommendation(opts.minRecommendation)) throw new InvalidParameterError('minRecommendation', `must be one of ${RECOMMENDATIONS.join(', ')}`);
  if (opts.positiveLabels.length === 0) throw new InvalidParameterError('positiveLabels', 'must name at least one label');
  const positive = new Set(opts.positiveLabels);
  const clusterRank = clusterRanks(predictions);
  const t = tally(truth, predictions, positive, flagLevel(opts.minRecommendation));
  requirePositives(t, truth, opts.positiveLabels);
  let unknownAccounts = 0;
  for (const id of predictions.keys()) if (!t.seen.has(id)) unknownAccounts++;
  const byLevel = levelScores(t);
  return {
    minRecommendation: opts.minRecommendation,
    positiveLabels: [...opts.positiveLabels],
    accounts: truth.length,
    ringAccounts: t.positives,
    unknownAccounts,
    scores: byLevel[opts.minRecommendation],
    byLevel,
    ...ringRecall(t.groups),
    legitFlagged: legitFlagged(t.categories),
    purity: purity(t.members, clusterRank, positive),
  };
}
