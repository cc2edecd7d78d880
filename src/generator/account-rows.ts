/**
 * One account's rows, generated from the plan and the account's slot alone (its own seeded Rng), so
 * the output does not depend on the order accounts are produced in and nothing but the plan is held
 * in memory.
 */
import type { BuiltInCapability } from '../vocabulary/capabilities.js';
import type { PromptMarker } from '../graph/types.js';
import {
  accountId,
  corporateDomain,
  fingerprintId,
  ipv4,
  ipv6,
  makeCard,
  pickSome,
  throwawayDomain,
  type Card,
  type Fingerprint,
  type IpInfo,
} from './identifiers.js';
import { hash32, Rng } from './prng.js';
import { legitCapability, pickCountry, segmentOf, type BenchState, type Plan, type RingState, type Segment, type TimeWindow } from './plan.js';
import { ASN, CAPABILITIES, FREE_EMAIL, FREE_EMAIL_WEIGHTS, type TruthLabel } from './vocab.js';

export interface PromptUse {
  readonly fp: Fingerprint;
  readonly count: number;
  /** Epoch hours of first and last use. */
  readonly first: number;
  readonly last: number;
}

export interface AccountRecord {
  readonly id: string;
  readonly label: TruthLabel;
  readonly group: string;
  readonly createdMs: number;
  readonly emailDomain: string;
  readonly country: string;
  readonly verified: boolean;
  readonly plan: string;
  readonly payments: ReadonlyArray<{ card: Card; first: number; last: number }>;
  readonly ips: ReadonlyArray<{ ip: IpInfo; first: number; last: number; requests: number }>;
  readonly prompts: readonly PromptUse[];
  /** Active epoch hours, ascending, with requests per hour (> 0). */
  readonly hours: readonly number[];
  readonly requests: readonly number[];
}

type Style = 'business' | 'evening' | 'night' | 'mixed';

/** Ordinary human usage: a few sessions of a few hours at local times that fit the style. */
export function sessions(
  rng: Rng,
  w: TimeWindow,
  fromHour: number,
  tz: number,
  mean: number,
  len: readonly [number, number],
  style: Style,
  req: readonly [number, number],
): Map<number, number> {
  const end = w.startHour + w.hours;
  const from = Math.min(Math.max(w.startHour, fromHour), end - 24);
  const out = new Map<number, number>();
  const n = 1 + rng.poisson(mean);
  for (let i = 0; i < n; i++) {
    let day = Math.floor((from + rng.int(end - from)) / 24);
    const s = style === 'mixed' ? rng.pick(['business', 'evening', 'evening'] as const) : style;
    if (s === 'business') {
      for (let tries = 0; tries < 3 && ((day + 4) % 7 === 0 || (day + 4) % 7 === 6); tries++) day = Math.floor((from + rng.int(end - from)) / 24);
    }
    const local = s === 'business' ? rng.range(8, 17) : s === 'evening' ? rng.pick([7, 8, 12, 18, 19, 20, 21, 22, 23]) : rng.range(0, 4);
    const start = day * 24 + local - tz;
    const l = rng.range(len[0], len[1]);
    for (let h = start; h < start + l; h++) {
      if (h < from || h >= end) continue;
      out.set(h, (out.get(h) ?? 0) + rng.range(req[0], req[1]));
    }
  }
  if (out.size === 0) out.set(from + rng.int(end - from), rng.range(req[0], req[1]));
  return out;
}

/** Operator-driven usage: the account joins its operator's scheduled hours (lockstep, 24/7). */
export function scheduled(
  rng: Rng,
  w: TimeWindow,
  schedule: Uint8Array,
  from: number,
  to: number,
  joinRate: number,
  jitter: number,
  dailyExchanges: number,
): Map<number, number> {
  const end = w.startHour + w.hours;
  let perDay = 0;
  for (const v of schedule) perDay += v;
  perDay = Math.max(1, (perDay / w.hours) * 24 * joinRate);
  const base = dailyExchanges / perDay;
  const out = new Map<number, number>();
  const lo = Math.max(from, w.startHour);
  const hi = Math.min(to, end);
  for (let h = lo; h < hi; h++) {
    if (!schedule[h - w.startHour] || !rng.chance(joinRate)) continue;
    const at = jitter ? Math.min(end - 1, Math.max(w.startHour, h + rng.range(-jitter, jitter))) : h;
    out.set(at, (out.get(at) ?? 0) + Math.max(1, Math.round(base * rng.real(0.6, 1.4))));
  }
  if (out.size === 0) out.set(Math.min(end - 1, Math.max(w.startHour, lo)), Math.max(1, Math.round(base)));
  return out;
}

function freeEmail(rng: Rng): string {
  return rng.weighted(FREE_EMAIL, FREE_EMAIL_WEIGHTS);
}

export function ownIp(plan: Plan, rng: Rng, slot: number, i: number, kind: 'residential' | 'mobile', v6Rate: number): IpInfo {
  const ip = rng.chance(v6Rate) ? ipv6(plan.seed, 'own', slot, i) : ipv4(plan.seed, 'own', slot, i);
  return { ip, asn: rng.pick(ASN[kind]), isProxy: false };
}

export function diverse(plan: Plan, rng: Rng, slot: number, j: number, capability: BuiltInCapability, commonRate: number): Fingerprint {
  if (rng.chance(commonRate)) {
    // A near-duplicate everyday prompt: a few unrelated people send the same thing.
    const i = rng.int(plan.commonPoolSize);
    const h = hash32(plan.seed, 'common', i);
    return {
      fp: fingerprintId(plan.seed, 'common', i),
      capability: CAPABILITIES[h % CAPABILITIES.length]!,
      kind: 'minhash',
      markers: [],
      style: 'common',
      textKey: h,
    };
  }
  const markers: PromptMarker[] = rng.chance(capability === 'reasoning' ? 0.2 : 0.03) ? ['cot'] : [];
  return { fp: fingerprintId(plan.seed, 'own', slot, j), capability, kind: 'minhash', markers, style: 'free', textKey: hash32(plan.seed, 'free', slot, j) };
}

export interface Draft {
  createdHour: number;
  emailDomain: string;
  country: string;
  verified: boolean;
  plan: string;
  cards: Array<{ card: Card; main: boolean }>;
  ips: Array<{ ip: IpInfo; main: boolean; weight: number }>;
  fps: Array<{ fp: Fingerprint; weight: number; from?: number; shiftWeight?: number }>;
  activity: Map<number, number>;
  /** release-shift: from this hour on, `shiftWeight` replaces `weight`. */
  shiftAt?: number;
}

function pickPlan(rng: Rng): string {
  return rng.weighted(['free', 'pro', 'api-payg', 'team'], [40, 35, 20, 5]);
}

function individualLike(plan: Plan, rng: Rng, slot: number, at: Placement, flavour: 'individual' | 'tool' | 'cgnat' | 'campus'): Draft {
  const { w, seg } = at;
  const hubState = seg.state?.t === 'hub' ? seg.state : undefined;
  const c = hubState && rng.chance(0.8) ? { code: hubState.country, tz: hubState.tz } : pickCountry(rng);
  const createdHour = rng.chance(0.85) ? w.startHour - rng.range(1, 730 * 24) : w.startHour + rng.int(w.hours - 24);
  const planName = flavour === 'campus' ? rng.weighted(['free', 'pro'], [60, 40]) : pickPlan(rng);
  const r = rng.next();
  const emailDomain =
    flavour === 'campus' && hubState?.domain && rng.chance(0.7) ? hubState.domain : r < 0.8 ? freeEmail(rng) : corporateDomain(plan.seed, 'personal', slot);
  const cards: Draft['cards'] = [];
  const nCards = planName === 'free' ? (rng.chance(0.25) ? 1 : 0) : rng.chance(0.1) ? 2 : 1;
  for (let i = 0; i < nCards; i++) cards.push({ card: makeCard(plan.seed, c.code, rng.chance(0.03), 'own', slot, i), main: i === 0 });

  const ips: Draft['ips'] = [];
  // A bystander: this household's home IP is also one of a ring's residential proxy exits.
  if (flavour === 'individual' && plan.homeExits.length > 0 && rng.chance(plan.homeExitRate)) ips.push({ ip: rng.pick(plan.homeExits), main: true, weight: 3 });
  if (ips.length > 0) {
    if (rng.chance(0.3)) ips.push({ ip: ownIp(plan, rng, slot, 98, 'mobile', 0.2), main: false, weight: 1 });
  } else if (hubState) {
    for (const ip of pickSome(rng, hubState.ips, rng.range(1, 2))) ips.push({ ip, main: ips.length === 0, weight: 3 });
    if (rng.chance(0.4)) ips.push({ ip: ownIp(plan, rng, slot, 0, 'residential', 0.1), main: false, weight: 1 });
  } else {
    const n = 1 + rng.poisson(1.1);
    for (let i = 0; i < n; i++) ips.push({ ip: ownIp(plan, rng, slot, i, 'residential', 0.1), main: i === 0, weight: i === 0 ? 3 : 1 });
    if (rng.chance(0.08)) ips.push({ ip: ownIp(plan, rng, slot, 99, 'mobile', 0.2), main: false, weight: 1 });
  }
  if (rng.chance(0.12)) ips.push({ ip: rng.pick(plan.vpn), main: false, weight: 1 });

  // Noise: some legitimate people code at night, with a narrow capability focus.
  const nightCoder = rng.chance(flavour === 'tool' ? 0.2 : 0.08);
  const fps: Draft['fps'] = [];
  const k = 3 + rng.poisson(flavour === 'tool' ? 10 : 13);
  for (let j = 0; j < k; j++) {
    const cap =
      nightCoder && rng.chance(0.7) ? 'coding' : flavour === 'tool' && rng.chance(0.5) ? rng.pick(['coding', 'agentic'] as const) : legitCapability(rng);
    fps.push({ fp: diverse(plan, rng, slot, j, cap, 0.12), weight: 1 });
  }
  if (flavour === 'tool') {
    fps.push({ fp: rng.weighted(plan.tools, plan.toolWeights), weight: k });
    if (rng.chance(0.2)) fps.push({ fp: rng.weighted(plan.tools, plan.toolWeights), weight: k / 2 });
  } else if (rng.chance(0.15)) {
    fps.push({ fp: rng.weighted(plan.tools, plan.toolWeights), weight: 2 });
  }

  const style: Style = nightCoder ? 'night' : flavour === 'campus' ? 'mixed' : rng.pick(['evening', 'evening', 'mixed', 'business'] as const);
  const activity =
    flavour === 'tool' ? sessions(rng, w, createdHour, c.tz, 7, [1, 5], style, [2, 25]) : sessions(rng, w, createdHour, c.tz, 6, [1, 4], style, [1, 15]);
  return {
    createdHour,
    emailDomain,
    country: c.code,
    verified: rng.chance(FREE_EMAIL.includes(emailDomain) ? 0.75 : 0.9),
    plan: planName,
    cards,
    ips,
    fps,
    activity,
  };
}

function orgMember(plan: Plan, rng: Rng, slot: number, at: Placement): Draft {
  const s = at.seg.state!;
  if (s.t !== 'org') throw new Error('unreachable');
  const w = at.w;
  const createdHour = s.createdFrom + rng.int(Math.max(1, s.createdTo - s.createdFrom));
  const cards: Draft['cards'] = [{ card: rng.pick(s.cards), main: true }];
  if (rng.chance(0.1)) cards.push({ card: makeCard(plan.seed, s.country, false, 'own', slot, 0), main: false });
  const ips: Draft['ips'] = pickSome(rng, s.office, rng.range(1, 2)).map((ip, i) => ({ ip, main: i === 0, weight: 4 }));
  if (rng.chance(0.5)) ips.push({ ip: ownIp(plan, rng, slot, 0, 'residential', 0.1), main: false, weight: 1 });
  if (rng.chance(0.15)) ips.push({ ip: ownIp(plan, rng, slot, 1, 'mobile', 0.2), main: false, weight: 1 });
  const fps: Draft['fps'] = pickSome(rng, s.templates, rng.range(1, Math.min(3, s.templates.length))).map((fp) => ({ fp, weight: 3 }));
  const k = rng.range(8, 14);
  for (let j = 0; j < k; j++) fps.push({ fp: diverse(plan, rng, slot, j, legitCapability(rng), 0.1), weight: 1 });
  return {
    createdHour,
    emailDomain: rng.chance(0.95) ? s.domain : freeEmail(rng),
    country: s.country,
    verified: rng.chance(0.95),
    plan: rng.chance(0.7) ? 'team' : 'enterprise',
    cards,
    ips,
    fps,
    activity: sessions(rng, w, createdHour, s.tz, 6, [2, 5], 'business', [2, 20]),
  };
}

function familyMember(plan: Plan, rng: Rng, slot: number, at: Placement): Draft {
  const s = at.seg.state!;
  if (s.t !== 'family') throw new Error('unreachable');
  const w = at.w;
  const createdHour = rng.chance(0.85) ? w.startHour - rng.range(1, 730 * 24) : w.startHour + rng.int(w.hours - 24);
  const cards: Draft['cards'] = [{ card: s.card, main: true }];
  if (rng.chance(0.15)) cards.push({ card: makeCard(plan.seed, s.country, false, 'own', slot, 0), main: false });
  const ips: Draft['ips'] = [{ ip: s.home, main: true, weight: 3 }];
  if (rng.chance(0.4)) ips.push({ ip: ownIp(plan, rng, slot, 0, 'mobile', 0.2), main: false, weight: 1 });
  const fps: Draft['fps'] = [];
  const k = 3 + rng.poisson(12);
  for (let j = 0; j < k; j++) fps.push({ fp: diverse(plan, rng, slot, j, legitCapability(rng), 0.12), weight: 1 });
  if (rng.chance(0.15)) fps.push({ fp: rng.weighted(plan.tools, plan.toolWeights), weight: 2 });
  const fam = rng.chance(0.6);
  return {
    createdHour,
    emailDomain: freeEmail(rng),
    country: s.country,
    verified: rng.chance(0.8),
    plan: fam ? 'pro' : 'free',
    cards,
    ips,
    fps,
    activity: sessions(rng, w, createdHour, s.tz, 5, [1, 3], 'evening', [1, 12]),
  };
}

function benchMember(plan: Plan, rng: Rng, slot: number, at: Placement): Draft {
  const s = at.seg.state!;
  if (s.t !== 'bench') throw new Error('unreachable');
  const w = at.w;
  // Steady creation over the year: one or two eval accounts a week, not waves.
  const createdHour = s.createdFrom + rng.int(s.createdTo - s.createdFrom);
  const fps: Draft['fps'] = pickSome(rng, s.templates, rng.range(2, Math.min(4, s.templates.length))).map((fp) => ({ fp, weight: 5 }));
  if (rng.chance(0.1)) fps.push({ fp: diverse(plan, rng, slot, 0, legitCapability(rng), 0), weight: 1 });
  return {
    createdHour,
    emailDomain: s.domain,
    country: s.country,
    verified: true,
    plan: 'enterprise',
    cards: [{ card: s.card, main: true }],
    ips: pickSome(rng, s.ips, rng.range(1, 2)).map((ip, i) => ({ ip, main: i === 0, weight: 1 })),
    fps,
    activity: surge(w, rng, s, fps, scheduled(rng, w, s.schedule, createdHour + 1, w.startHour + w.hours, 0.7, 0, 300)),
  };
}

/** World `evalSurge`: an eval company runs its suite on the new model right after the release. */
function surge(w: TimeWindow, rng: Rng, s: BenchState, fps: Draft['fps'], activity: Map<number, number>): Map<number, number> {
  if (!s.surge) return activity;
  const from = w.releaseHour + rng.int(6);
  const end = Math.min(w.startHour + w.hours, from + 36);
  for (let h = from; h < end; h++) if (rng.chance(0.8)) activity.set(h, ((activity.get(h) ?? 0) + rng.range(5, 15)) * 6);
  for (const fp of s.surge.templates) fps.push({ fp, weight: 3 });
  return activity;
}

function ringMember(plan: Plan, rng: Rng, slot: number, member: number, s: RingState, w: TimeWindow): Draft {
  const wave = s.waves[member % s.waves.length]!;
  const createdHour = s.steadyHours !== undefined ? wave + rng.int(s.steadyHours) : wave + rng.int(s.type === 'careful' ? 72 : 8);
  const lifetime = rng.range(s.lifetime[0], s.lifetime[1]);
  const c = pickCountry(rng);
  const cards: Draft['cards'] = [];
  if (s.cards.length > 0 && rng.chance(s.sharedCardRate)) cards.push({ card: rng.pick(s.cards), main: true });
  else cards.push({ card: makeCard(plan.seed, c.code, rng.chance(0.5), 'own', slot, 0), main: true });
  if (rng.chance(0.2)) cards.push({ card: makeCard(plan.seed, c.code, true, 'own', slot, 1), main: false });

  const ips: Draft['ips'] = [];
  const k = rng.range(s.ipsPerAccount[0], s.ipsPerAccount[1]);
  if (s.networkExits) {
    // Exits of the shared networks themselves, any carrier or campus: the ring hides among their users.
    for (const ip of pickSome(
      rng,
      plan.cgnatHubs.flatMap((h) => h.ips),
      s.networkExits[0],
    ))
      ips.push({ ip, main: ips.length === 0, weight: 2 });
    for (const ip of pickSome(
      rng,
      plan.campusHubs.flatMap((h) => h.ips),
      s.networkExits[1],
    ))
      ips.push({ ip, main: ips.length === 0, weight: 1 });
  } else if (s.hubShare > 0) {
    const hubs = [...plan.cgnatHubs, ...plan.campusHubs];
    const h = rng.pick(hubs);
    for (const ip of pickSome(rng, h.ips, k)) ips.push({ ip, main: ips.length === 0, weight: 2 });
    if (rng.chance(0.5)) ips.push({ ip: ownIp(plan, rng, slot, 0, 'residential', 0.1), main: false, weight: 1 });
  } else if (s.pool.length > 0) {
    for (const ip of pickSome(rng, s.pool, k)) ips.push({ ip, main: ips.length === 0, weight: 1 });
  } else {
    for (let i = 0; i < k; i++) ips.push({ ip: ownIp(plan, rng, slot, i, 'residential', 0.15), main: i === 0, weight: 1 });
  }

  const T = s.templates.length;
  const fps: Draft['fps'] = pickSome(rng, s.templates, rng.range(Math.min(5, T), Math.min(10, T))).map((fp) => ({ fp, weight: 4 }));
  // Noise: rings also send some ordinary, diverse prompts.
  const noise = rng.range(s.noisePrompts[0], s.noisePrompts[1]);
  for (let j = 0; j < noise; j++) fps.push({ fp: diverse(plan, rng, slot, j, legitCapability(rng), 0.15), weight: 1 });
  if (s.hubShare > 0) for (const t of pickSome(rng, plan.tools, rng.range(1, 2))) fps.push({ fp: t, weight: 2 });

  const activity = scheduled(rng, w, s.schedule, createdHour + 1, createdHour + lifetime, s.joinRate, s.jitter, s.dailyExchanges);
  const draft: Draft = {
    createdHour,
    emailDomain: rng.chance(s.freeEmailRate) ? rng.pick(['gmail.com', 'outlook.com', 'proton.me', 'qq.com', 'hotmail.com']) : throwawayDomain(plan.seed, slot),
    country: c.code,
    verified: rng.chance(s.verifiedRate),
    plan: rng.chance(0.6) ? 'api-payg' : 'pro',
    cards,
    ips,
    fps,
    activity,
  };
  if (s.shiftTemplates.length > 0) {
    // Half of the traffic moves to the new capability templates within 24 h of the release.
    draft.shiftAt = w.releaseHour + rng.int(24);
    for (const fp of pickSome(rng, s.shiftTemplates, rng.range(Math.min(3, s.shiftTemplates.length), s.shiftTemplates.length)))
      draft.fps.push({ fp, weight: 0, from: draft.shiftAt, shiftWeight: 1 });
  }
  return draft;
}

/** Spread `total` over weights, each share ≥ 1. */
function split(total: number, weights: readonly number[]): number[] {
  let sum = 0;
  for (const x of weights) sum += x;
  return weights.map((x) => Math.max(1, Math.round((total * x) / (sum || 1))));
}

/** Generate the account in a slot. Pure: depends on (plan, slot) only. */
export function generateAccount(plan: Plan, slot: number): AccountRecord {
  const seg = segmentOf(plan, slot);
  return generateAccountAt(plan, slot, { seg, member: slot - seg.start, w: plan.window });
}

/**
 * Where an account lives: its segment (group state), its index in the group and the window it is
 * observed in. The base drop places slot s in `segmentOf(plan, s)` over the plan's window; a night
 * (night.ts) places new accounts in a group over that night's 24 hours.
 */
export interface Placement {
  readonly seg: Segment;
  readonly member: number;
  readonly w: TimeWindow;
}

/** Generate an account placed explicitly. Pure: depends on (plan, slot, placement) only. */
export function generateAccountAt(plan: Plan, slot: number, at: Placement): AccountRecord {
  const seg = at.seg;
  const rng = Rng.for(plan.seed, 'account', slot);
  let d: Draft;
  switch (seg.kind) {
    case 'individual':
      d = individualLike(plan, rng, slot, at, 'individual');
      break;
    case 'tool_user':
      d = individualLike(plan, rng, slot, at, 'tool');
      break;
    case 'cgnat':
      d = individualLike(plan, rng, slot, at, 'cgnat');
      break;
    case 'campus':
      d = individualLike(plan, rng, slot, at, 'campus');
      break;
    case 'org':
      d = orgMember(plan, rng, slot, at);
      break;
    case 'family':
      d = familyMember(plan, rng, slot, at);
      break;
    case 'benchmark':
      d = benchMember(plan, rng, slot, at);
      break;
    default:
      if (seg.state?.t !== 'ring') throw new Error(`segment ${seg.group} has no ring state`);
      d = ringMember(plan, rng, slot, at.member, seg.state, at.w);
  }
  return recordOf(accountId(plan.seed, slot), seg, d, rng);
}

/** An account's rows from its draft: requests split over identifiers, spans, duplicates merged. */
export function recordOf(id: string, seg: Pick<Segment, 'label' | 'group'>, d: Draft, rng: Rng): AccountRecord {
  const hours = [...d.activity.keys()].sort((a, b) => a - b);
  const requests = hours.map((h) => d.activity.get(h)!);
  const total = requests.reduce((a, b) => a + b, 0);
  const first = hours[0]!;
  const last = hours[hours.length - 1]!;
  const span = (main: boolean): [number, number] => {
    if (main || hours.length < 3) return [first, last];
    const a = hours[rng.int(hours.length)]!;
    const b = hours[rng.int(hours.length)]!;
    return a <= b ? [a, b] : [b, a];
  };

  const payments = d.cards.map(({ card, main }) => {
    const [f, l] = span(main);
    return { card, first: f, last: l };
  });
  const ipReq = split(
    total,
    d.ips.map((x) => x.weight),
  );
  const ips = d.ips.map(({ ip, main }, i) => {
    const [f, l] = span(main);
    return { ip, first: f, last: l, requests: ipReq[i]! };
  });

  let prompts: PromptUse[];
  if (d.shiftAt !== undefined) {
    const shiftAt = d.shiftAt;
    let before = 0;
    for (let i = 0; i < hours.length; i++) if (hours[i]! < shiftAt) before += requests[i]!;
    const after = total - before;
    const afterHours = hours.filter((h) => h >= shiftAt);
    const pre = d.fps.filter((f) => f.from === undefined);
    const post = d.fps.filter((f) => f.from !== undefined);
    const preCounts = split(
      before + Math.round(after / 2),
      pre.map((f) => f.weight),
    );
    prompts = pre.map((f, i) => {
      const [a, b] = span(false);
      return { fp: f.fp, count: preCounts[i]!, first: a, last: b };
    });
    if (afterHours.length > 0) {
      const postCounts = split(
        Math.max(post.length, after - Math.round(after / 2)),
        post.map((f) => f.shiftWeight ?? 1),
      );
      post.forEach((f, i) => prompts.push({ fp: f.fp, count: postCounts[i]!, first: afterHours[0]!, last: afterHours[afterHours.length - 1]! }));
    }
  } else {
    const counts = split(
      total,
      d.fps.map((f) => f.weight),
    );
    prompts = d.fps.map((f, i) => {
      const [a, b] = span(f.weight > 1);
      return { fp: f.fp, count: counts[i]!, first: a, last: b };
    });
  }
  // One row per (account, fingerprint): merge duplicates (a popular tool or a common prompt drawn twice).
  const byFp = new Map<string, PromptUse>();
  for (const p of prompts) {
    const prev = byFp.get(p.fp.fp);
    byFp.set(p.fp.fp, prev ? { fp: p.fp, count: prev.count + p.count, first: Math.min(prev.first, p.first), last: Math.max(prev.last, p.last) } : p);
  }
  const ipSeen = new Map<string, (typeof ips)[number]>();
  for (const x of ips) {
    const prev = ipSeen.get(x.ip.ip);
    ipSeen.set(x.ip.ip, prev ? { ...prev, requests: prev.requests + x.requests, first: Math.min(prev.first, x.first), last: Math.max(prev.last, x.last) } : x);
  }
  const paySeen = new Map<string, (typeof payments)[number]>();
  for (const p of payments) if (!paySeen.has(p.card.fp)) paySeen.set(p.card.fp, p);

  return {
    id,
    label: seg.label,
    group: seg.group,
    createdMs: d.createdHour * 3_600_000 + rng.int(3600) * 1000,
    emailDomain: d.emailDomain,
    country: d.country,
    verified: d.verified,
    plan: d.plan,
    payments: [...paySeen.values()],
    ips: [...ipSeen.values()],
    prompts: [...byFp.values()],
    hours,
    requests,
  };
}
