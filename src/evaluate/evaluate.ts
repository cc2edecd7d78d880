/**
 * Scores predicted clusters against ground truth (truth.csv from `ringscope generate`). Pure: data in,
 * metrics out. Account-level precision/recall/F1 count every ring account as a positive and every
 * other truth account as a negative; accounts in the predictions but not in the truth are ignored
 * (and counted in `unknownAccounts`).
 */
import { ringTypeOf } from '../generator/vocab.js';
import { InvalidParameterError } from '../util/errors.js';
import { RECOMMENDATIONS, isRecommendation, recommendationRank, type Predictions, type Recommendation, type TruthRow } from './types.js';

export interface EvaluateOptions {
  /** An account is flagged when its own recommendation is at least this. @defaultValue 'review' */
  readonly minRecommendation?: Recommendation;
  /** The truth label of fraudulent accounts. @defaultValue 'ring' */
  readonly ringLabel?: string;
}

export const DEFAULTS = { minRecommendation: 'review', ringLabel: 'ring' } as const satisfies Required<EvaluateOptions>;

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
  readonly accounts: number;
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

export function evaluate(truth: readonly TruthRow[], predictions: Predictions, options: EvaluateOptions = {}): Evaluation {
  const opts = { ...DEFAULTS, ...options };
  if (!isRecommendation(opts.minRecommendation)) throw new InvalidParameterError('minRecommendation', `must be one of ${RECOMMENDATIONS.join(', ')}`);
  const minRank = recommendationRank(opts.minRecommendation);
  const seen = new Set<string>();

  // Scored per account: an account is flagged at its own recommendation (a member held by one kind of
  // evidence may be `review` inside an `enforce` cluster). A cluster's level, for purity, is the
  // highest level any of its members carries.
  const clusterRank = new Map<string, number>();
  for (const p of predictions.values()) clusterRank.set(p.clusterId, Math.max(clusterRank.get(p.clusterId) ?? 0, recommendationRank(p.recommendation)));
  const rankOf = (id: string): number => {
    const p = predictions.get(id);
    return p ? recommendationRank(p.recommendation) : 0;
  };

  const levelTp = [0, 0, 0, 0];
  const levelFlagged = [0, 0, 0, 0];
  let positives = 0;
  const groups = new Map<string, { size: number; flagged: number }>();
  const categories = new Map<string, { accounts: number; atLeast: number[] }>();
  const members = new Map<string, TruthRow[]>();

  for (const t of truth) {
    if (seen.has(t.accountId)) throw new InvalidParameterError('truth', `account ${t.accountId} appears twice`);
    seen.add(t.accountId);
    const rank = rankOf(t.accountId);
    const ring = t.label === opts.ringLabel;
    if (ring) positives++;
    for (let l = 1; l <= 3; l++) {
      if (rank >= l) {
        levelFlagged[l]!++;
        if (ring) levelTp[l]!++;
      }
    }
    if (ring) {
      const g = groups.get(t.group) ?? { size: 0, flagged: 0 };
      g.size++;
      if (rank >= minRank) g.flagged++;
      groups.set(t.group, g);
    } else {
      const c = categories.get(t.label) ?? { accounts: 0, atLeast: [0, 0, 0, 0] };
      c.accounts++;
      for (let l = 1; l <= rank; l++) c.atLeast[l]!++;
      categories.set(t.label, c);
    }
    const p = predictions.get(t.accountId);
    if (p && rank >= minRank) {
      const list = members.get(p.clusterId) ?? [];
      list.push(t);
      members.set(p.clusterId, list);
    }
  }
  let unknownAccounts = 0;
  for (const id of predictions.keys()) if (!seen.has(id)) unknownAccounts++;

  const byLevel = Object.fromEntries(
    RECOMMENDATIONS.map((r) => {
      const l = recommendationRank(r);
      return [r, scores(levelTp[l]!, levelFlagged[l]!, positives)];
    }),
  ) as Record<Recommendation, Scores>;

  const ringGroups: GroupRecall[] = [...groups.entries()]
    .map(([group, g]) => ({ group, type: ringTypeOf(group) ?? 'unknown', size: g.size, flagged: g.flagged, recall: g.flagged / g.size }))
    .sort((a, b) => a.type.localeCompare(b.type) || a.group.localeCompare(b.group, 'en', { numeric: true }));
  const types = new Map<string, { size: number; flagged: number }>();
  for (const g of ringGroups) {
    const t = types.get(g.type) ?? { size: 0, flagged: 0 };
    t.size += g.size;
    t.flagged += g.flagged;
    types.set(g.type, t);
  }
  const ringTypes: GroupRecall[] = [...types.entries()]
    .map(([type, t]) => ({ group: type, type, size: t.size, flagged: t.flagged, recall: t.flagged / t.size }))
    .sort((a, b) => a.type.localeCompare(b.type));

  const legitFlagged: CategoryFlagged[] = [...categories.entries()]
    .map(([label, c]) => ({
      label,
      accounts: c.accounts,
      monitor: c.atLeast[1]! / c.accounts,
      review: c.atLeast[2]! / c.accounts,
      enforce: c.atLeast[3]! / c.accounts,
    }))
    .sort((a, b) => a.label.localeCompare(b.label));

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
      ringMembers: list.filter((t) => t.label === opts.ringLabel).length,
      majorityGroup,
      purity: best / list.length,
    });
  }
  clusters.sort((a, b) => b.size - a.size || a.clusterId.localeCompare(b.clusterId));

  return {
    minRecommendation: opts.minRecommendation,
    accounts: truth.length,
    ringAccounts: positives,
    unknownAccounts,
    scores: byLevel[opts.minRecommendation],
    byLevel,
    ringGroups,
    ringTypes,
    legitFlagged,
    purity: {
      flaggedClusters: clusters.length,
      mean: clusters.length ? clusters.reduce((a, c) => a + c.purity, 0) / clusters.length : 0,
      weighted: sizeSum ? majoritySum / sizeSum : 0,
      clusters,
    },
  };
}
