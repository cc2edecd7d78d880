import { PairIndex } from './pair-index.js';
import type { FingerprintKind, IdentifierGroup, LinkageInput, Membership } from './types.js';

const FP_KINDS: readonly FingerprintKind[] = ['template', 'minhash', 'system', 'scaffold'];
import { EVIDENCE_SLOTS, type ProjectedGraph } from './projected-graph.js';
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
  /** m: probability that accounts of one party share an identifier of this kind. @defaultValue payment 0.9, ip 0.5, subnet 0.5, template 0.5, minhash 0.3, scaffold 0.3, system 0.1 */
  readonly m: Readonly<Record<'payment' | 'ip' | 'subnet' | FingerprintKind, number>>;
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
}

export const PROJECTION_DEFAULTS: ProjectionOptions = {
  m: { payment: 0.9, ip: 0.5, subnet: 0.5, template: 0.5, minhash: 0.3, scaffold: 0.3, system: 0.1 },
  cap: { payment: 24, ip: 16, subnet: 8, prompt: 24 },
  neighbours: 8,
  decayDays: { payment: 30, ip: 7, subnet: 7 },
  timeFloor: { payment: 0.3, ip: 0.05, subnet: 0.05 },
  minIdentifierBits: 1,
  minEdgeWeight: 4,
  sync: SYNC_DEFAULTS,
  seed: 42,
};

const SLOT = { payment: 0, ip: 1, subnet: 2, prompt: 3, sync: 4 } as const;
const SCAFFOLD_KIND = FP_KINDS.indexOf('scaffold');
const DAY = 86_400_000;

/** Partial options: every field optional, the per-kind records too. */
export type ProjectionOverrides = {
  readonly [K in keyof ProjectionOptions]?: ProjectionOptions[K] extends number ? number : Partial<ProjectionOptions[K]>;
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

  const pairs = new PairIndex(4 * n);
  let raw = new Float64Array(1024 * EVIDENCE_SLOTS);
  // Scaffold comparison per pair (not an evidence slot): shared bits, and the same bits weighted by
  // each account's prompt count on them (lower account index first), for the overlap below.
  let rawScaffold = new Float64Array(1024 * 3);
  let rows = 0;
  const rowFor = (key: number): number => {
    const r = pairs.rowOf(key);
    if (r === rows) {
      rows++;
      if (rows * EVIDENCE_SLOTS > raw.length) {
        const bigger = new Float64Array(raw.length * 2);
        bigger.set(raw);
        raw = bigger;
      }
      if (rows * 3 > rawScaffold.length) {
        const bigger = new Float64Array(rawScaffold.length * 2);
        bigger.set(rawScaffold);
        rawScaffold = bigger;
      }
    }
    return r;
  };
  const add = (x: number, y: number, slot: number, w: number): void => {
    raw[rowFor(x < y ? x * n + y : y * n + x) * EVIDENCE_SLOTS + slot]! += w;
  };
  const addScaffold = (x: number, y: number, w: number, cx: number, cy: number): void => {
    const r = rowFor(x < y ? x * n + y : y * n + x) * 3;
    rawScaffold[r]! += w;
    rawScaffold[r + 1]! += w * (x < y ? cx : cy);
    rawScaffold[r + 2]! += w * (x < y ? cy : cx);
  };

  let used = 0;
  let skipped = 0;
  let sparsified = 0;
  // Each account's total prompt "mass": the rarity weight (bits) of every fingerprint it sent, shared or
  // not. Prompt evidence is later scaled by the share of this mass two accounts have in common.
  const promptMass = new Float64Array(n);
  // The same for scaffold fingerprints, which are a second view of the same prompts (segments, not
  // whole prompts) and so a comparison of their own, with their own mass. Scaffold mass is weighted
  // by prompt count: every prompt adds a few task-side scaffold ids of its own, while a fleet's shared
  // scaffold ids stay the same few however many prompts it sends; counted once each, a busy fleet
  // account's shared scaffold would vanish in its mass.
  const scaffoldMass = new Float64Array(n);
  // Fingerprints only one account sent, counted per account and kind, whether the reader kept them
  // as groups or folded them into soloPrompts: both forms then add the same sums in the same order.
  const soloCount = new Float64Array(n * FP_KINDS.length);
  for (const [account, s] of input.soloPrompts ?? []) {
    const i = index.get(account)!;
    FP_KINDS.forEach((kind, k) => (soloCount[i * FP_KINDS.length + k]! += (k === SCAFFOLD_KIND ? s.scaffoldVolume : s.fingerprints[kind]) ?? 0));
  }
  for (const g of input.identifiers) {
    const members = g.kind === 'prompt' || g.members.length > 1 ? dedupe(g.members) : g.members;
    const d = members.length;
    if (g.kind === 'prompt' && d === 1) {
      const k = FP_KINDS.indexOf(g.fpKind ?? 'template');
      soloCount[index.get(members[0]!.account)! * FP_KINDS.length + k]! += k === SCAFFOLD_KIND ? members[0]!.count : 1;
      continue;
    }
    const mProb = g.kind === 'prompt' ? o.m[g.fpKind ?? 'template'] : o.m[g.kind];
    const bits = d > 0 ? identifierBits(mProb, n, Math.max(d, 1)) : 0;
    const scaffold = g.kind === 'prompt' && g.fpKind === 'scaffold';
    if (g.kind === 'prompt' && bits >= o.minIdentifierBits) {
      if (scaffold) for (const m of members) scaffoldMass[index.get(m.account)!]! += m.count * bits;
      else for (const m of members) promptMass[index.get(m.account)!]! += bits;
    }
    if (d < 2) continue;
    if (!(bits >= o.minIdentifierBits)) {
      skipped++;
      continue;
    }
    used++;
    const slot = SLOT[g.kind];
    const timed = g.kind !== 'prompt';
    const decay = timed ? o.decayDays[g.kind as 'payment'] : 0;
    const floor = timed ? o.timeFloor[g.kind as 'payment'] : 1;
    // Order by first use (then account) so the k-neighbour band links accounts close in time.
    const idx = members.map((m) => index.get(m.account)!);
    const order = members.map((_, i) => i).sort((p, q) => members[p]!.firstSeen - members[q]!.firstSeen || idx[p]! - idx[q]!);
    const k = o.neighbours;
    const full = d <= 2 * k + 1;
    if (!full) sparsified++;
    for (let x = 0; x < d; x++) {
      const mx = members[order[x]!]!;
      const end = full ? d : Math.min(d, x + 1 + k);
      for (let y = x + 1; y < end; y++) {
        const my = members[order[y]!]!;
        const w = timed ? bits * timeFactor(mx, my, decay, floor) : bits;
        if (scaffold) addScaffold(idx[order[x]!]!, idx[order[y]!]!, w, mx.count, my.count);
        else add(idx[order[x]!]!, idx[order[y]!]!, slot, w);
      }
    }
  }

  FP_KINDS.forEach((kind, k) => {
    const bits = identifierBits(o.m[kind], n, 1);
    if (!(bits >= o.minIdentifierBits)) return;
    for (let i = 0; i < n; i++) {
      const c = soloCount[i * FP_KINDS.length + k]!;
      if (c > 0) (k === SCAFFOLD_KIND ? scaffoldMass : promptMass)[i]! += c * bits;
    }
  });

  const series = accounts.map((a) => input.activity.get(a));
  const sync = synchronyLinks(series, o.seed, o.sync);
  for (const l of sync.links) add(l.a, l.b, SLOT.sync, l.bits);

  // Finalise: saturate each kind, keep the better network level, drop weak links.
  const src = new Int32Array(rows);
  const dst = new Int32Array(rows);
  const weight = new Float64Array(rows);
  const evidence = new Float32Array(rows * EVIDENCE_SLOTS);
  let e = 0;
  for (const key of pairs.sortedKeys()) {
    const r = pairs.get(key) * EVIDENCE_SLOTS;
    const pay = sat(raw[r]!, o.cap.payment);
    let ip = sat(raw[r + 1]!, o.cap.ip);
    let sub = sat(raw[r + 2]!, o.cap.subnet);
    if (ip >= sub) sub = 0;
    else ip = 0;
    // Rarity-weighted overlap of the two fingerprint sets (an overlap coefficient over the same
    // Fellegi–Sunter weights, as TF-IDF set similarity does): the summed bits of shared fingerprints
    // count in proportion to the share of the smaller account's prompt mass they cover. Accounts
    // with hundreds of distinct prompts collect accidental rare collisions (LSH false positives,
    // Leskovec–Rajaraman–Ullman, Mining of Massive Datasets ch. 3); those cover a vanishing share of
    // their mass, while a ring that reuses its templates shares most of it.
    const a0 = Math.floor(key / n);
    const a1 = key - a0 * n;
    const sharedPrompt = raw[r + 3]!;
    const mass = Math.min(promptMass[a0]!, promptMass[a1]!);
    const overlap = mass > 0 ? Math.min(1, sharedPrompt / mass) : 0;
    // Scaffold fingerprints get the same rarity-weighted overlap over scaffold mass alone: a fleet
    // that wraps fresh tasks in one scaffold shares none of its whole-prompt fingerprints, which
    // would otherwise drown the shared scaffold. Both views describe the same prompts, so a pair
    // counts the better of the two (comparison levels of one comparison, as IP and subnet are).
    // Overlap coefficient = the larger of the two accounts' shares of their own (count-weighted) mass.
    const rs = pairs.get(key) * 3;
    const sharedScaffold = rawScaffold[rs]!;
    const cover = (w: number, mass: number): number => (mass > 0 ? w / mass : 0);
    const sOverlap = Math.min(1, Math.max(cover(rawScaffold[rs + 1]!, scaffoldMass[a0]!), cover(rawScaffold[rs + 2]!, scaffoldMass[a1]!)));
    const prompt = sat(Math.max(sharedPrompt * overlap, sharedScaffold * sOverlap), o.cap.prompt);
    const syn = raw[r + 4]!;
    const w = pay + ip + sub + prompt + syn;
    if (w < o.minEdgeWeight) continue;
    const a = Math.floor(key / n);
    src[e] = a;
    dst[e] = key - a * n;
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
    stats: {
      identifiersUsed: used,
      identifiersSkipped: skipped,
      identifiersSparsified: sparsified,
      candidatePairs: rows,
      syncCandidates: sync.candidates,
      syncLinks: sync.links.length,
      edgesDropped: rows - e,
    },
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
      p
        ? { account: m.account, firstSeen: Math.min(p.firstSeen, m.firstSeen), lastSeen: Math.max(p.lastSeen, m.lastSeen), count: p.count + m.count }
        : m,
    );
  }
  return [...by.values()];
}

export type { IdentifierGroup };
