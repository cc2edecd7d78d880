/**
 * Coherence of a shared network identifier: does sharing it mean its holders are one party?
 *
 * A NAT exit (CGNAT, campus, coworking, VPN) is held by many unrelated people, a party's proxy exit or
 * office by accounts that also agree on other, independent kinds of evidence (a card, rare templates,
 * synchronised hours). Term frequency alone cannot tell them apart: a 40-user CGNAT IP and a card
 * shared by 40 accounts of one operator have the same u = d/N. So the projection asks each holder
 * pair of a network identifier whether it is *corroborated* (≥ τ bits of payment, prompt or synchrony
 * evidence of its own) and models the pairs of an identifier v as a mixture, in the spirit of
 * Fellegi–Sunter with parameters estimated by EM from the data as Splink does (Fellegi & Sunter 1969;
 * Splink's expectation-maximisation of m/u):
 *
 * - a share ρ_v of v's holder pairs are one party's; such a pair is corroborated with probability q₁,
 *   an unrelated pair with probability q₀ (the background rate: common prompts, chance synchrony);
 * - q₁ and q₀ are estimated per kind (ip, subnet) by EM over every network identifier's counts;
 * - ρ_v for a pair (a, b) is estimated from v's *other* pairs (leave-pair-out, shrunk towards the
 *   kind's pooled rate), then updated by the pair's own corroboration (Bayes):
 *   r = ρq₁ / (ρq₁ + (1−ρ)q₀) if corroborated, ρ(1−q₁) / (ρ(1−q₁) + (1−ρ)(1−q₀)) if not;
 * - the pair's network evidence is that of a mixture: log2(1 + r·(2^b − 1)) bits instead of b, where
 *   b = log2(m·N/d) is the identifier's term-frequency weight (r = 1 gives b, r = 0 gives nothing).
 *
 * An identifier whose holders agree on nothing else gets ρ ≈ 0 (a hub: no evidence for anyone, the
 * coherent few included, who are linked by their own card and templates instead); one whose holders
 * corroborate each other keeps its full weight for corroborated pairs, and an uncorroborated holder
 * of it (a legitimate user whose home is one of a ring's proxy exits) gets only the mixture's share.
 * This is the density idea of FRAUDAR (Hooi et al., KDD 2016), which down-weights columns by their
 * degree, made data-driven: a column earns weight by the coherence of its rows, not by size alone.
 */

/** Corroboration counts of one identifier's candidate pairs. */
export interface CoherenceCounts {
  /** Candidate pairs (the bounded band of the projection, ≤ k·d). */
  readonly pairs: number;
  /** Of those, pairs with ≥ τ bits of other-kind evidence. */
  readonly corroborated: number;
}

/** EM estimates of one kind. */
export interface CoherenceModel {
  /** P(corroborated | one party's pair). */
  readonly q1: number;
  /** P(corroborated | unrelated pair). */
  readonly q0: number;
  /** Pooled corroborated share over every identifier of the kind (the shrinkage target). */
  readonly pooled: number;
  /** Pseudo-pairs of the shrinkage towards `pooled`. */
  readonly strength: number;
  readonly iterations: number;
}

const clip = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** Share of one party's pairs on an identifier with `k` of `n` pairs corroborated (moment/ML estimate, shrunk). */
export function partyShare(model: CoherenceModel, k: number, n: number): number {
  const p = (k + model.strength * model.pooled) / (n + model.strength);
  return clip((p - model.q0) / (model.q1 - model.q0), 0, 1);
}

/** Posterior that one pair is one party's, from its identifier's share ρ and its own corroboration. */
export function pairPosterior(model: CoherenceModel, rho: number, corroborated: boolean): number {
  const a = corroborated ? rho * model.q1 : rho * (1 - model.q1);
  const b = corroborated ? (1 - rho) * model.q0 : (1 - rho) * (1 - model.q0);
  return a + b > 0 ? a / (a + b) : 0;
}

/** Bits of a mixture: with probability r the pair is one party's (LR 2^bits), otherwise unrelated (LR 1). */
export function mixtureBits(bits: number, r: number): number {
  return r >= 1 ? bits : Math.log2(1 + r * (2 ** bits - 1));
}

/**
 * EM over identifiers of one kind: each identifier's pairs are a mixture of one party's pairs (share
 * ρ_v, corroborated with probability q1) and unrelated pairs (corroborated with probability q0). The
 * E-step computes ρ_v and each pair class's responsibility, the M-step re-estimates q1 and q0.
 */
export function estimateCoherence(counts: readonly CoherenceCounts[], options: { strength?: number; iterations?: number } = {}): CoherenceModel {
  const strength = options.strength ?? 2;
  let pairs = 0;
  let corr = 0;
  for (const c of counts) {
    pairs += c.pairs;
    corr += c.corroborated;
  }
  const pooled = pairs > 0 ? corr / pairs : 0;
  // Starting point: one party's pairs mostly corroborate, unrelated ones rarely.
  let model: CoherenceModel = { q1: 0.8, q0: clip(pooled / 4, 0.001, 0.1), pooled, strength, iterations: 0 };
  const max = options.iterations ?? 50;
  for (let it = 1; it <= max; it++) {
    let s1 = 0; // expected one-party pairs that are corroborated
    let n1 = 0; // expected one-party pairs
    let s0 = 0;
    let n0 = 0;
    for (const c of counts) {
      const rho = partyShare(model, c.corroborated, c.pairs);
      const r1 = pairPosterior(model, rho, true);
      const r0 = pairPosterior(model, rho, false);
      const un = c.pairs - c.corroborated;
      s1 += c.corroborated * r1;
      n1 += c.corroborated * r1 + un * r0;
      s0 += c.corroborated * (1 - r1);
      n0 += c.corroborated * (1 - r1) + un * (1 - r0);
    }
    const q1 = n1 > 0 ? clip(s1 / n1, 0.05, 0.999) : model.q1;
    const q0 = n0 > 0 ? clip(s0 / n0, 0.0005, 0.5) : model.q0;
    // Keep the components apart (label switching / collapse): one party's pairs corroborate more.
    const next = { ...model, q1: Math.max(q1, q0 + 0.05), q0, iterations: it };
    const moved = Math.abs(next.q1 - model.q1) + Math.abs(next.q0 - model.q0);
    model = next;
    if (moved < 1e-6) break;
  }
  return model;
}
