/**
 * The population plan of a scenario: which account slots belong to which group, and each group's
 * shared state (cards, IP pools, templates, operator schedule). The plan is small (one entry per
 * group, never per row); accounts are generated from it one at a time (see account-rows.ts).
 */
import type { BuiltInCapability } from '../vocabulary/capabilities.js';
import type { PromptMarker } from '../graph/types.js';
import { InvalidParameterError } from '../util/errors.js';
import { campusDomain, corporateDomain, fingerprintId, hostIn, ipv4, makeCard, subnet24, type Card, type Fingerprint, type IpInfo } from './identifiers.js';
import { hash32, Rng } from './prng.js';
import type { PopulationKind, ScenarioSpec } from './scenarios.js';
import { validateWorld, type WorldParams } from './world.js';
import { ASN, CAPABILITIES, COUNTRIES, LEGIT_CAPABILITY_WEIGHTS, RING_CAPABILITIES, RING_TYPES, type RingType, type TruthLabel } from './vocab.js';

export const HOUR_MS = 3_600_000;

/** The observed period. */
export interface TimeWindow {
  /** First observed epoch hour. */
  readonly startHour: number;
  /** Number of observed hours. */
  readonly hours: number;
  /** Epoch hour of the model release (release-shift rings move within 24 h after it). */
  readonly releaseHour: number;
}

export interface OrgState {
  readonly t: 'org';
  readonly domain: string;
  readonly country: string;
  readonly tz: number;
  readonly cards: readonly Card[];
  readonly office: readonly IpInfo[];
  readonly templates: readonly Fingerprint[];
  /** Staff accounts are created between these epoch hours ("over months"). */
  readonly createdFrom: number;
  readonly createdTo: number;
}

export interface FamilyState {
  readonly t: 'family';
  readonly card: Card;
  readonly home: IpInfo;
  readonly country: string;
  readonly tz: number;
}

/** A CGNAT carrier or a campus: a few IPs shared by thousands of unrelated accounts. */
export interface HubState {
  readonly t: 'hub';
  readonly ips: readonly IpInfo[];
  readonly country: string;
  readonly tz: number;
  readonly domain?: string;
}

export interface BenchState {
  readonly t: 'bench';
  readonly domain: string;
  readonly country: string;
  readonly card: Card;
  readonly ips: readonly IpInfo[];
  readonly templates: readonly Fingerprint[];
  readonly schedule: Uint8Array;
  readonly createdFrom: number;
  readonly createdTo: number;
  /** World `evalSurge`: traffic ×6 and new templates in the 36 h after the release. */
  readonly surge?: { readonly templates: readonly Fingerprint[] };
}

export interface RingState {
  readonly t: 'ring';
  readonly type: RingType;
  readonly templates: readonly Fingerprint[];
  /** release-shift only: the templates traffic moves to after the release. */
  readonly shiftTemplates: readonly Fingerprint[];
  /** Shared cards; empty when every account pays with its own card. */
  readonly cards: readonly Card[];
  /** Probability that an account pays with a shared card rather than its own. */
  readonly sharedCardRate: number;
  /** Proxy pool; empty when every account uses its own IPs. */
  readonly pool: readonly IpInfo[];
  readonly ipsPerAccount: readonly [number, number];
  /** Per window hour: 1 when the operator's batch runs. */
  readonly schedule: Uint8Array;
  /** Chance an account joins a scheduled hour; ± jitter hours blur the lockstep (careful operators). */
  readonly joinRate: number;
  readonly jitter: number;
  /** Wave start hours; accounts are spread over them and live `lifetime` hours (then banned). */
  readonly waves: readonly number[];
  readonly lifetime: readonly [number, number];
  readonly dailyExchanges: number;
  readonly noisePrompts: readonly [number, number];
  readonly verifiedRate: number;
  readonly freeEmailRate: number;
  readonly hubShare: number;
  /** Creation spread uniformly from the first wave over this many hours instead of in waves. */
  readonly steadyHours?: number;
  /** network-camouflage: CGNAT and campus exits per account, shared with the legitimate users of those exits. */
  readonly networkExits?: readonly [number, number];
}

export type GroupState = OrgState | FamilyState | HubState | BenchState | RingState;

export interface Segment {
  readonly kind: PopulationKind;
  readonly start: number;
  readonly size: number;
  readonly label: TruthLabel;
  /** Truth group; '' for independent accounts (individuals, hub users, tool users). */
  readonly group: string;
  readonly state?: GroupState;
}

export interface Plan {
  readonly seed: number;
  readonly accounts: number;
  readonly window: TimeWindow;
  readonly segments: readonly Segment[];
  /** Segment start slots, for binary search. */
  readonly starts: Int32Array;
  /** Popular tool system prompts (shared by thousands of legit accounts), with popularity weights. */
  readonly tools: readonly Fingerprint[];
  readonly toolWeights: readonly number[];
  /** Near-duplicate everyday prompts ("write a cover letter..."), shared by a few accounts each. */
  readonly commonPoolSize: number;
  /** Commercial VPN exit nodes some legit users connect through. */
  readonly vpn: readonly IpInfo[];
  readonly cgnatHubs: readonly HubState[];
  readonly campusHubs: readonly HubState[];
  /** Residential proxy exits of rings that are also a legitimate user's home (world `proxyHomeShare`). */
  readonly homeExits: readonly IpInfo[];
  /** Chance that an individual's home IP is one of `homeExits` (about one household per exit). */
  readonly homeExitRate: number;
}

/** Group sizes per population (accounts). Rings are sized from the reports' fleet descriptions. */
export const GROUP_SIZES: Readonly<Record<Exclude<PopulationKind, 'individual' | 'tool_user'>, readonly [number, number]>> = {
  org: [5, 200],
  family: [2, 5],
  cgnat: [1500, 3500],
  campus: [600, 2000],
  benchmark: [20, 80],
  hydra: [150, 600],
  datacenter: [100, 400],
  careful: [30, 120],
  camouflage: [40, 150],
  'shared-reseller': [60, 250],
  'release-shift': [80, 300],
  'network-camouflage': [300, 800],
};

/** Smallest ring planted when a scenario asks for a ring type at all (small test drops). */
export const MIN_RING_SIZE = 8;

const LABEL: Record<Exclude<PopulationKind, RingType>, TruthLabel> = {
  individual: 'legit_individual',
  tool_user: 'legit_tool_user',
  org: 'legit_org',
  family: 'legit_family',
  cgnat: 'legit_cgnat',
  campus: 'legit_campus',
  benchmark: 'legit_benchmark',
};

export function pickCountry(rng: Rng): { code: string; tz: number } {
  return rng.weighted(
    COUNTRIES,
    COUNTRIES.map((c) => c.weight),
  );
}

export function legitCapability(rng: Rng): BuiltInCapability {
  return rng.weighted(CAPABILITIES, LEGIT_CAPABILITY_WEIGHTS);
}

/** Split `total` accounts into groups of sizes in [lo, hi] (the last group absorbs a short tail). */
function splitSizes(rng: Rng, total: number, lo: number, hi: number, logUniform = false): number[] {
  const out: number[] = [];
  let left = total;
  while (left > 0) {
    let s = logUniform ? Math.round(Math.exp(rng.real(Math.log(lo), Math.log(hi + 1)))) : rng.range(lo, hi);
    s = Math.min(s, left);
    if (left - s > 0 && left - s < lo) s = left;
    out.push(s);
    left -= s;
  }
  return out;
}

/** An operator's batch schedule: `perDay` scheduled hours each day, any hour of the day (24/7 fleets). */
function operatorSchedule(rng: Rng, window: TimeWindow, perDay: number, burst: [number, number]): Uint8Array {
  const s = new Uint8Array(window.hours);
  for (let d = 0; d * 24 < window.hours; d++) {
    let placed = 0;
    while (placed < perDay) {
      const len = rng.range(burst[0], burst[1]);
      const at = d * 24 + rng.int(24);
      for (let h = at; h < at + len && h < window.hours; h++) {
        if (!s[h]) placed++;
        s[h] = 1;
      }
    }
  }
  return s;
}

/** An operator working weekday office hours (9–18 local) in one time zone: `perDay` of those hours. */
function officeSchedule(rng: Rng, window: TimeWindow, perDay: number): Uint8Array {
  const s = new Uint8Array(window.hours);
  const tz = pickCountry(rng).tz;
  for (let d = 0; d * 24 < window.hours; d++) {
    const day = Math.floor((window.startHour + d * 24) / 24);
    if ((day + 4) % 7 === 0 || (day + 4) % 7 === 6) continue;
    for (let k = 0; k < Math.min(perDay, 9); k++) {
      const h = d * 24 + 9 + rng.int(9) - tz;
      if (h >= 0 && h < window.hours) s[h] = 1;
    }
  }
  return s;
}

function templates(
  seed: number,
  rng: Rng,
  owner: string,
  n: number,
  capabilities: readonly BuiltInCapability[],
  markerRate: number,
  kind: 'template' | 'system' = 'template',
): Fingerprint[] {
  const out: Fingerprint[] = [];
  for (let i = 0; i < n; i++) {
    const capability = rng.pick(capabilities);
    const markers: PromptMarker[] = [];
    if (rng.chance(capability === 'reasoning' ? markerRate * 1.5 : markerRate)) markers.push('cot');
    if (rng.chance(markerRate / 2)) markers.push('rubric');
    out.push({
      fp: fingerprintId(seed, owner, i),
      capability,
      kind,
      markers,
      style: kind === 'system' ? 'internal' : 'template',
      textKey: hash32(seed, 'text', owner, i),
    });
  }
  return out;
}

function residentialPool(seed: number, owner: string, n: number, proxyFlagRate: number, rng: Rng): IpInfo[] {
  // Residential proxies look like home connections: scattered /24s, consumer ASNs; threat feeds flag only some.
  return Array.from({ length: n }, (_, i) => ({
    ip: ipv4(seed, owner, i),
    asn: rng.pick(ASN.residential),
    isProxy: rng.chance(proxyFlagRate),
  }));
}

function ringState(seed: number, type: RingType, owner: string, size: number, window: TimeWindow, shared: { pool?: IpInfo[] }, world: WorldParams): RingState {
  const rng = Rng.for(seed, 'ring', owner);
  return applyWorld(baseRingState(seed, rng, type, owner, size, window, shared), seed, rng, owner, size, window, world);
}

/** World knobs over a ring type's own state (cards per account, creation, verification, schedule). */
function applyWorld(s: RingState, seed: number, rng: Rng, owner: string, size: number, window: TimeWindow, world: WorldParams): RingState {
  let out = s;
  if (world.ringCardShare && s.cards.length > 0) {
    const per = rng.range(world.ringCardShare[0], world.ringCardShare[1]);
    const n = Math.max(1, Math.round((size * s.sharedCardRate) / per));
    out = { ...out, cards: Array.from({ length: n }, (_, i) => makeCard(seed, rng.pick(['US', 'GB', 'HK', 'SG']), true, owner, 'w', i)) };
  }
  if (world.creation === 'waves' && out.steadyHours !== undefined) {
    // A steady type made to come in waves: four waves over its steady period.
    const first = out.waves[0]!;
    const span = out.steadyHours;
    out = { ...out, steadyHours: undefined, waves: Array.from({ length: 4 }, (_, i) => first + Math.floor((span * i) / 4) + rng.int(12)) };
  }
  if (world.creation === 'steady' && out.steadyHours === undefined) {
    const first = Math.min(...out.waves);
    const last = Math.max(...out.waves);
    out = { ...out, steadyHours: Math.max(7 * 24, last - first + 24), waves: [first] };
  }
  if (world.ringVerified !== undefined) out = { ...out, verifiedRate: world.ringVerified };
  if (world.ringSchedule === 'office') {
    let perDay = 0;
    for (const v of out.schedule) perDay += v;
    out = { ...out, schedule: officeSchedule(rng, window, Math.max(2, Math.round((perDay / window.hours) * 24))) };
  }
  return out;
}

function baseRingState(seed: number, rng: Rng, type: RingType, owner: string, size: number, window: TimeWindow, shared: { pool?: IpInfo[] }): RingState {
  const day = 24;
  const base = {
    t: 'ring' as const,
    type,
    shiftTemplates: [] as Fingerprint[],
    jitter: 0,
    verifiedRate: 0.3,
    freeEmailRate: 0.85,
    hubShare: 0,
    dailyExchanges: 26,
    noisePrompts: [1, 3] as const,
  };
  const prepaid = (n: number) => Array.from({ length: n }, (_, i) => makeCard(seed, rng.pick(['US', 'US', 'GB', 'HK', 'SG']), true, owner, i));
  switch (type) {
    case 'hydra': {
      const every = rng.range(4, 6) * day;
      const waves: number[] = [];
      for (let h = window.startHour - every; h < window.startHour + window.hours - day; h += every) waves.push(h + rng.int(12));
      return {
        ...base,
        templates: templates(seed, rng, owner, rng.range(8, 16), RING_CAPABILITIES, 0.5),
        cards: prepaid(Math.max(1, Math.round(size / rng.range(20, 50)))),
        sharedCardRate: 0.9,
        pool: residentialPool(seed, owner, Math.ceil(size * 1.2), 0.3, rng),
        ipsPerAccount: [3, 6],
        schedule: operatorSchedule(rng, window, 10, [2, 4]),
        joinRate: 0.8,
        waves,
        lifetime: [every, every + 36],
      };
    }
    case 'datacenter': {
      const nets = [subnet24(seed, owner, 'dc0'), subnet24(seed, owner, 'dc1')];
      const asn = rng.pick(ASN.hosting);
      const pool = Array.from({ length: Math.max(2, Math.ceil(size / 80)) }, (_, i) => ({
        ip: hostIn(nets[i % 2]!, seed, owner, 'host', i),
        asn,
        isProxy: true,
      }));
      const first = window.startHour + rng.int(5 * day);
      return {
        ...base,
        templates: templates(seed, rng, owner, rng.range(6, 12), RING_CAPABILITIES, 0.5),
        cards: prepaid(Math.max(1, Math.round(size / 40))),
        sharedCardRate: 0.1,
        pool,
        ipsPerAccount: [1, 2],
        schedule: operatorSchedule(rng, window, 3, [1, 3]),
        joinRate: 0.9,
        waves: [first, first + rng.range(14, 20) * day],
        lifetime: [window.hours, window.hours],
        verifiedRate: 0.5,
      };
    }
    case 'careful':
      return {
        ...base,
        templates: templates(seed, rng, owner, rng.range(10, 20), RING_CAPABILITIES, 0.5),
        cards: [],
        sharedCardRate: 0,
        pool: [],
        ipsPerAccount: [1, 2],
        schedule: operatorSchedule(rng, window, 4, [1, 2]),
        joinRate: 0.7,
        jitter: 1,
        waves: Array.from({ length: 8 }, (_, i) => window.startHour - 10 * day + i * 5 * day + rng.int(48)),
        lifetime: [10 * day, 20 * day],
        verifiedRate: 0.7,
        freeEmailRate: 0.6,
        noisePrompts: [3, 5],
      };
    case 'camouflage':
      return {
        ...base,
        templates: templates(seed, rng, owner, rng.range(6, 12), RING_CAPABILITIES, 0.5),
        cards: prepaid(Math.max(1, Math.round(size / 30))),
        sharedCardRate: 0.3,
        pool: [],
        ipsPerAccount: [1, 2],
        schedule: operatorSchedule(rng, window, 4, [1, 3]),
        joinRate: 0.75,
        waves: Array.from({ length: 5 }, (_, i) => window.startHour - 5 * day + i * 8 * day + rng.int(24)),
        lifetime: [7 * day, 14 * day],
        verifiedRate: 0.6,
        hubShare: 1,
        noisePrompts: [2, 4],
      };
    case 'shared-reseller': {
      const every = rng.range(5, 8) * day;
      const waves: number[] = [];
      for (let h = window.startHour - every; h < window.startHour + window.hours - day; h += every) waves.push(h + rng.int(24));
      return {
        ...base,
        templates: templates(seed, rng, owner, rng.range(6, 12), RING_CAPABILITIES, 0.5),
        cards: prepaid(Math.max(1, Math.round(size / rng.range(15, 30)))),
        sharedCardRate: 0.8,
        pool: shared.pool!,
        ipsPerAccount: [2, 5],
        schedule: operatorSchedule(rng, window, 5, [1, 3]),
        joinRate: 0.8,
        waves,
        lifetime: [every, every + 48],
      };
    }
    case 'release-shift': {
      const from = window.startHour - 10 * day;
      return {
        ...base,
        templates: templates(seed, rng, owner, rng.range(6, 10), ['coding', 'cyber'], 0.3),
        shiftTemplates: templates(seed, rng, `${owner}/shift`, rng.range(4, 8), ['agentic', 'reasoning'], 0.8),
        cards: prepaid(Math.max(1, Math.round(size / rng.range(20, 40)))),
        sharedCardRate: 0.8,
        pool: residentialPool(seed, owner, Math.ceil(size * 0.8), 0.2, rng),
        ipsPerAccount: [2, 4],
        schedule: operatorSchedule(rng, window, 3, [1, 2]),
        joinRate: 0.8,
        waves: Array.from({ length: 4 }, (_, i) => from + Math.floor(((window.releaseHour - 72 - from) * i) / 4) + rng.int(12)),
        lifetime: [window.hours + 10 * day, window.hours + 10 * day],
      };
    }
    case 'network-camouflage':
      // Failure 1 of issue #16: prepaid cards shared by ~40 accounts each, ~15 private templates,
      // created steadily over a month, each account on 2 CGNAT exits and 1 campus exit shared with
      // the legitimate users of those networks, plus a few popular tool prompts.
      return {
        ...base,
        templates: templates(seed, rng, owner, rng.range(12, 18), RING_CAPABILITIES, 0.5),
        cards: prepaid(Math.max(1, Math.round(size / rng.range(30, 50)))),
        sharedCardRate: 0.95,
        pool: [],
        ipsPerAccount: [3, 3],
        schedule: operatorSchedule(rng, window, 4, [1, 3]),
        joinRate: 0.75,
        waves: [window.startHour - 20 * day],
        steadyHours: 30 * day,
        lifetime: [window.hours + 20 * day, window.hours + 20 * day],
        verifiedRate: 0.6,
        hubShare: 1,
        networkExits: [2, 1],
        noisePrompts: [2, 4],
      };
  }
}

/**
 * A ring that appears after the first drop (night.ts): built like the plan's rings of its type, with
 * its own owner key; a shared-reseller operator gets its own reseller pool.
 */
export function newRingState(seed: number, type: RingType, owner: string, size: number, window: TimeWindow, world: WorldParams): RingState {
  const pool = type === 'shared-reseller' ? residentialPool(seed, `${owner}/pool`, Math.ceil(size * 0.9), 0.3, Rng.for(seed, 'pool', owner)) : undefined;
  return ringState(seed, type, owner, size, window, pool ? { pool } : {}, validateWorld(world));
}

function hub(seed: number, rng: Rng, kind: 'cgnat' | 'campus', index: number): HubState {
  const c = pickCountry(rng);
  if (kind === 'cgnat') {
    // A carrier NATs its mobile subscribers behind a few public addresses, often in different /24s.
    const asn = rng.pick(ASN.mobile);
    const ips = Array.from({ length: rng.range(2, 4) }, (_, i) => ({ ip: ipv4(seed, 'cgnat', index, i), asn, isProxy: false }));
    return { t: 'hub', ips, country: c.code, tz: c.tz };
  }
  const net = subnet24(seed, 'campus', index);
  const asn = rng.pick(ASN.campus);
  const ips = Array.from({ length: rng.range(2, 3) }, (_, i) => ({ ip: hostIn(net, seed, 'campus', index, i), asn, isProxy: false }));
  return { t: 'hub', ips, country: c.code, tz: c.tz, domain: campusDomain(seed, index) };
}

export interface PlanOptions {
  readonly scenario: ScenarioSpec;
  readonly accounts: number;
  readonly seed: number;
  readonly window: TimeWindow;
  /** World knobs over the scenario's own (world.ts). @defaultValue {} */
  readonly world?: WorldParams;
}

/** Build the plan. Deterministic in (scenario, accounts, seed, window). */
export function buildPlan(opts: PlanOptions): Plan {
  const { scenario, accounts: n, seed, window } = opts;
  const world = validateWorld({ ...scenario.world, ...opts.world });
  if (!Number.isInteger(n) || n < 50) throw new InvalidParameterError('accounts', 'must be an integer ≥ 50');
  const rng = Rng.for(seed, 'plan', scenario.name);
  const segments: Segment[] = [];
  let slot = 0;
  const push = (s: Omit<Segment, 'start'>): void => {
    segments.push({ ...s, start: slot });
    slot += s.size;
  };
  const want = (k: Exclude<PopulationKind, 'individual'>): number => Math.round((scenario.shares[k] ?? 0) * n);

  // Global look-alike infrastructure first: popular tools, VPN exits, hubs.
  const tools = templates(seed, rng, 'tool', 6, ['coding', 'agentic', 'coding', 'writing', 'agentic', 'reasoning'], 0.1, 'system').map((t) => ({
    ...t,
    style: 'tool' as const,
  }));
  const toolWeights = [40, 25, 15, 10, 6, 4];
  const vpn = Array.from({ length: Math.max(5, Math.round(n / 400)) }, (_, i) => ({
    ip: ipv4(seed, 'vpn', i),
    asn: rng.pick(ASN.hosting),
    isProxy: true,
  }));
  const cgnatHubs: HubState[] = [];
  const campusHubs: HubState[] = [];

  for (const kind of ['cgnat', 'campus'] as const) {
    const total = want(kind);
    if (total === 0) continue;
    const into = kind === 'cgnat' ? cgnatHubs : campusHubs;
    if (world.hubExitUsers) {
      // Hubs sized by users per exit: each user takes 1–2 of its hub's exits (1.5 on average).
      const [lo, hi] = world.hubExitUsers;
      for (let left = total, i = 0; left > 0; i++) {
        const h = hub(seed, rng, kind, i);
        const perExit = Math.round(Math.exp(rng.real(Math.log(lo), Math.log(hi + 1))));
        const size = Math.min(left, Math.max(2, Math.round((h.ips.length * perExit) / 1.5)));
        into.push(h);
        push({ kind, size, label: LABEL[kind], group: '', state: h });
        left -= size;
      }
      continue;
    }
    const [lo, hi] = GROUP_SIZES[kind];
    const sizes = total < lo ? [total] : splitSizes(rng, total, lo, hi);
    sizes.forEach((size, i) => {
      const h = hub(seed, rng, kind, i);
      into.push(h);
      push({ kind, size, label: LABEL[kind], group: '', state: h });
    });
  }
  if (cgnatHubs.length === 0) cgnatHubs.push(hub(seed, rng, 'cgnat', 0));
  if (campusHubs.length === 0) campusHubs.push(hub(seed, rng, 'campus', 0));

  const tu = want('tool_user');
  if (tu > 0) push({ kind: 'tool_user', size: tu, label: 'legit_tool_user', group: '' });

  let orgNo = 0;
  for (const size of splitSizes(rng, want('org'), ...GROUP_SIZES.org, true)) {
    const id = ++orgNo;
    const c = pickCountry(rng);
    const founded = window.startHour - rng.range(60, 900) * 24;
    const net = subnet24(seed, 'org', id);
    const asn = rng.pick(ASN.business);
    const capabilities = [legitCapability(rng), legitCapability(rng), 'coding' as BuiltInCapability];
    push({
      kind: 'org',
      size,
      label: 'legit_org',
      group: `org:${id}`,
      state: {
        t: 'org',
        domain: corporateDomain(seed, 'org', id),
        country: c.code,
        tz: c.tz,
        cards: Array.from({ length: size > 60 ? 2 : 1 }, (_, i) => makeCard(seed, c.code, false, 'org', id, i)),
        office: Array.from({ length: rng.range(1, 3) }, (_, i) => ({ ip: hostIn(net, seed, 'org', id, i), asn, isProxy: false })),
        templates: templates(seed, rng, `org/${id}`, rng.range(2, 5), capabilities, 0.1, rng.chance(0.5) ? 'system' : 'template'),
        createdFrom: founded,
        createdTo: Math.min(window.startHour + window.hours - 48, founded + rng.range(30, 365) * 24),
      },
    });
  }

  let famNo = 0;
  for (const size of splitSizes(rng, want('family'), ...GROUP_SIZES.family)) {
    const id = ++famNo;
    const c = pickCountry(rng);
    push({
      kind: 'family',
      size,
      label: 'legit_family',
      group: `family:${id}`,
      state: {
        t: 'family',
        card: makeCard(seed, c.code, false, 'family', id),
        home: { ip: ipv4(seed, 'family', id), asn: rng.pick(ASN.residential), isProxy: false },
        country: c.code,
        tz: c.tz,
      },
    });
  }

  const bench = want('benchmark');
  if (bench > 0) {
    let benchNo = 0;
    const [lo, hi] = GROUP_SIZES.benchmark;
    for (const size of bench < lo ? [bench] : splitSizes(rng, bench, lo, hi)) {
      const id = ++benchNo;
      const c = pickCountry(rng);
      const net = subnet24(seed, 'bench', id);
      const asn = rng.pick(ASN.hosting);
      const capability = rng.pick(['reasoning', 'coding', 'agentic'] as BuiltInCapability[]);
      push({
        kind: 'benchmark',
        size,
        label: 'legit_benchmark',
        group: `bench:${id}`,
        state: {
          t: 'bench',
          domain: corporateDomain(seed, 'bench', id),
          country: c.code,
          card: makeCard(seed, c.code, false, 'bench', id),
          ips: Array.from({ length: rng.range(2, 4) }, (_, i) => ({ ip: hostIn(net, seed, 'bench', id, i), asn, isProxy: rng.chance(0.7) })),
          templates: templates(seed, rng, `bench/${id}`, rng.range(3, 6), [capability], 0.7),
          schedule: operatorSchedule(rng, window, 3, [2, 3]),
          createdFrom: window.startHour - 365 * 24,
          createdTo: window.startHour + window.hours - 72,
          ...(world.evalSurge ? { surge: { templates: templates(seed, rng, `bench/${id}/release`, rng.range(2, 4), [capability], 0.7) } } : {}),
        },
      });
    }
  }

  const homes: IpInfo[] = [];
  /** World `ringSizes`: exactly these rings (shared-reseller: consecutive operators share one pool). */
  const plantGivenRings = (type: RingType, sizes: readonly number[]): void => {
    let ringNo = 0;
    const step = type === 'shared-reseller' ? 2 : 1;
    for (let i = 0; i < sizes.length; i += step) {
      const ops = sizes.slice(i, i + step);
      let pool: IpInfo[] | undefined;
      if (type === 'shared-reseller') {
        pool = residentialPool(seed, `reseller/given-${i / 2}`, Math.ceil(ops.reduce((a, b) => a + b, 0) * 0.9), 0.3, rng);
        homes.push(...homeExitsOf(pool, world, rng));
      }
      for (const size of ops) {
        const group = `ring:${type}-${++ringNo}`;
        const state = ringState(seed, type, group, size, window, pool ? { pool } : {}, world);
        if (type === 'hydra' || type === 'release-shift') homes.push(...homeExitsOf(state.pool, world, rng));
        push({ kind: type, size, label: 'ring', group, state });
      }
    }
  };
  for (const type of RING_TYPES) {
    const given = world.ringSizes?.[type];
    if (given) {
      plantGivenRings(type, given);
      continue;
    }
    let total = want(type);
    if (total === 0 && (scenario.shares[type] ?? 0) === 0) continue;
    const min = type === 'shared-reseller' ? 2 * MIN_RING_SIZE : MIN_RING_SIZE;
    total = Math.max(total, min);
    const [lo, hi] = world.ringSize ?? GROUP_SIZES[type];
    let ringNo = 0;
    if (type === 'shared-reseller') {
      // Operators come in pairs on one reseller pool; each pair's two operators are separate truth groups.
      const pairs = total < 2 * lo ? [total] : splitSizes(rng, total, 2 * lo, 2 * hi);
      pairs.forEach((pairSize, p) => {
        const owner = `reseller/${p}`;
        const pool = residentialPool(seed, owner, Math.ceil(pairSize * 0.9), 0.3, rng);
        homes.push(...homeExitsOf(pool, world, rng));
        const a = Math.round(pairSize * rng.real(0.35, 0.65));
        for (const size of [a, pairSize - a]) {
          const group = `ring:${type}-${++ringNo}`;
          push({ kind: type, size, label: 'ring', group, state: ringState(seed, type, group, size, window, { pool }, world) });
        }
      });
    } else {
      for (const size of total < lo ? [total] : splitSizes(rng, total, lo, hi)) {
        const group = `ring:${type}-${++ringNo}`;
        const state = ringState(seed, type, group, size, window, {}, world);
        if (type === 'hydra' || type === 'release-shift') homes.push(...homeExitsOf(state.pool, world, rng));
        push({ kind: type, size, label: 'ring', group, state });
      }
    }
  }

  if (slot > n) throw new InvalidParameterError('accounts', `scenario ${scenario.name} needs at least ${slot} accounts`);
  const individuals = n - slot;
  if (slot < n) push({ kind: 'individual', size: individuals, label: 'legit_individual', group: '' });
  return {
    seed,
    accounts: n,
    window,
    segments,
    starts: Int32Array.from(segments.map((s) => s.start)),
    tools,
    toolWeights,
    commonPoolSize: Math.max(200, Math.round(n / 20)),
    vpn,
    cgnatHubs,
    campusHubs,
    homeExits: homes,
    homeExitRate: individuals > 0 ? Math.min(1, homes.length / individuals) : 0,
  };
}

/** The share `proxyHomeShare` of a residential proxy pool that is also someone's home (a bystander each). */
function homeExitsOf(pool: readonly IpInfo[], world: WorldParams, rng: Rng): IpInfo[] {
  const share = world.proxyHomeShare ?? 0;
  return share > 0 ? pool.filter(() => rng.chance(share)) : [];
}

/** The segment holding a slot (binary search). */
export function segmentOf(plan: Plan, slot: number): Segment {
  const s = plan.starts;
  let lo = 0;
  let hi = s.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (s[mid]! <= slot) lo = mid;
    else hi = mid - 1;
  }
  return plan.segments[lo]!;
}
