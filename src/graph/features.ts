import type { Capability, LinkageInput } from './types.js';
import { unionFind } from './union-find.js';
import { EVIDENCE_SLOTS, type ProjectedGraph } from './projected-graph.js';
import { HourCounts, SYNC_LIMITS } from './synchrony.js';

/** Measured properties of one cluster. Shares are in [0, 1]; undefined means "no data". */
export interface ClusterFeatures {
  size: number;
  /** Internal links / possible pairs. */
  density: number;
  /** Mean internal link weight (bits). */
  meanLinkBits: number;
  /** Weakest link of the maximum spanning tree (bits): low means a chain holds the cluster together. */
  weakestLinkBits: number;
  /** Payment methods used by ≥ 2 members, and the members using one. */
  sharedPayments: number;
  accountsOnSharedPayments: number;
  /** Members with ≥ 1 IP shared with another member. */
  accountsOnSharedIps: number;
  /** Creation waves (gaps ≤ 24 h) and the share of members created in the 3 largest. */
  waves: number | undefined;
  waveShare: number | undefined;
  creationSpanDays: number | undefined;
  verifiedShare: number | undefined;
  topDomain: string | undefined;
  topDomainShare: number | undefined;
  /**
   * Share of all accounts on the top domain that are linked, through accounts on that same domain,
   * to at least one other account on it (≈1: a private domain, whose holders are one organisation's
   * linked staff, or several teams of it; ≈0: a public webmail domain, whose users are not linked to
   * each other). A property of the domain, not of this cluster alone: community detection can split
   * one organisation into several communities, and one company's eval team and its other staff are
   * linked among themselves, not to each other, yet share one private domain.
   */
  topDomainExclusivity: number | undefined;
  promptCount: number;
  /** Share of the prompt volume on the targeted capabilities (ScoringOptions.targetCapabilities). */
  targetCapabilityShare: number | undefined;
  topCapability: string | undefined;
  /**
   * Share of the cluster's prompt volume on fingerprints sent by ≥ 2 of its members: the better of
   * the whole-prompt fingerprints' share and the scaffold fingerprints' share (each over its own kind).
   */
  templatedShare: number | undefined;
  /** Distinct shared fingerprints covering 90% of the templated (shared) prompt volume. */
  templatesFor90: number | undefined;
  markerShare: number | undefined;
  requestsPerAccountDay: number | undefined;
  /** Share of requests in the busiest 10 hours of the (UTC) day: ≈0.42 for 24/7, ≈1 for office hours. */
  peakHoursShare: number | undefined;
  /**
   * Co-activity beyond chance (SynchroTrap's signal at cluster level): other members active in the
   * hours a member is active, over what accounts outside the cluster would give in those same hours
   * (so office hours, which are crowded everywhere, are no synchrony).
   */
  syncLift: number | undefined;
  /** Requests/hour in the 24 h after the release date over requests/hour in the 7 days before. */
  releaseShift: number | undefined;
  /** Share of IP observations on datacenter/proxy IPs (undefined when the drop gave no flag). */
  proxyShare: number | undefined;
}

interface Acc {
  payments: Map<string, string[]>;
  ips: Map<string, string[]>;
  ipObs: number;
  proxyObs: number;
  proxyKnown: boolean;
  prompts: number;
  target: number;
  templated: number;
  /** Scaffold fingerprints' volume and templated volume (a second view of the same prompts, kept apart). */
  scaffold: number;
  scaffoldTemplated: number;
  marked: number;
  caps: Map<string, number>;
  templates: Map<string, number>;
}

/**
 * Compute features for every cluster (clusters given as sorted node-number arrays of `g`).
 * `targets`: the capability labels that count as targeted; any other label is ordinary use.
 */
export function clusterFeatures(
  input: LinkageInput,
  g: ProjectedGraph,
  clusters: readonly (readonly number[])[],
  internal: ReadonlyArray<{ edges: number[]; weakest: number }>,
  releaseDate: number | undefined,
  targets: readonly Capability[],
): ClusterFeatures[] {
  const acc = accumulate(input, g, clusters, new Set(targets));
  const crowd = hourCrowd(input);
  const domainTotals = new Map<string, number>();
  for (const a of input.accounts.values()) if (a.emailDomain) domainTotals.set(a.emailDomain, (domainTotals.get(a.emailDomain) ?? 0) + 1);
  const domainLinked = linkedWithinDomain(input, g);

  return clusters.map((c, ci) => {
    const a = acc[ci]!;
    const members = c.map((v) => g.accounts[v]!);
    const n = members.length;
    const attrs = members.map((id) => input.accounts.get(id));
    const sharedPay = [...a.payments.values()].filter((l) => new Set(l).size >= 2);
    const onShared = new Set(sharedPay.flat());
    const onSharedIp = new Set([...a.ips.values()].filter((l) => new Set(l).size >= 2).flat());
    const inner = internal[ci]!;
    let wsum = 0;
    for (const e of inner.edges) wsum += g.weight[e]!;
    const ver = attrs.filter((x) => x?.verified !== undefined);
    const doms = new Map<string, number>();
    for (const x of attrs) if (x?.emailDomain) doms.set(x.emailDomain, (doms.get(x.emailDomain) ?? 0) + 1);
    const top = [...doms.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0];
    const topCap = [...a.caps.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0];
    return {
      size: n,
      density: n > 1 ? inner.edges.length / ((n * (n - 1)) / 2) : 0,
      meanLinkBits: inner.edges.length ? wsum / inner.edges.length : 0,
      weakestLinkBits: inner.weakest,
      sharedPayments: sharedPay.length,
      accountsOnSharedPayments: onShared.size,
      accountsOnSharedIps: onSharedIp.size,
      ...creationWaves(attrs.map((x) => x?.createdAt).filter((t): t is number => t !== undefined)),
      verifiedShare: ver.length ? ver.filter((x) => x!.verified).length / ver.length : undefined,
      topDomain: top?.[0],
      topDomainShare: top ? top[1] / n : undefined,
      topDomainExclusivity: top ? domainLinked(top[0]) / (domainTotals.get(top[0]) ?? top[1]) : undefined,
      promptCount: a.prompts,
      targetCapabilityShare: a.prompts ? a.target / a.prompts : undefined,
      topCapability: topCap?.[0],
      templatedShare: a.prompts ? Math.max(a.templated / a.prompts, a.scaffold ? a.scaffoldTemplated / a.scaffold : 0) : undefined,
      templatesFor90: templatesFor90(a),
      markerShare: a.prompts ? a.marked / a.prompts : undefined,
      ...activityFeatures(input, members, releaseDate, crowd),
      proxyShare: a.proxyKnown && a.ipObs > 0 ? a.proxyObs / a.ipObs : undefined,
    };
  });
}

/** Per-cluster sums over the identifiers and folded single-account prompts of its members. */
function accumulate(input: LinkageInput, g: ProjectedGraph, clusters: readonly (readonly number[])[], targeted: ReadonlySet<Capability>): Acc[] {
  const clusterOf = new Map<string, number>();
  clusters.forEach((c, i) => c.forEach((v) => clusterOf.set(g.accounts[v]!, i)));
  const acc: Acc[] = clusters.map(() => ({
    payments: new Map(),
    ips: new Map(),
    ipObs: 0,
    proxyObs: 0,
    proxyKnown: false,
    prompts: 0,
    target: 0,
    templated: 0,
    scaffold: 0,
    scaffoldTemplated: 0,
    marked: 0,
    caps: new Map(),
    templates: new Map(),
  }));
  for (const grp of input.identifiers) {
    for (const m of grp.members) {
      const ci = clusterOf.get(m.account);
      if (ci !== undefined) addMembership(acc[ci]!, grp, m.account, m.count, targeted);
    }
    if (grp.kind === 'prompt') addTemplated(acc, grp, clusterOf);
  }
  // Single-account fingerprints folded by the reader count in the volume totals exactly as their
  // groups would have above (they are never templated: that takes two members).
  for (const [account, s] of input.soloPrompts ?? []) {
    const ci = clusterOf.get(account);
    if (ci === undefined) continue;
    const a = acc[ci]!;
    for (const [cap, v] of Object.entries(s.volume) as Array<[Capability, number]>) {
      a.prompts += v;
      a.caps.set(cap, (a.caps.get(cap) ?? 0) + v);
      if (targeted.has(cap)) a.target += v;
    }
    a.marked += s.markedVolume;
    a.scaffold += s.scaffoldVolume ?? 0;
  }
  return acc;
}

function addMembership(a: Acc, grp: LinkageInput['identifiers'][number], account: string, count: number, targeted: ReadonlySet<Capability>): void {
  if (grp.kind === 'payment') push(a.payments, grp.key, account);
  else if (grp.kind === 'ip') {
    push(a.ips, grp.key, account);
    a.ipObs += count;
    if (grp.isProxy !== undefined) a.proxyKnown = true;
    if (grp.isProxy) a.proxyObs += count;
  } else if (grp.kind === 'prompt' && grp.fpKind === 'scaffold') {
    a.scaffold += count;
  } else if (grp.kind === 'prompt') {
    a.prompts += count;
    const cap = grp.capability ?? 'other';
    a.caps.set(cap, (a.caps.get(cap) ?? 0) + count);
    if (targeted.has(cap)) a.target += count;
    if (grp.markers && grp.markers.length > 0) a.marked += count;
  }
}

/**
 * Templated = reused across the fleet: the prompt volume on fingerprints that ≥ 2 members of the
 * cluster sent. Defined from the data's structure, not from the optional `kind` label, so it means
 * the same for drops that carry only plain fingerprints.
 */
function addTemplated(acc: Acc[], grp: LinkageInput['identifiers'][number], clusterOf: ReadonlyMap<string, number>): void {
  // Made on the first clustered member: most fingerprints have none when only a frontier is scored.
  let per: Map<number, { users: Set<string>; volume: number }> | undefined;
  for (const m of grp.members) {
    const ci = clusterOf.get(m.account);
    if (ci === undefined) continue;
    per ??= new Map();
    const e = per.get(ci) ?? { users: new Set<string>(), volume: 0 };
    e.users.add(m.account);
    e.volume += m.count;
    per.set(ci, e);
  }
  for (const [ci, e] of per ?? []) {
    if (e.users.size < 2) continue;
    const a = acc[ci]!;
    if (grp.fpKind === 'scaffold') {
      a.scaffoldTemplated += e.volume;
      continue;
    }
    a.templated += e.volume;
    a.templates.set(grp.key, (a.templates.get(grp.key) ?? 0) + e.volume);
  }
}

/** Creation waves: consecutive creations ≤ 24 h apart form one wave; share of members in the 3 largest. */
function creationWaves(times: number[]): Pick<ClusterFeatures, 'waves' | 'waveShare' | 'creationSpanDays'> {
  const created = times.sort((x, y) => x - y);
  if (created.length < 2) return { waves: undefined, waveShare: undefined, creationSpanDays: undefined };
  const sizes: number[] = [1];
  for (let i = 1; i < created.length; i++) {
    if (created[i]! - created[i - 1]! <= 86_400_000) sizes[sizes.length - 1]!++;
    else sizes.push(1);
  }
  sizes.sort((x, y) => y - x);
  return {
    waves: sizes.length,
    waveShare: (sizes[0]! + (sizes[1] ?? 0) + (sizes[2] ?? 0)) / created.length,
    creationSpanDays: (created[created.length - 1]! - created[0]!) / 86_400_000,
  };
}

/** Distinct shared fingerprints covering 90% of the templated volume. */
function templatesFor90(a: Acc): number | undefined {
  if (!(a.templated > 0)) return undefined;
  const counts = [...a.templates.values()].sort((x, y) => y - x);
  let cum = 0;
  let k = 0;
  for (const c of counts) {
    cum += c;
    k++;
    if (cum >= 0.9 * a.templated) break;
  }
  return k;
}

function push(m: Map<string, string[]>, k: string, v: string): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** Accounts active per hour, over all accounts (the same counts synchrony discounts crowded hours by). */
export function hourCrowd(input: LinkageInput): { perHour: HourCounts; accounts: number } {
  let accounts = 0;
  for (const s of input.activity.values()) if (s.hours.length) accounts++;
  return { perHour: HourCounts.of([...input.activity.values()], SYNC_LIMITS.denseHourSpan), accounts };
}

function activityFeatures(
  input: LinkageInput,
  members: readonly string[],
  releaseDate: number | undefined,
  crowd: { perHour: HourCounts; accounts: number },
): Pick<ClusterFeatures, 'requestsPerAccountDay' | 'peakHoursShare' | 'syncLift' | 'releaseShift'> {
  const perHour = new Map<number, number>();
  const hod = new Float64Array(24);
  let requests = 0;
  let lo = Infinity;
  let hi = -Infinity;
  let active = 0;
  let rBefore = 0;
  let rAfter = 0;
  const R = releaseDate === undefined ? undefined : Math.floor(releaseDate / 3_600_000);
  for (const id of members) {
    const s = input.activity.get(id);
    if (!s || s.hours.length === 0) continue;
    active++;
    for (let i = 0; i < s.hours.length; i++) {
      const h = s.hours[i]!;
      const r = s.requests[i]!;
      perHour.set(h, (perHour.get(h) ?? 0) + 1);
      hod[((h % 24) + 24) % 24]! += r;
      requests += r;
      if (h < lo) lo = h;
      if (h > hi) hi = h;
      if (R !== undefined) {
        if (h >= R && h < R + 24) rAfter += r;
        else if (h >= R - 168 && h < R) rBefore += r;
      }
    }
  }
  if (active === 0) return { requestsPerAccountDay: undefined, peakHoursShare: undefined, syncLift: undefined, releaseShift: undefined };
  const windowHours = hi - lo + 1;
  let peak = 0;
  for (let s = 0; s < 24; s++) {
    let w = 0;
    for (let k = 0; k < 10; k++) w += hod[(s + k) % 24]!;
    if (w > peak) peak = w;
  }
  let syncLift: number | undefined;
  const outside = crowd.accounts - active;
  if (active >= 2 && outside > 0) {
    // Observed: other members active in each member-hour. Expected: (active − 1) × the share of
    // non-members active in that hour (Laplace-smoothed).
    let observed = 0;
    let expected = 0;
    for (const [h, c] of perHour) {
      observed += c * (c - 1);
      const p = (crowd.perHour.get(h) - c + 1) / (outside + 2);
      expected += c * (active - 1) * p;
    }
    syncLift = expected > 0 ? observed / expected : undefined;
  }
  return {
    requestsPerAccountDay: requests / active / Math.max(1, windowHours / 24),
    peakHoursShare: requests > 0 ? peak / requests : undefined,
    syncLift,
    releaseShift: R === undefined || rBefore + rAfter === 0 ? undefined : (rAfter / 24 + 1e-9) / (rBefore / 168 + 1e-9),
  };
}

/** Internal edges of each cluster and the weakest link of its maximum spanning tree (Kruskal). */
export function internalStructure(
  g: ProjectedGraph,
  clusters: readonly (readonly number[])[],
  adjacency: { offsets: Int32Array; edges: Int32Array },
): Array<{ edges: number[]; tree: number[]; weakest: number }> {
  return clusters.map((c) => {
    const inside = new Set(c);
    const edges: number[] = [];
    for (const v of c) {
      for (let p = adjacency.offsets[v]!; p < adjacency.offsets[v + 1]!; p++) {
        const e = adjacency.edges[p]!;
        const u = g.src[e] === v ? g.dst[e]! : g.src[e]!;
        if (u > v && inside.has(u)) edges.push(e);
      }
    }
    edges.sort((x, y) => g.weight[y]! - g.weight[x]! || x - y);
    const local = new Map<number, number>();
    c.forEach((v, i) => local.set(v, i));
    const { find, union } = unionFind(c.length);
    const tree: number[] = [];
    for (const e of edges) {
      const a = local.get(g.src[e]!)!;
      const b = local.get(g.dst[e]!)!;
      if (find(a) === find(b)) continue;
      union(a, b);
      tree.push(e);
      if (tree.length === c.length - 1) break;
    }
    const weakest = tree.length ? g.weight[tree[tree.length - 1]!]! : 0;
    return { edges, tree, weakest };
  });
}

/** Evidence row of an edge as a plain object (bits per kind). */
export function evidenceRow(g: ProjectedGraph, e: number): Record<string, number> {
  const o = e * EVIDENCE_SLOTS;
  return {
    payment: round(g.evidence[o]!),
    ip: round(g.evidence[o + 1]!),
    subnet: round(g.evidence[o + 2]!),
    prompt: round(g.evidence[o + 3]!),
    sync: round(g.evidence[o + 4]!),
  };
}

export function round(x: number, d = 2): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/**
 * Components of the projected graph restricted to edges whose two accounts share an e-mail domain
 * (union-find). Returns, for a domain, how many of its accounts are linked to another account on it.
 */
function linkedWithinDomain(input: LinkageInput, g: ProjectedGraph): (domain: string) => number {
  const n = g.accounts.length;
  const domainOf: Array<string | undefined> = g.accounts.map((id) => input.accounts.get(id)?.emailDomain);
  const { find, union } = unionFind(n);
  for (let e = 0; e < g.edgeCount; e++) {
    const d = domainOf[g.src[e]!];
    if (d !== undefined && d === domainOf[g.dst[e]!]) union(g.src[e]!, g.dst[e]!);
  }
  const size = new Int32Array(n);
  for (let v = 0; v < n; v++) if (domainOf[v] !== undefined) size[find(v)]!++;
  // Holders of each domain that are linked to another holder of it (a within-domain component of ≥ 2).
  const linked = new Map<string, number>();
  for (let v = 0; v < n; v++) {
    const d = domainOf[v];
    if (d !== undefined && size[find(v)]! >= 2) linked.set(d, (linked.get(d) ?? 0) + 1);
  }
  return (domain) => linked.get(domain) ?? 0;
}
