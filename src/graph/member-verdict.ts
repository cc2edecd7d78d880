import { EVIDENCE_KINDS, EVIDENCE_SLOTS, otherEnd, type Adjacency, type Evidence, type ProjectedGraph } from './projected-graph.js';
import { round } from './features.js';
import type { Recommendation } from '../vocabulary/index.js';

/**
 * A verdict per account, not only per cluster. A cluster's score says the group is a ring; it does not
 * say each member belongs to it. A legitimate user whose home IP is one of a ring's residential proxy
 * exits is attached to the ring by that one shared IP and nothing else, and banning them bans a
 * customer. Evidence of one kind is correlated (one IP, one card), so a member held by a single kind
 * rests on a single observation however many links it spans; Fellegi–Sunter's independence holds
 * between kinds, not within one. A member is enforced only when at least `minKinds` independent kinds
 * (payment, network = IP or subnet, prompts, synchrony) each attach it to its cluster with at least
 * `minKindBits` bits.
 */
export interface MemberVerdictOptions {
  /** A kind counts as attaching a member when its links into the cluster carry this many bits in all. @defaultValue 4 */
  readonly minKindBits: number;
  /** Independent kinds needed for a member to inherit its cluster's `enforce`. @defaultValue 2 */
  readonly minKinds: number;
}

export const MEMBER_VERDICT_DEFAULTS: MemberVerdictOptions = { minKindBits: 4, minKinds: 2 };

/** Independent kinds of evidence: IP and subnet are two levels of one network comparison. */
export const INDEPENDENT_KINDS = ['payment', 'network', 'prompt', 'sync'] as const;
export type IndependentKind = (typeof INDEPENDENT_KINDS)[number];

/** A member's attachment as MEMBER_OF.attachment stores it (JSON), and as explain and the report read it. */
export interface MemberAttachment {
  readonly bits: Readonly<Record<string, number>>;
  readonly links: number;
  readonly strongestLink: number;
  readonly weakestLink: number;
}

/** One line for people: "payment 12.3, ip 1.0, 4 links, strongest 9.1, weakest 1.0 bits" (explain, report). */
export function describeAttachment(a: MemberAttachment): string {
  const bits = Object.entries(a.bits)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(', ');
  return `${bits}, ${a.links} links, strongest ${a.strongestLink.toFixed(1)}, weakest ${a.weakestLink.toFixed(1)} bits`;
}

export interface MemberVerdict {
  readonly account: string;
  /** Bits of the member's links into its cluster, summed by evidence kind. */
  readonly bits: Evidence;
  /** Independent kinds attaching the member with ≥ minKindBits each. */
  readonly kinds: readonly IndependentKind[];
  /** Links into the cluster, and the strongest and weakest of them (bits). */
  readonly links: number;
  readonly strongestLink: number;
  readonly weakestLink: number;
  readonly recommendation: Recommendation;
  readonly reasons: readonly string[];
}

const kindBits = (b: Evidence, k: IndependentKind): number => (k === 'network' ? b.ip + b.subnet : b[k]);

/** Each member's attachment to its cluster and its own recommendation. Pure. */
export function memberVerdicts(
  g: ProjectedGraph,
  adj: Adjacency,
  cluster: readonly number[],
  clusterRecommendation: Recommendation,
  options: Partial<MemberVerdictOptions> = {},
): MemberVerdict[] {
  const o = { ...MEMBER_VERDICT_DEFAULTS, ...options };
  const inside = new Set(cluster);
  return cluster.map((v) => {
    const bits = Object.fromEntries(EVIDENCE_KINDS.map((k) => [k, 0])) as Evidence;
    let links = 0;
    let strongest = 0;
    let weakest = Infinity;
    for (let p = adj.offsets[v]!; p < adj.offsets[v + 1]!; p++) {
      const e = adj.edges[p]!;
      if (!inside.has(otherEnd(g, e, v))) continue;
      links++;
      const w = g.weight[e]!;
      if (w > strongest) strongest = w;
      if (w < weakest) weakest = w;
      EVIDENCE_KINDS.forEach((k, i) => (bits[k] += g.evidence[e * EVIDENCE_SLOTS + i]!));
    }
    for (const k of EVIDENCE_KINDS) bits[k] = round(bits[k]);
    const kinds = INDEPENDENT_KINDS.filter((k) => kindBits(bits, k) >= o.minKindBits);
    const held = `${links} link${links === 1 ? '' : 's'} into the cluster by ${describe(bits, kinds)} (strongest ${strongest.toFixed(1)}, weakest ${(links ? weakest : 0).toFixed(1)} bits)`;
    let recommendation = clusterRecommendation;
    const reasons: string[] = [];
    if (clusterRecommendation === 'enforce' && kinds.length < o.minKinds) {
      recommendation = 'review';
      const only = kinds.length === 1 ? `${kinds[0]} evidence only` : 'no kind of evidence strong on its own';
      reasons.push(
        `review, not enforce: held in an enforced cluster by ${only} (${held}); one kind is one observation, which a shared home, office or proxy exit explains`,
      );
    } else {
      reasons.push(`${kinds.length} independent kind${kinds.length === 1 ? '' : 's'} of evidence: ${held}`);
    }
    return {
      account: g.accounts[v]!,
      bits,
      kinds,
      links,
      strongestLink: round(strongest),
      weakestLink: round(links ? weakest : 0),
      recommendation,
      reasons,
    };
  });
}

function describe(bits: Evidence, kinds: readonly IndependentKind[]): string {
  const parts = INDEPENDENT_KINDS.map((k) => [k, kindBits(bits, k)] as const).filter(([, b]) => b > 0);
  if (parts.length === 0) return 'no evidence';
  return parts
    .sort((a, b) => b[1] - a[1])
    .map(([k, b]) => `${k} ${b.toFixed(1)} bits${kinds.includes(k) ? '' : ' (weak)'}`)
    .join(', ');
}
