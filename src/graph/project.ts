import { FINGERPRINT_KINDS } from '../vocabulary/index.js';
import { estimateCoherence, mixtureBits, pairPosterior, partyShare, type CoherenceModel } from './coherence.js';
import { PairEvidence } from './pair-evidence.js';
import { emptyAgreement, SHARED_KIND, SharedIndex, type Agreement } from './shared-index.js';
import type { FingerprintKind, IdentifierGroup, LinkageInput, Membership } from './types.js';
import { EVIDENCE_SLOTS, type ProjectedGraph, type ProjectionStats } from './projected-graph.js';

const FP_KINDS: readonly FingerprintKind[] = FINGERPRINT_KINDS;
const SCAFFOLD_KIND = FP_KINDS.indexOf('scaffold');
import { SYNC_DEFAULTS, synchronyLinks, type SyncOptions } from './synchrony.js';

/**
 * Projection of the account–identifier graph onto a weighted account–account graph.
 *
 * Weighting follows Fellegi–Sunter record linkage with Splink's term-frequency adjustment: two
 * accounts sharing identifier v is evidence log2(m / u_v) bits that they are run by one party,
 * where m is the chance that one party's accounts share an identifier of that kind and
 * u_v ≈ d / N is the chance that a random account also holds v (d accounts of N hold it). So a card
 * shared by 2 accounts is ~15 bits among 70k accounts, a CGNAT IP shared by 20,000 is ~0 and is
 * skipped. Repeated evidence of one kind is correlated, not independent, so each kind saturates at
 * a cap (cap·(1 − e^(−x/cap))). IP and /24–/64 subnet are comparison levels of one comparison
 * (Splink): a pair counts the better of the two, never both.
 */
export interface ProjectionOptions {
  /** m: probability that accounts of one party share an identifier of this kind. @defaultValue payment 0.9, ip 0.5, subnet 0.5, template 0.5, minhash 0.3, scaffold 0.3, system 0.1, created 0.5 (creation time, a corroborating comparison only) */
  readonly m: Readonly<Record<'payment' | 'ip' | 'subnet' | FingerprintKind | 'created', number>>;
  /** Saturation cap per kind, in bits. @defaultValue payment 24, ip 16, subnet 8, prompt 24 */
  readonly cap: Readonly<Record<'payment' | 'ip' | 'subnet' | 'prompt', number>>;
  /**
   * An identifier of degree d > 2k+1 links each member (ordered by first use) to its next k
   * members only, so it emits ≤ k·d edges instead of d(d−1)/2. The pairs dropped are those farthest
   * apart in time, which the time factor discounts most anyway. @defaultValue 8
   */
  readonly neighbours: number;
  /** Time-overlap decay (days) for sharing an identifier in disjoint spans. @defaultValue payment 30, ip 7, subnet 7 */
  readonly decayDays: Readonly<Record<'payment' | 'ip' | 'subnet', number>>;
  /** Floor of the time factor (sharing months apart still says something). @defaultValue payment 0.3, ip 0.05, subnet 0.05 */
  readonly timeFloor: Readonly<Record<'payment' | 'ip' | 'subnet', number>>;
  /** Identifiers worth fewer bits than this are skipped. @defaultValue 1 */
  readonly minIdentifierBits: number;
  /** Links weaker than this (bits, i.e. a likelihood ratio of 2^x) are dropped. @defaultValue 4 */
  readonly minEdgeWeight: number;
  /** Synchrony options (SynchroTrap-style co-activity). */
  readonly sync: SyncOptions;
  /** Seed (MinHash salts). @defaultValue 42 */
  readonly seed: number;
  /**
   * Weigh IP and subnet evidence by the coherence of the identifier's holders (coherence.ts): an exit
   * whose holders agree on nothing else is a hub and earns nothing. @defaultValue true
   */
  readonly coherence: boolean;
  /**
   * Creation time as a corroborating comparison for network coherence only (never added to a link):
   * two accounts created within this many hours of each other agree, worth log2(m.created / u) bits,
   * u being the share of all accounts created within that window of the pair (so a wave of
   * creations is its own term frequency). @defaultValue 24
   */
  readonly createdWithinHours: number;
}

export const PROJECTION_DEFAULTS: ProjectionOptions = {
  m: { payment: 0.9, ip: 0.5, subnet: 0.5, template: 0.5, minhash: 0.3, scaffold: 0.3, system: 0.1, created: 0.5 },
  cap: { payment: 24, ip: 16, subnet: 8, prompt: 24 },
  neighbours: 8,
  decayDays: { payment: 30, ip: 7, subnet: 7 },
  timeFloor: { payment: 0.3, ip: 0.05, subnet: 0.05 },
  minIdentifierBits: 1,
  minEdgeWeight: 4,
  sync: SYNC_DEFAULTS,
  seed: 42,
  coherence: true,
  createdWithinHours: 24,
};

const SLOT = { payment: 0, ip: 1, subnet: 2, prompt: 3, sync: 4 } as const;
const DAY = 86_400_000;

/** Partial options: every field optional, the per-kind records too. */
export type ProjectionOverrides = {
  readonly [K in keyof ProjectionOptions]?: ProjectionOptions[K] extends number
    ? number
    : ProjectionOptions[K] extends boolean
      ? boolean
      : Partial<ProjectionOptions[K]>;
};

/** Merge partial options with DEFAULTS (one level deep for the per-kind records). */
export function projectionOptions(opts: ProjectionOverrides = {}): ProjectionOptions {
  const d = PROJECTION_DEFAULTS;
  return {
    ...d,
    ...opts,
    m: { ...d.m, ...opts.m },
    cap: { ...d.cap, ...opts.cap },
    decayDays: { ...d.decayDays, ...opts.decayDays },
    timeFloor: { ...d.timeFloor, ...opts.timeFloor },
    sync: { ...d.sync, ...opts.sync },
  };
}

/** Every account id the input mentions, sorted (node numbering). */
export function accountUniverse(input: LinkageInput): string[] {
  const s = new Set<string>(input.accounts.keys());
  for (const g of input.identifiers) for (const m of g.members) s.add(m.account);
  for (const a of input.activity.keys()) s.add(a);
  for (const a of input.soloPrompts?.keys() ?? []) s.add(a);
  return [...s].sort();
}

/** Evidence in bits for sharing an identifier of degree d among n accounts (before the time factor). */
export function identifierBits(m: number, n: number, d: number): number {
  return Math.log2((m * n) / d);
}

/** Time factor: 1 for overlapping spans, decaying with the gap towards `floor`. */
export function timeFactor(a: Membership, b: Membership, decayDays: number, floor: number): number {
  const gap = Math.max(a.firstSeen, b.firstSeen) - Math.min(a.lastSeen, b.lastSeen);
  if (!(gap > 0)) return 1;
  return floor + (1 - floor) * Math.exp(-gap / (decayDays * DAY));
}

/** Build the weighted account–account graph. Pure: no I/O, deterministic for a given seed. */
export function project(input: LinkageInput, options: ProjectionOverrides = {}): ProjectedGraph {
  const o = projectionOptions(options);
  const accounts = accountUniverse(input);
  const n = accounts.length;
  const index = new Map<string, number>();
  accounts.forEach((a, i) => index.set(a, i));
  const ev = new PairEvidence(n, bandPairBound(input, o.neighbours));
  const counts = { used: 0, skipped: 0, sparsified: 0 };
  // Each account's total prompt "mass": the rarity weight (bits) of every fingerprint it sent, shared or
  // not. Prompt evidence is later scaled by the share of this mass two accounts have in common.
  const promptMass = new Float64Array(n);
  // The same for scaffold fingerprints, which are a second view of the same prompts (segments, not
  // whole prompts) and so a comparison of their own, with their own mass. Scaffold mass is weighted
  // by prompt count: every prompt adds a few task-side scaffold ids of its own, while a fleet's shared
  // scaffold ids stay the same few however many prompts it sends; counted once each, a busy fleet
  // account's shared scaffold would vanish in its mass (docs/fingerprints.md).
  const scaffoldMass = new Float64Array(n);
  const masses = { prompt: promptMass, scaffold: scaffoldMass };
  const soloCount = soloFingerprintCounts(input, index);
  const network: Band[] = [];
  const shared = new SharedIndex(n);
  for (const g of input.identifiers) {
    const band = prepareBand(g, index, n, o, masses, soloCount, counts);
    if (!band) continue;
    if (o.coherence && (g.kind === 'ip' || g.kind === 'subnet')) network.push(band);
    // Prompt bands only choose candidate pairs; their agreement is computed exactly in finalise.
    else if (g.kind === 'prompt') forEachPair(band, o.neighbours, (x, y) => ev.touch(x, y));
    else forEachPair(band, o.neighbours, (x, y, w) => ev.add(x, y, band.slot, w));
    if (g.kind === 'payment' || g.kind === 'prompt') {
      const id = shared.addGroup(band.bits, g.kind === 'payment' ? SHARED_KIND.payment : band.scaffold ? SHARED_KIND.scaffold : SHARED_KIND.prompt);
      band.idx.forEach((v, i) => shared.hold(v, id, band.members[i]!.count));
    }
  }
  addSoloMass(masses, soloCount, n, o);
  const series = accounts.map((a) => input.activity.get(a));
  const sync = synchronyLinks(series, o.seed, o.sync);
  for (const l of sync.links) ev.add(l.a, l.b, SLOT.sync, l.bits);
  // Network evidence last: whether an exit's holders cohere is judged by the other kinds, now complete.
  let coherence: Record<'ip' | 'subnet', CoherenceModel> | undefined;
  if (network.length) {
    const created = creationAgreement(input, accounts, o);
    const ag = emptyAgreement();
    coherence = addNetworkEvidence(ev, network, o, (x, y) => {
      const r = ev.rowOfPair(x, y);
      shared.common(x, y, ag);
      return sat(ag.payment, o.cap.payment) + promptBits(ag, x, y, masses, o.cap.prompt) + (r >= 0 ? ev.raw(r, SLOT.sync) : 0) + created(x, y);
    });
  }
  return finalise(accounts, ev, shared, masses, o, {
    identifiersUsed: counts.used,
    identifiersSkipped: counts.skipped,
    identifiersSparsified: counts.sparsified,
    candidatePairs: ev.rows,
    syncCandidates: sync.candidates,
    syncLinks: sync.links.length,
    edgesDropped: 0,
    ...(coherence ? { coherence } : {}),
  });
}

/**
 * At most how many pairs the identifiers' bands emit (d(d−1)/2, or ≤ k·d past 2k+1 members;
 * duplicates counted). The pair index is sized from it once instead of growing (rehashing) three
 * times at 1M accounts; synchrony links come on top and may still grow it.
 */
function bandPairBound(input: LinkageInput, k: number): number {
  let bound = 0;
  for (const g of input.identifiers) {
    const d = g.members.length;
    if (d >= 2) bound += d <= 2 * k + 1 ? (d * (d - 1)) / 2 : k * d;
  }
  return bound;
}

/** One identifier ready to emit its bounded band of pairs. */
interface Band {
  readonly kind: IdentifierGroup['kind'];
  /** A scaffold fingerprint: compared over scaffold mass, apart from whole-prompt fingerprints. */
  readonly scaffold: boolean;
  readonly slot: number;
  readonly bits: number;
  readonly members: readonly Membership[];
  /** Node numbers, in `members` order. */
  readonly idx: readonly number[];
  /** Member positions ordered by first use (then node number). */
  readonly order: readonly number[];
  readonly decay: number;
  readonly floor: number;
}

/** Validate and weigh one identifier; undefined when it links no pair (solo prompt, too common). */
function prepareBand(
  g: IdentifierGroup,
  index: ReadonlyMap<string, number>,
  n: number,
  o: ProjectionOptions,
  masses: { readonly prompt: Float64Array; readonly scaffold: Float64Array },
  soloCount: Float64Array,
  counts: { used: number; skipped: number; sparsified: number },
): Band | undefined {
  const members = g.kind === 'prompt' || g.members.length > 1 ? dedupe(g.members) : g.members;
  const d = members.length;
  const scaffold = g.kind === 'prompt' && g.fpKind === 'scaffold';
  if (g.kind === 'prompt' && d === 1) {
    const k = FP_KINDS.indexOf(g.fpKind ?? 'template');
    soloCount[index.get(members[0]!.account)! * FP_KINDS.length + k]! += k === SCAFFOLD_KIND ? members[0]!.count : 1;
    return undefined;
  }
  const mProb = g.kind === 'prompt' ? o.m[g.fpKind ?? 'template'] : o.m[g.kind];
  const bits = d > 0 ? identifierBits(mProb, n, Math.max(d, 1)) : 0;
  if (g.kind === 'prompt' && bits >= o.minIdentifierBits) {
    if (scaffold) for (const m of members) masses.scaffold[index.get(m.account)!]! += m.count * bits;
    else for (const m of members) masses.prompt[index.get(m.account)!]! += bits;
  }
  if (d < 2) return undefined;
  if (!(bits >= o.minIdentifierBits)) {
    counts.skipped++;
    return undefined;
  }
  counts.used++;
  if (d > 2 * o.neighbours + 1) counts.sparsified++;
  const timed = g.kind !== 'prompt';
  // Order by first use (then account) so the k-neighbour band links accounts close in time.
  const idx = members.map((m) => index.get(m.account)!);
  const order = members.map((_, i) => i).sort((p, q) => members[p]!.firstSeen - members[q]!.firstSeen || idx[p]! - idx[q]!);
  return {
    kind: g.kind,
    scaffold,
    slot: SLOT[g.kind],
    bits,
    members,
    idx,
    order,
    decay: timed ? o.decayDays[g.kind as 'payment'] : 0,
    floor: timed ? o.timeFloor[g.kind as 'payment'] : 1,
  };
}

/**
 * Every pair of the band with its time-discounted bits: all pairs when d ≤ 2k+1, else each member
 * with its next k members in first-use order (≤ k·d pairs).
 */
function forEachPair(b: Band, k: number, fn: (x: number, y: number, bits: number, mx: Membership, my: Membership) => void): void {
  const d = b.members.length;
  const full = d <= 2 * k + 1;
  const timed = b.kind !== 'prompt';
  for (let x = 0; x < d; x++) {
    const mx = b.members[b.order[x]!]!;
    const end = full ? d : Math.min(d, x + 1 + k);
    for (let y = x + 1; y < end; y++) {
      const my = b.members[b.order[y]!]!;
      fn(b.idx[b.order[x]!]!, b.idx[b.order[y]!]!, timed ? b.bits * timeFactor(mx, my, b.decay, b.floor) : b.bits, mx, my);
    }
  }
}

/**
 * Network identifiers weighted by the coherence of their holders (see coherence.ts): count each
 * identifier's corroborated band pairs, estimate q1/q0 per kind by EM, then add each pair's mixture
 * bits. Two passes over the same ≤ k·d band pairs per identifier (one byte a pair kept between
 * them); pairs left with no evidence create no row.
 */
function addNetworkEvidence(
  ev: PairEvidence,
  bands: readonly Band[],
  o: ProjectionOptions,
  other: (x: number, y: number) => number,
): Record<'ip' | 'subnet', CoherenceModel> {
  const tau = o.minEdgeWeight;
  // Pass 1: corroboration of every band pair, kept (one byte a pair) for pass 2.
  const flags = bands.map((b) => {
    const out: number[] = [];
    forEachPair(b, o.neighbours, (x, y) => out.push(other(x, y) >= tau ? 1 : 0));
    return Uint8Array.from(out);
  });
  const tallies = flags.map((f) => ({ pairs: f.length, corroborated: f.reduce((s, x) => s + x, 0) }));
  const models = {
    ip: estimateCoherence(tallies.filter((_, i) => bands[i]!.kind === 'ip')),
    subnet: estimateCoherence(tallies.filter((_, i) => bands[i]!.kind === 'subnet')),
  };
  // Pass 2: each pair's mixture bits.
  bands.forEach((b, i) => {
    const t = tallies[i]!;
    const f = flags[i]!;
    const model = models[b.kind as 'ip' | 'subnet'];
    let p = 0;
    forEachPair(b, o.neighbours, (x, y, w) => {
      const c = f[p++] === 1;
      // Leave this pair out of its identifier's estimate, then update by its own corroboration.
      const rho = partyShare(model, t.corroborated - (c ? 1 : 0), t.pairs - 1);
      const r = pairPosterior(model, rho, c);
      const bits = mixtureBits(w, r);
      if (bits > 1e-3) ev.add(x, y, b.slot, bits);
    });
  });
  return models;
}

/**
 * Creation-time agreement of two accounts in bits (0 when created further apart than the window or
 * unknown): log2(m / u), u = the share of all accounts created within the window around the earlier
 * of the two, so that a wave of creations discounts itself as a popular identifier does.
 */
function creationAgreement(input: LinkageInput, accounts: readonly string[], o: ProjectionOptions): (x: number, y: number) => number {
  const n = accounts.length;
  const at = new Float64Array(n).fill(NaN);
  accounts.forEach((a, i) => {
    const t = input.accounts.get(a)?.createdAt;
    if (t !== undefined) at[i] = t;
  });
  const sorted = Float64Array.from(at.filter((t) => !Number.isNaN(t))).sort();
  const window = o.createdWithinHours * 3_600_000;
  const within = (t: number): number => upperBound(sorted, t + window) - upperBound(sorted, t - window - 1);
  return (x, y) => {
    const a = at[x]!;
    const b = at[y]!;
    if (Number.isNaN(a) || Number.isNaN(b) || Math.abs(a - b) > window) return 0;
    const u = Math.max(within(Math.min(a, b)), 2) / n;
    return Math.max(0, Math.log2(o.m.created / u));
  };
}

/** Number of values ≤ t in a sorted array. */
function upperBound(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts of single-account fingerprints per account and kind, from `soloPrompts`. */
function soloFingerprintCounts(input: LinkageInput, index: ReadonlyMap<string, number>): Float64Array {
  // Fingerprints only one account sent, counted per account and kind, whether the reader kept them
  // as groups or folded them into soloPrompts: both forms then add the same sums in the same order.
  const soloCount = new Float64Array(index.size * FP_KINDS.length);
  for (const [account, s] of input.soloPrompts ?? []) {
    const i = index.get(account)!;
    FP_KINDS.forEach((kind, k) => (soloCount[i * FP_KINDS.length + k]! += (k === SCAFFOLD_KIND ? s.scaffoldVolume : s.fingerprints[kind]) ?? 0));
  }
  return soloCount;
}

function addSoloMass(
  masses: { readonly prompt: Float64Array; readonly scaffold: Float64Array },
  soloCount: Float64Array,
  n: number,
  o: ProjectionOptions,
): void {
  FP_KINDS.forEach((kind, k) => {
    const bits = identifierBits(o.m[kind], n, 1);
    if (!(bits >= o.minIdentifierBits)) return;
    for (let i = 0; i < n; i++) {
      const c = soloCount[i * FP_KINDS.length + k]!;
      if (c > 0) (k === SCAFFOLD_KIND ? masses.scaffold : masses.prompt)[i]! += c * bits;
    }
  });
}

/**
 * Prompt evidence of a pair: the summed bits of every fingerprint both sent (exact, not only those
 * whose band paired them: shared-index.ts), in proportion to the share of the smaller account's
 * prompt mass they cover (a rarity-weighted overlap coefficient over the same Fellegi–Sunter weights,
 * as TF-IDF set similarity does). Accounts with hundreds of distinct prompts collect accidental rare
 * collisions (LSH false positives, Leskovec–Rajaraman–Ullman, Mining of Massive Datasets ch. 3);
 * those cover a vanishing share of their mass, while a ring that reuses its templates shares most
 * of it. The same measure corroborates network pairs (coherence), so both read one comparison.
 */
function promptBits(ag: Agreement, x: number, y: number, masses: { readonly prompt: Float64Array; readonly scaffold: Float64Array }, cap: number): number {
  const shared = ag.prompt;
  const mass = Math.min(masses.prompt[x]!, masses.prompt[y]!);
  const whole = shared > 0 && mass > 0 ? shared * Math.min(1, shared / mass) : 0;
  // Scaffold fingerprints get the same rarity-weighted overlap over scaffold mass alone: a fleet
  // that wraps fresh tasks in one scaffold shares none of its whole-prompt fingerprints, which
  // would otherwise drown the shared scaffold. Both views describe the same prompts, so a pair
  // counts the better of the two (comparison levels of one comparison, as IP and subnet are).
  // Overlap coefficient = the larger of the two accounts' shares of their own (count-weighted) mass.
  const cover = (w: number, m: number): number => (m > 0 ? w / m : 0);
  const sOverlap = Math.min(1, Math.max(cover(ag.scaffoldX, masses.scaffold[x]!), cover(ag.scaffoldY, masses.scaffold[y]!)));
  const best = Math.max(whole, ag.scaffold * sOverlap);
  return best > 0 ? sat(best, cap) : 0;
}

/** Saturate each kind, keep the better network level, drop weak links; typed arrays in key order. */
function finalise(
  accounts: readonly string[],
  ev: PairEvidence,
  shared: SharedIndex,
  masses: { readonly prompt: Float64Array; readonly scaffold: Float64Array },
  o: ProjectionOptions,
  stats: ProjectionStats,
): ProjectedGraph {
  const n = accounts.length;
  const rows = ev.rows;
  const src = new Int32Array(rows);
  const dst = new Int32Array(rows);
  const weight = new Float64Array(rows);
  const evidence = new Float32Array(rows * EVIDENCE_SLOTS);
  let e = 0;
  const ag = emptyAgreement();
  const sorted = ev.pairs.sortedEntries();
  for (let i = 0; i < sorted.keys.length; i++) {
    const key = sorted.keys[i]!;
    const r = sorted.rows[i]!;
    const a = Math.floor(key / n);
    const b = key - a * n;
    const pay = sat(ev.raw(r, SLOT.payment), o.cap.payment);
    let ip = sat(ev.raw(r, SLOT.ip), o.cap.ip);
    let sub = sat(ev.raw(r, SLOT.subnet), o.cap.subnet);
    if (ip >= sub) sub = 0;
    else ip = 0;
    const prompt = promptBits(shared.common(a, b, ag), a, b, masses, o.cap.prompt);
    const syn = ev.raw(r, SLOT.sync);
    const w = pay + ip + sub + prompt + syn;
    if (w < o.minEdgeWeight) continue;
    src[e] = a;
    dst[e] = b;
    weight[e] = w;
    const q = e * EVIDENCE_SLOTS;
    evidence[q] = pay;
    evidence[q + 1] = ip;
    evidence[q + 2] = sub;
    evidence[q + 3] = prompt;
    evidence[q + 4] = syn;
    e++;
  }
  return {
    accounts,
    edgeCount: e,
    src: src.subarray(0, e),
    dst: dst.subarray(0, e),
    weight: weight.subarray(0, e),
    evidence: evidence.subarray(0, e * EVIDENCE_SLOTS),
    stats: { ...stats, edgesDropped: rows - e },
  };
}

function sat(x: number, cap: number): number {
  return x > 0 ? cap * (1 - Math.exp(-x / cap)) : 0;
}

/** One membership per account (an account listed twice keeps its widest span and summed count). */
function dedupe(members: readonly Membership[]): Membership[] {
  const by = new Map<string, Membership>();
  for (const m of members) {
    const p = by.get(m.account);
    by.set(
      m.account,
      p ? { account: m.account, firstSeen: Math.min(p.firstSeen, m.firstSeen), lastSeen: Math.max(p.lastSeen, m.lastSeen), count: p.count + m.count } : m,
    );
  }
  return [...by.values()];
}

export type { IdentifierGroup };
