/**
 * World parameters: the knobs of a generated world that the robustness benchmark sweeps, each with a
 * documented range (docs/scenarios.md, "World parameters"). Unset knobs keep each population's own
 * defaults, so a scenario without world parameters is generated exactly as before.
 */
import { InvalidParameterError } from '../util/errors.js';
import { Rng } from './prng.js';
import { RING_TYPES, type RingType } from './vocab.js';

export interface WorldParams {
  /** Legitimate users per CGNAT/campus/coworking exit IP (range 20–3,000). @defaultValue undefined: carriers of 1,500–3,500 users over 2–4 exits, campuses of 600–2,000 over 2–3 */
  readonly hubExitUsers?: readonly [number, number];
  /** Accounts per shared card in a ring (range 5–100). @defaultValue undefined: each ring type's own */
  readonly ringCardShare?: readonly [number, number];
  /** Ring sizes in accounts (range 20–5,000), splitting each ring type's share of the world. @defaultValue undefined: GROUP_SIZES */
  readonly ringSize?: readonly [number, number];
  /**
   * The rings themselves, per ring type: one size per ring (each 20–5,000 accounts). A type listed
   * here gets exactly these rings, whatever its share of the world; shared-reseller sizes are
   * operators, consecutive ones paired on one proxy pool (an odd last one has a pool alone).
   * @defaultValue undefined: each type's share of the world, split by `ringSize`
   */
  readonly ringSizes?: Readonly<Partial<Record<RingType, readonly number[]>>>;
  /** Ring accounts created in waves or steadily over the ring's creation period. @defaultValue undefined: each type's own */
  readonly creation?: 'waves' | 'steady';
  /** Share of a ring's residential proxy exits that are also a legitimate user's home IP (range 0–0.5). @defaultValue 0 */
  readonly proxyHomeShare?: number;
  /** Share of ring accounts that are verified (range 0–1). @defaultValue undefined: each type's own */
  readonly ringVerified?: number;
  /** Ring operators' batch schedule: around the clock, or weekday office hours in one time zone. @defaultValue '24/7' */
  readonly ringSchedule?: '24/7' | 'office';
  /** Benchmark companies multiply their traffic and add new templates in the 36 h after the release. @defaultValue false */
  readonly evalSurge?: boolean;
}

/** Documented range of every numeric knob (the robustness bench draws from these). */
export const WORLD_RANGES = {
  hubExitUsers: [20, 3000],
  ringCardShare: [5, 100],
  ringSize: [20, 5000],
  proxyHomeShare: [0, 0.5],
  ringVerified: [0, 1],
} as const;

function checkRange(name: keyof typeof WORLD_RANGES, v: readonly [number, number] | undefined): void {
  if (v === undefined) return;
  const [lo, hi] = WORLD_RANGES[name];
  if (v.length !== 2 || !(v[0] <= v[1]) || v[0] < lo || v[1] > hi || !Number.isFinite(v[0]) || !Number.isFinite(v[1]))
    throw new InvalidParameterError(`world.${name}`, `must be [lo, hi] with ${lo} ≤ lo ≤ hi ≤ ${hi}, got ${JSON.stringify(v)}`);
}

function checkRingSizes(v: WorldParams['ringSizes']): void {
  if (v === undefined) return;
  const [lo, hi] = WORLD_RANGES.ringSize;
  for (const [type, sizes] of Object.entries(v)) {
    if (!(RING_TYPES as readonly string[]).includes(type)) throw new InvalidParameterError('world.ringSizes', `unknown ring type ${JSON.stringify(type)}`);
    if (!Array.isArray(sizes) || sizes.some((x) => !Number.isInteger(x) || x < lo || x > hi))
      throw new InvalidParameterError(`world.ringSizes.${type}`, `must be a list of integers in [${lo}, ${hi}], got ${JSON.stringify(sizes)}`);
  }
}

function checkShare(name: keyof typeof WORLD_RANGES, v: number | undefined): void {
  if (v === undefined) return;
  const [lo, hi] = WORLD_RANGES[name];
  if (!(v >= lo && v <= hi)) throw new InvalidParameterError(`world.${name}`, `must be in [${lo}, ${hi}], got ${v}`);
}

/** Validate world parameters (InvalidParameterError naming the knob). */
export function validateWorld(w: WorldParams): WorldParams {
  checkRange('hubExitUsers', w.hubExitUsers);
  checkRange('ringCardShare', w.ringCardShare);
  checkRange('ringSize', w.ringSize);
  checkRingSizes(w.ringSizes);
  checkShare('proxyHomeShare', w.proxyHomeShare);
  checkShare('ringVerified', w.ringVerified);
  if (w.creation !== undefined && w.creation !== 'waves' && w.creation !== 'steady')
    throw new InvalidParameterError('world.creation', `must be waves or steady, got ${String(w.creation)}`);
  if (w.ringSchedule !== undefined && w.ringSchedule !== '24/7' && w.ringSchedule !== 'office')
    throw new InvalidParameterError('world.ringSchedule', `must be 24/7 or office, got ${String(w.ringSchedule)}`);
  return w;
}

/** A value log-uniform in [lo, hi] (sizes span orders of magnitude). */
function logUniform(rng: Rng, lo: number, hi: number): number {
  return Math.round(Math.exp(rng.real(Math.log(lo), Math.log(hi))));
}

function logRange(rng: Rng, lo: number, hi: number, spread: number): [number, number] {
  const a = logUniform(rng, lo, hi);
  return [a, Math.min(hi, Math.max(a, Math.round(a * spread)))];
}

/**
 * Ring accounts of one drawn world at most: with rings at most `MAX_RING_SHARE` of the world this
 * keeps a world ≤ 75,000 accounts (in-process detection in about a minute on the bench machine).
 */
export const RING_BUDGET = 9000;
/** Rings are a minority: at most this share of a world's accounts (the held-out world of issue #16 had 10.9%). */
export const MAX_RING_SHARE = 0.12;

/** Accounts of a world: at least `base`, and enough that its planted rings are ≤ MAX_RING_SHARE of it. */
export function worldAccounts(world: WorldParams, base: number): number {
  const rings = Object.values(world.ringSizes ?? {}).reduce((s, xs) => s + xs.reduce((a, b) => a + b, 0), 0);
  return Math.max(base, Math.ceil(rings / MAX_RING_SHARE));
}

/**
 * Ring sizes per type, each ring log-uniform over the documented 20–5,000 (sizes span orders of
 * magnitude). One or two rings per type (shared-reseller: one or two pairs of operators). Types
 * are drawn in a random order and each draw is truncated so the world's rings stay within
 * RING_BUDGET; the random order keeps that truncation from always hitting the same type.
 */
function drawRingSizes(rng: Rng): Partial<Record<RingType, number[]>> {
  const [lo, hi] = WORLD_RANGES.ringSize;
  const counts = RING_TYPES.map((t) => (rng.chance(0.3) ? 2 : 1) * (t === 'shared-reseller' ? 2 : 1));
  const order = [...RING_TYPES.keys()];
  rng.shuffle(order);
  let left = RING_BUDGET;
  let draws = counts.reduce((a, b) => a + b, 0);
  const out: Partial<Record<RingType, number[]>> = {};
  for (const i of order) {
    const sizes: number[] = [];
    for (let k = 0; k < counts[i]!; k++) {
      draws--;
      const size = logUniform(rng, lo, Math.max(lo, Math.min(hi, left - draws * lo)));
      sizes.push(size);
      left -= size;
    }
    out[RING_TYPES[i]!] = sizes;
  }
  return out;
}

/** One world drawn from the documented ranges (the robustness benchmark's sampler). Deterministic in the seed. */
export function drawWorld(seed: number): WorldParams {
  const rng = Rng.for(seed, 'world');
  return validateWorld({
    hubExitUsers: logRange(rng, 20, 3000, 3),
    ringCardShare: logRange(rng, 5, 100, 2),
    ringSizes: drawRingSizes(rng),
    creation: rng.chance(0.5) ? 'waves' : 'steady',
    proxyHomeShare: +rng.real(0, 0.5).toFixed(2),
    ringVerified: +rng.real(0, 1).toFixed(2),
    ringSchedule: rng.chance(0.5) ? '24/7' : 'office',
    evalSurge: rng.chance(0.5),
  });
}
