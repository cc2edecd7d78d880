/**
 * World parameters: the knobs of a generated world that the robustness benchmark sweeps, each with a
 * documented range (docs/scenarios.md, "World parameters"). Unset knobs keep each population's own
 * defaults, so a scenario without world parameters is generated exactly as before.
 */
import { InvalidParameterError } from '../util/errors.js';
import { Rng } from './prng.js';

export interface WorldParams {
  /** Legitimate users per CGNAT/campus/coworking exit IP (range 20–3,000). @defaultValue undefined: carriers of 1,500–3,500 users over 2–4 exits, campuses of 600–2,000 over 2–3 */
  readonly hubExitUsers?: readonly [number, number];
  /** Accounts per shared card in a ring (range 5–100). @defaultValue undefined: each ring type's own */
  readonly ringCardShare?: readonly [number, number];
  /** Ring sizes in accounts (range 20–5,000). @defaultValue undefined: GROUP_SIZES */
  readonly ringSize?: readonly [number, number];
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

/** One world drawn from the documented ranges (the robustness benchmark's sampler). Deterministic in the seed. */
export function drawWorld(seed: number): WorldParams {
  const rng = Rng.for(seed, 'world');
  return validateWorld({
    hubExitUsers: logRange(rng, 20, 3000, 3),
    ringCardShare: logRange(rng, 5, 100, 2),
    ringSize: logRange(rng, 20, 1500, 3),
    creation: rng.chance(0.5) ? 'waves' : 'steady',
    proxyHomeShare: +rng.real(0, 0.5).toFixed(2),
    ringVerified: +rng.real(0, 1).toFixed(2),
    ringSchedule: rng.chance(0.5) ? '24/7' : 'office',
    evalSurge: rng.chance(0.5),
  });
}
