/**
 * A night's rows (docs/scenarios.md, "Nights"): new accounts generated like the first drop's but
 * placed in the night's 24 hours, and new observations of accounts seen before, drawn from what the
 * account already is (its cards, IPs, prompts, hours of the day) so a night adds traffic, not a
 * different person. Pure and seeded by (seed, 'night', day, slot).
 */
import { diverse, generateAccountAt, ownIp, recordOf, scheduled, type AccountRecord, type Draft, type Placement } from './account-rows.js';
import { pickSome } from './identifiers.js';
import { HOUR_MS, legitCapability, segmentOf, type Plan, type Segment } from './plan.js';
import { Rng } from './prng.js';
import { nightWindow, scheduleDay, type NightAccount, type World } from './night-world.js';

/** A group as it runs in night `day`: operators (rings, benchmark companies) repeat one day of their schedule. */
function nightSegment(plan: Plan, seg: Segment, day: number): Segment {
  const st = seg.state;
  if (!st || (st.t !== 'ring' && st.t !== 'bench')) return seg;
  const idx = scheduleDay(plan, day);
  const schedule = st.schedule.subarray(idx * 24, idx * 24 + 24);
  if (st.t === 'bench') return { ...seg, state: { ...st, schedule } };
  // New ring accounts are created in the night's first 12 hours and run to its end.
  const w = nightWindow(plan, day);
  return { ...seg, state: { ...st, schedule, waves: [w.startHour], steadyHours: 12, lifetime: [48, 48] } };
}

/** Where a night's new account lives: its group, over the night's 24 hours. */
export function nightPlacement(plan: Plan, seg: Segment, member: number, day: number): Placement {
  return { seg: nightSegment(plan, seg, day), member, w: nightWindow(plan, day) };
}

/** Where any account of the world was created: the plan's window, or the night that added it. */
export function placementOf(world: World, slot: number): Placement {
  const { plan } = world;
  if (slot < plan.accounts) {
    const seg = segmentOf(plan, slot);
    return { seg, member: slot - seg.start, w: plan.window };
  }
  const x = world.extras[slot - plan.accounts]!;
  return nightPlacement(plan, x.seg, x.member, x.day);
}

/** A new account's rows; it is created in the night, no later than its first activity. */
export function newAccountRecord(plan: Plan, a: NightAccount): AccountRecord {
  const at = nightPlacement(plan, a.seg, a.member, a.day);
  const r = generateAccountAt(plan, a.slot, at);
  const startMs = at.w.startHour * HOUR_MS;
  const firstMs = r.hours[0]! * HOUR_MS;
  return r.createdMs >= startMs && r.createdMs <= firstMs ? r : { ...r, createdMs: firstMs };
}

/** The account as first generated (its identity: cards, IPs, prompts, hours). */
export function accountOf(world: World, slot: number): AccountRecord {
  return slot < world.plan.accounts
    ? generateAccountAt(world.plan, slot, placementOf(world, slot))
    : newAccountRecord(world.plan, world.extras[slot - world.plan.accounts]!);
}

/**
 * New observations in night `day` of an account seen before. Ring members and benchmark accounts
 * follow their operator's schedule for the night (rings rotate through their proxy pool and send
 * their templates); everyone else comes back at an hour of the day they used before, on their own
 * IPs, with some of their old prompts and now and then a new prompt or a new IP.
 */
export function revisit(world: World, slot: number, day: number): AccountRecord {
  const { plan } = world;
  const at = placementOf(world, slot);
  const base = accountOf(world, slot);
  const seg = nightSegment(plan, at.seg, day);
  const w = nightWindow(plan, day);
  const end = w.startHour + w.hours;
  const rng = Rng.for(plan.seed, 'night', day, 'revisit', slot);
  const st = seg.state;
  const draft: Draft = {
    createdHour: Math.floor(base.createdMs / HOUR_MS),
    emailDomain: base.emailDomain,
    country: base.country,
    verified: base.verified,
    plan: base.plan,
    cards: [],
    ips: [],
    fps: [],
    activity: new Map(),
  };
  const mainCard = base.payments[0];
  if (st?.t === 'ring') {
    draft.activity = scheduled(rng, w, st.schedule, w.startHour, end, st.joinRate, st.jitter, st.dailyExchanges);
    if (mainCard && rng.chance(0.5)) draft.cards.push({ card: mainCard.card, main: true });
    const rotating = st.pool.length > 0 && st.hubShare === 0 && !st.networkExits;
    const ips = rotating ? pickSome(rng, st.pool, rng.range(st.ipsPerAccount[0], st.ipsPerAccount[1])) : base.ips.map((x) => x.ip);
    ips.forEach((ip, i) => draft.ips.push({ ip, main: i === 0, weight: 1 }));
    const T = st.templates.length;
    for (const fp of pickSome(rng, st.templates, rng.range(Math.min(3, T), Math.min(6, T)))) draft.fps.push({ fp, weight: 4 });
    if (st.shiftTemplates.length > 0)
      for (const fp of pickSome(rng, st.shiftTemplates, rng.range(1, st.shiftTemplates.length))) draft.fps.push({ fp, weight: 4 });
    if (rng.chance(0.3)) draft.fps.push({ fp: diverse(plan, rng, slot, 1000 + day, legitCapability(rng), 0.15), weight: 1 });
  } else if (st?.t === 'bench') {
    draft.activity = scheduled(rng, w, st.schedule, w.startHour, end, 0.7, 0, 300);
    if (mainCard) draft.cards.push({ card: mainCard.card, main: true });
    base.ips.forEach((x, i) => draft.ips.push({ ip: x.ip, main: i === 0, weight: 1 }));
    for (const u of base.prompts) if (u.fp.kind === 'template') draft.fps.push({ fp: u.fp, weight: 5 });
  } else {
    // Sessions at hours of the day this account used before, 1–3 hours each.
    const sessions = 1 + rng.poisson(0.4);
    for (let i = 0; i < sessions; i++) {
      const hod = base.hours[rng.int(base.hours.length)]! % 24;
      const start = w.startHour + ((hod - (w.startHour % 24) + 24) % 24);
      for (let h = start, l = rng.range(1, 3); h < Math.min(end, start + l); h++) draft.activity.set(h, (draft.activity.get(h) ?? 0) + rng.range(1, 15));
    }
    if (mainCard && rng.chance(0.2)) draft.cards.push({ card: mainCard.card, main: true });
    base.ips.forEach((x, i) => {
      if (i === 0 || rng.chance(0.3)) draft.ips.push({ ip: x.ip, main: i === 0, weight: i === 0 ? 3 : 1 });
    });
    if (rng.chance(0.03)) draft.ips.push({ ip: ownIp(plan, rng, slot, 100 + day, 'residential', 0.1), main: false, weight: 1 });
    const old = pickSome(rng, base.prompts, rng.range(1, Math.min(4, base.prompts.length)));
    for (const u of old) draft.fps.push({ fp: u.fp, weight: u.fp.kind === 'minhash' ? 1 : 2 });
    if (rng.chance(0.4)) draft.fps.push({ fp: diverse(plan, rng, slot, 1000 + day, legitCapability(rng), 0.12), weight: 1 });
  }
  return recordOf(base.id, seg, draft, rng);
}
