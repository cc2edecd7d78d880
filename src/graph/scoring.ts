import type { Assignment, Capability, LinkageInput } from './types.js';
import { DEFAULT_TARGET_CAPABILITIES } from '../vocabulary/capabilities.js';
import { buildAdjacency, type ProjectedGraph } from './projected-graph.js';
import { memberVerdicts, type MemberVerdict, type MemberVerdictOptions } from './member-verdict.js';
import { clusterFeatures, evidenceRow, internalStructure, round, type ClusterFeatures } from './features.js';

/**
 * Cluster scoring as a transparent log-odds sum (the Fellegi–Sunter / Splink "waterfall"): a prior
 * plus one signed contribution per feature, each recorded for the explanation. The contributions are
 * expert-set priors from the public campaign reports (docs/detection.md, "Scoring and explanation"), not fitted to any generator:
 * coordination signals (creation waves, synchrony beyond chance, proxies, shared payment) and
 * distillation content (narrow target capabilities, templates, CoT/rubric markers) push up;
 * signs of an accountable organisation (verified accounts on a private domain created over months,
 * office hours) push down; and small clusters need much more evidence, since a family or two
 * colleagues sharing a card is the common case.
 *
 * Gates follow Zingg's suggested thresholds: enforce ≥ 0.8, review ≥ 0.4, otherwise monitor.
 */
export interface ScoringOptions {
  /** Log-odds before any evidence (most linked groups are benign). @defaultValue -3 */
  readonly prior: number;
  /** @defaultValue 0.8 */
  readonly enforceAt: number;
  /** @defaultValue 0.4 */
  readonly reviewAt: number;
  /** Model-release time (epoch ms) for the traffic-shift feature; unset disables it. @defaultValue undefined */
  readonly releaseDate: number | undefined;
  /** Reasons kept per cluster. @defaultValue 5 */
  readonly maxReasons: number;
  /** Links kept per cluster for write-back: the maximum spanning tree, truncated to this. @defaultValue 500 */
  readonly maxTreeLinks: number;
  /** Strongest non-tree links kept per cluster in addition. @defaultValue 20 */
  readonly extraLinks: number;
  /** Lower an identifiable customer one level: never enforce, and review becomes monitor (see isAccountable). @defaultValue true */
  readonly capAccountable: boolean;
  /** Per-member verdicts (member-verdict.ts). @defaultValue MEMBER_VERDICT_DEFAULTS */
  readonly members: Partial<MemberVerdictOptions>;
  /**
   * Capability labels that count as distillation targets (capability focus); other labels are
   * ordinary use. Config: RINGSCOPE_TARGET_CAPABILITIES. @defaultValue DEFAULT_TARGET_CAPABILITIES
   */
  readonly targetCapabilities: readonly Capability[];
}

export const SCORING_DEFAULTS: ScoringOptions = {
  prior: -3,
  enforceAt: 0.8,
  reviewAt: 0.4,
  releaseDate: undefined,
  maxReasons: 5,
  maxTreeLinks: 500,
  extraLinks: 20,
  capAccountable: true,
  members: {},
  targetCapabilities: DEFAULT_TARGET_CAPABILITIES,
};

import type { Recommendation } from '../vocabulary/index.js';
export { RECOMMENDATIONS, type Recommendation } from '../vocabulary/index.js';

export interface LinkReport {
  readonly a: string;
  readonly b: string;
  readonly weight: number;
  readonly evidence: Record<string, number>;
}

export interface Contribution {
  readonly feature: string;
  /** Log-odds added. */
  readonly logOdds: number;
  readonly reason: string;
}

export interface ClusterReport {
  /** Run-local id: the smallest member account id. Lineage maps it to a stable id. */
  readonly key: string;
  readonly members: readonly string[];
  readonly size: number;
  readonly score: number;
  readonly recommendation: Recommendation;
  readonly reasons: readonly string[];
  readonly features: ClusterFeatures;
  readonly contributions: readonly Contribution[];
  readonly weakestLink: LinkReport | undefined;
  readonly links: readonly LinkReport[];
  /** Each member's attachment and own recommendation, in `members` order. */
  readonly memberVerdicts: readonly MemberVerdict[];
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;
const clip = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** Feature → contributions (pure; exported for tests and documentation). */
export function contributions(f: ClusterFeatures, releaseDate?: number, targets: readonly Capability[] = DEFAULT_TARGET_CAPABILITIES): Contribution[] {
  const out: Contribution[] = [];
  const n = f.size;
  // Cluster features are statistics over members: shrink them towards 0 by n/(n+1) (empirical-Bayes
  // style shrinkage), so two accounts cannot look like a fleet on shares of 2.
  const reliability = n / (n + 1);
  const add = (feature: string, logOdds: number, reason: string): void => {
    const x = feature === 'size' ? logOdds : logOdds * reliability;
    if (Math.abs(x) >= 0.01) out.push({ feature, logOdds: round(x), reason });
  };
  add('size', n <= 2 ? -2.5 : n === 3 ? -1.5 : n === 4 ? -0.75 : clip(0.5 * Math.log2(n / 4), 0, 1.5), `${n} linked accounts`);
  if (f.sharedPayments > 0)
    add(
      'sharedPayments',
      (f.accountsOnSharedPayments / n) * clip(f.accountsOnSharedPayments / f.sharedPayments / 3, 0.3, 1),
      `${f.accountsOnSharedPayments} accounts share ${f.sharedPayments} payment method${f.sharedPayments > 1 ? 's' : ''}`,
    );
  if (f.waveShare !== undefined && f.waves !== undefined && n >= 5)
    add(
      'creationWaves',
      clip(3 * (f.waveShare - 0.5), -1.5, 1.5),
      `${pct(f.waveShare)} created in ${Math.min(3, f.waves)} wave${f.waves > 1 ? 's' : ''} (${f.waves} in all over ${Math.round(f.creationSpanDays ?? 0)} days)`,
    );
  // Verification costs a fleet something, but resellers sell verified accounts and careful operators
  // verify their own: it is weak evidence either way (bounded at ±1 log-odds). The strong pattern of
  // a legitimate team (verified *and* a private domain *and* created over months) is scored jointly
  // below (identifiableCustomer), where it belongs.
  if (f.verifiedShare !== undefined) add('verified', clip(2 * (0.5 - f.verifiedShare), -1, 1), `${pct(f.verifiedShare)} verified`);
  if (f.topDomain !== undefined && (f.topDomainShare ?? 0) >= 0.6 && (f.topDomainExclusivity ?? 0) >= 0.8 && (f.verifiedShare ?? 0) >= 0.5)
    add('privateDomain', -1.5, `${pct(f.topDomainShare!)} on one private, verified domain (${f.topDomain})`);
  if (f.targetCapabilityShare !== undefined)
    add(
      'capabilityFocus',
      clip((f.targetCapabilityShare - 0.5) * 2, -1, 1),
      `${pct(f.targetCapabilityShare)} of prompts on ${targets.join('/')} (top: ${f.topCapability})`,
    );
  if (f.templatedShare !== undefined)
    add(
      'templated',
      clip((1.5 * (f.templatedShare - 0.3)) / 0.7, -0.5, 1.5),
      f.templatedShare > 0
        ? `${pct(f.templatedShare)} of prompts come from ${f.templatesFor90 ?? 0} templates shared by members`
        : 'no prompt shared between members',
    );
  if (f.markerShare !== undefined)
    add('cotRubric', 1.5 * Math.min(1, f.markerShare / 0.5), `${pct(f.markerShare)} of prompts ask for chain-of-thought or rubric grading`);
  if (f.peakHoursShare !== undefined)
    add(
      'clock',
      f.peakHoursShare <= 0.5 ? 0.75 : f.peakHoursShare >= 0.85 ? -1 : 0.75 - (1.75 * (f.peakHoursShare - 0.5)) / 0.35,
      f.peakHoursShare <= 0.6
        ? `active around the clock (${pct(1 - f.peakHoursShare)} of requests outside the busiest 10 hours)`
        : `${pct(f.peakHoursShare)} of requests within 10 hours of the day`,
    );
  if (f.syncLift !== undefined && n >= 3)
    add('synchrony', 1.5 * clip((Math.log2(f.syncLift) - 1) / 2, 0, 1), `members active in the same hours ${f.syncLift.toFixed(1)}× more than chance`);
  if (f.releaseShift !== undefined && releaseDate !== undefined)
    add(
      'releaseShift',
      clip(Math.log2(f.releaseShift) / 2, 0, 1),
      `traffic ×${f.releaseShift.toFixed(1)} in the 24 h after the ${new Date(releaseDate).toISOString().slice(0, 10)} release`,
    );
  if (f.proxyShare !== undefined) add('proxy', 1.5 * f.proxyShare, `${pct(f.proxyShare)} of IP use through datacenter/proxy IPs`);
  if (f.requestsPerAccountDay !== undefined)
    add('volume', 0.5 * Math.min(1, f.requestsPerAccountDay / 20), `${Math.round(f.requestsPerAccountDay)} requests per account per day`);
  // The joint pattern of an identifiable customer (see isAccountable) is stronger evidence than its
  // parts: each part is cheap for a legitimate team and hard for a fleet, and a fleet needs all three
  // (a private domain it controls, every account verified on it, creation spread over months). It
  // names an accountable party, so it outweighs what the traffic looks like (≈ 1:30).
  if (isAccountable(f))
    add('identifiableCustomer', -3.5, `an identifiable customer: verified accounts on ${f.topDomain} created over ${Math.round(f.creationSpanDays ?? 0)} days`);
  if (n >= 5 && f.weakestLinkBits < 6) add('chain', -0.5, `held together by a weak link of ${f.weakestLinkBits.toFixed(1)} bits`);
  // Capability focus, templating and CoT/rubric markers describe one thing (what is asked), so they
  // are not independent evidence (the naive-Bayes assumption behind a log-odds sum): their joint
  // positive push is capped at CONTENT_CAP, scaled proportionally.
  const content = out.filter((c) => CONTENT.has(c.feature) && c.logOdds > 0);
  const total = content.reduce((s, c) => s + c.logOdds, 0);
  if (total > CONTENT_CAP) {
    return out.map((c) => (CONTENT.has(c.feature) && c.logOdds > 0 ? { ...c, logOdds: round((c.logOdds * CONTENT_CAP) / total) } : c));
  }
  return out;
}

const CONTENT = new Set(['capabilityFocus', 'templated', 'cotRubric']);
const CONTENT_CAP = 2.5;

/**
 * An identifiable customer: verified accounts on one private domain, created steadily over months.
 * Distillation fleets are built from disposable identities; a customer like this is a contract and
 * account-management matter, so automation never recommends more than review for it.
 */
export function isAccountable(f: ClusterFeatures): boolean {
  return (
    f.size >= 3 &&
    (f.verifiedShare ?? 0) >= 0.9 &&
    (f.topDomainShare ?? 0) >= 0.8 &&
    (f.topDomainExclusivity ?? 0) >= 0.8 &&
    (f.waveShare === undefined || f.waveShare <= 0.5 || f.size < 6) &&
    (f.creationSpanDays ?? 0) >= 60
  );
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Score, recommend and explain every cluster of ≥ 2 accounts. Pure. */
export function scoreClusters(input: LinkageInput, g: ProjectedGraph, assignment: Assignment, options: Partial<ScoringOptions> = {}): ClusterReport[] {
  const o = { ...SCORING_DEFAULTS, ...options };
  const index = new Map<string, number>();
  g.accounts.forEach((a, i) => index.set(a, i));
  const groups = new Map<string, number[]>();
  for (const [account, cluster] of assignment) {
    const v = index.get(account);
    if (v === undefined) continue;
    const l = groups.get(cluster);
    if (l) l.push(v);
    else groups.set(cluster, [v]);
  }
  const clusters = [...groups.values()].filter((c) => c.length >= 2).map((c) => c.sort((a, b) => a - b));
  clusters.sort((a, b) => a[0]! - b[0]!);
  const adjacency = buildAdjacency(g);
  const structure = internalStructure(g, clusters, adjacency);
  const feats = clusterFeatures(input, g, clusters, structure, o.releaseDate, o.targetCapabilities);
  const link = (e: number): LinkReport => ({ a: g.accounts[g.src[e]!]!, b: g.accounts[g.dst[e]!]!, weight: round(g.weight[e]!), evidence: evidenceRow(g, e) });
  return clusters.map((c, i) => {
    const f = feats[i]!;
    const s = structure[i]!;
    const contrib = contributions(f, o.releaseDate, o.targetCapabilities);
    const logit = o.prior + contrib.reduce((t, x) => t + x.logOdds, 0);
    const score = round(sigmoid(logit), 4);
    let recommendation: Recommendation = score >= o.enforceAt ? 'enforce' : score >= o.reviewAt ? 'review' : 'monitor';
    // An identifiable customer is lowered one level (enforce → review, review → monitor). Its
    // accountability says who it is; its traffic (batch 24/7 schedules, templates, a surge after a
    // release: what an eval company does) is not independent of that, so a log-odds sum that adds
    // the traffic on top double-counts it (the naive-Bayes assumption fails there). Automation
    // leaves such a customer to account management: a human reviews what would be enforced, and what
    // would be reviewed is watched.
    const lowered = recommendation !== 'monitor' && o.capAccountable && isAccountable(f);
    const capped = lowered && recommendation === 'enforce';
    if (lowered) recommendation = capped ? 'review' : 'monitor';
    // Reasons: the strongest contributions in the direction of the verdict first.
    const sign = recommendation === 'monitor' ? -1 : 1;
    const reasons = [
      ...(lowered
        ? [
            `${capped ? 'capped at review' : 'lowered to monitor'}: ${pct(f.verifiedShare!)} verified accounts on ${f.topDomain}, created over ${Math.round(f.creationSpanDays!)} days (an identifiable customer)`,
          ]
        : []),
      ...[...contrib]
        .sort((x, y) => sign * (y.logOdds - x.logOdds))
        .slice(0, o.maxReasons)
        .map((x) => x.reason),
    ];
    const inTree = new Set(s.tree);
    // Truncated trees keep their strongest links and always the weakest one (the chain an analyst must see).
    const tree = s.tree.length <= o.maxTreeLinks ? s.tree : [...s.tree.slice(0, Math.max(0, o.maxTreeLinks - 1)), s.tree[s.tree.length - 1]!];
    const extra = s.edges.filter((e) => !inTree.has(e)).slice(0, o.extraLinks);
    return {
      key: g.accounts[c[0]!]!,
      members: c.map((v) => g.accounts[v]!),
      size: c.length,
      score,
      recommendation,
      reasons,
      features: f,
      contributions: contrib,
      weakestLink: s.tree.length ? link(s.tree[s.tree.length - 1]!) : undefined,
      links: [...tree, ...extra].map(link),
      memberVerdicts: memberVerdicts(g, adjacency, c, recommendation, o.members),
    };
  });
}
