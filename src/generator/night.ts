/**
 * `ringscope generate --day N --from <dir>`: the next night's drop of a generated world. Reads the
 * previous night's generate.json (manifest.ts), replays the world's nights (night-world.ts, events
 * only, never rows) and writes into `<out>/`:
 *  - `drop-day-<N>/`: a new drop (its own drop id, the folder name) holding only the night's rows:
 *    accounts created in the night, and new payment, IP, prompt and activity rows, every timestamp
 *    inside the night's 24 hours, in exporter order (drop-writer.ts);
 *  - `truth.csv`: the world after the night (the previous truth, then the night's new accounts);
 *  - `night.csv`: `account_id,event,replaces`, one line per account the night touched
 *    (new, grow, respawn, new_ring, observed) or banned before it (banned);
 *  - `generate.json`: this night's manifest, for the next one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InvalidParameterError } from '../util/errors.js';
import { DropWriter, DROP_FILES } from './drop-writer.js';
import { readManifest, writeManifest, type GeneratorManifest } from './manifest.js';
import { planFor } from './generate.js';
import { newAccountRecord, revisit } from './night-rows.js';
import { advance, baseWorld, NIGHT_KNOB_DEFAULTS, observedSlots, validateNightKnobs, type Night, type NightKnobs, type World } from './night-world.js';
import { accountId } from './identifiers.js';
import { Rng } from './prng.js';
import { RowSink } from './row-sink.js';
import { SCENARIOS } from './scenarios.js';
import type { WorldParams } from './world.js';

export interface NightOptions extends Partial<NightKnobs> {
  /** The previous night's folder (what `generate --out` wrote), or its drop folder. */
  readonly from: string;
  /** Output folder for this night; must differ from `from`. */
  readonly out: string;
  /** The night to write; must be the one after `from`'s. @defaultValue the night after `from`'s */
  readonly day?: number;
  /** Replace this night's files if `<out>` already holds them. @defaultValue false */
  readonly force?: boolean;
  /** Called every `progressEvery` accounts and at the end. */
  readonly onProgress?: (done: number, total: number) => void;
  /** @defaultValue 10000 */
  readonly progressEvery?: number;
}

export const NIGHT_DEFAULTS = { ...NIGHT_KNOB_DEFAULTS, force: false, progressEvery: 10_000 } as const;

export interface NightSummary {
  readonly day: number;
  readonly dropDir: string;
  readonly truthFile: string;
  readonly nightFile: string;
  readonly promptsFile?: string;
  /** Accounts in the world before and after the night. */
  readonly accountsBefore: number;
  readonly accountsAfter: number;
  /** Accounts with rows in the night's drop. */
  readonly touched: number;
  /** Accounts per event (new, grow, respawn, new_ring, observed, banned). */
  readonly events: Readonly<Record<string, number>>;
  readonly rows: Readonly<Record<string, number>>;
  /** The ring that appeared, if any. */
  readonly newRing?: string;
}

/** The world after night `day`, replayed from the first drop's plan and the nights' knobs. */
export function worldAt(manifest: GeneratorManifest, nights: ReadonlyArray<NightKnobs>): { world: World; last?: Night; worldParams: WorldParams } {
  const plan = planFor(manifest);
  const scenario = SCENARIOS.get(manifest.scenario)!;
  const worldParams = { ...scenario.world, ...manifest.world };
  const world = baseWorld(plan);
  let last: Night | undefined;
  for (const k of nights) last = advance(world, k, worldParams);
  return { world, ...(last ? { last } : {}), worldParams };
}

export async function generateNight(options: NightOptions): Promise<NightSummary> {
  const opts = { ...NIGHT_DEFAULTS, ...options };
  const { manifest: prev, outDir: fromDir } = readManifest(opts.from);
  const day = opts.day ?? prev.day + 1;
  if (!Number.isInteger(day) || day !== prev.day + 1)
    throw new InvalidParameterError('day', `${fromDir} holds night ${prev.day}, so the next night is ${prev.day + 1}, got ${String(opts.day)}`);
  const knobs = validateNightKnobs({
    touchShare: opts.touchShare,
    newShare: opts.newShare,
    ringGrowth: opts.ringGrowth,
    banShare: opts.banShare,
    respawn: opts.respawn,
    newRing: opts.newRing,
  });
  const out = path.resolve(opts.out);
  if (out === path.resolve(fromDir)) throw new InvalidParameterError('out', `must differ from --from (${fromDir} holds night ${prev.day})`);
  const dropName = `drop-day-${day}`;
  const dropDir = path.join(out, dropName);
  fs.mkdirSync(dropDir, { recursive: true });
  const existing = fs.readdirSync(dropDir);
  if (existing.length > 0) {
    if (!opts.force) throw new InvalidParameterError('out', `${dropDir} is not empty (use --force to replace it)`);
    for (const f of existing) if (DROP_FILES.some((d) => f === `${d}.csv` || f === `${d}.csv.gz`)) fs.rmSync(path.join(dropDir, f));
  }

  const { world, last: night } = worldAt(prev, [...prev.nights, knobs]);
  if (!night || world.accounts - night.added.length !== prev.worldAccounts)
    throw new InvalidParameterError(
      'from',
      `${fromDir}: its manifest says ${prev.worldAccounts} accounts, the replayed world has ${night ? night.before : '?'}`,
    );
  const { plan } = world;
  const observed = observedSlots(world, night);

  // Accounts come in a seeded order drawn independently of what they are (new, ring, observed).
  const items: Array<{ slot: number; isNew: boolean }> = [
    ...night.added.map((a) => ({ slot: a.slot, isNew: true })),
    ...observed.map((slot) => ({ slot, isNew: false })),
  ];
  Rng.for(plan.seed, 'night', day, 'order').shuffle(items);

  const writer = new DropWriter({
    dropDir,
    outDir: out,
    gzip: prev.gzip,
    rawPrompts: prev.rawPrompts,
    promptsPerFingerprint: prev.promptsPerFingerprint,
    scaffoldShare: prev.scaffoldShare,
    keys: [plan.seed, 'night', day],
  });
  const total = items.length;
  for (let p = 0; p < total; p++) {
    const { slot, isNew } = items[p]!;
    if (isNew) writer.write(newAccountRecord(plan, world.extras[slot - plan.accounts]!), slot, true);
    else writer.write(revisit(world, slot, day), slot, false);
    if ((p & 255) === 255) await writer.drain();
    if (opts.onProgress && ((p + 1) % opts.progressEvery === 0 || p + 1 === total)) opts.onProgress(p + 1, total);
  }
  const rows = await writer.close();

  // truth.csv: the previous world's truth, then the night's new accounts.
  const truthFile = path.join(out, 'truth.csv');
  if (path.resolve(fromDir, 'truth.csv') !== truthFile) fs.copyFileSync(path.join(fromDir, 'truth.csv'), truthFile);
  fs.appendFileSync(truthFile, night.added.map((a) => `${accountId(plan.seed, a.slot)},${a.seg.label},${a.seg.group}\n`).join(''));

  const nightFile = path.join(out, 'night.csv');
  const events: Record<string, number> = {};
  const nightSink = new RowSink(nightFile, { gzip: false, header: 'account_id,event,replaces' });
  const line = (slot: number, event: string, replaces?: number): void => {
    events[event] = (events[event] ?? 0) + 1;
    nightSink.push(`${accountId(plan.seed, slot)},${event},${replaces === undefined ? '' : accountId(plan.seed, replaces)}`);
  };
  for (const a of night.added) line(a.slot, a.event, a.replaces);
  for (const s of observed) line(s, 'observed');
  for (const s of night.banned) line(s, 'banned');
  await nightSink.close();

  writeManifest(out, {
    ...prev,
    day,
    drop: dropName,
    worldAccounts: world.accounts,
    nights: [...prev.nights, { day, ...knobs }],
  });
  const ring = night.added.find((a) => a.event === 'new_ring');
  return {
    day,
    dropDir,
    truthFile,
    nightFile,
    ...(writer.promptsFile ? { promptsFile: writer.promptsFile } : {}),
    accountsBefore: night.before,
    accountsAfter: world.accounts,
    touched: total,
    events,
    rows: { ...rows, truth: world.accounts },
    ...(ring ? { newRing: ring.seg.group } : {}),
  };
}
