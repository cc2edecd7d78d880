/**
 * `generate.json`, written beside every generated drop: the options the world was generated with,
 * the night it is at and the knobs of every night so far. `generate --from <dir>` reads it to make
 * the next night (night.ts), so a folder without it is not a generated drop.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InvalidParameterError } from '../util/errors.js';
import type { NightKnobs } from './night-world.js';
import type { WorldParams } from './world.js';

export const MANIFEST_FILE = 'generate.json';
export const MANIFEST_FORMAT = 'ringscope-generate/1';

const pair = z.tuple([z.number(), z.number()]);
const knobs = z.object({
  day: z.number().int().min(2),
  touchShare: z.number(),
  newShare: z.number(),
  ringGrowth: z.number(),
  banShare: z.number(),
  respawn: z.boolean(),
  newRing: z.boolean(),
});

const schema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  scenario: z.string(),
  accounts: z.number().int(),
  seed: z.number().int(),
  start: z.string(),
  days: z.number().int(),
  releaseDate: z.string(),
  world: z
    .object({
      hubExitUsers: pair.optional(),
      ringCardShare: pair.optional(),
      ringSize: pair.optional(),
      ringSizes: z.record(z.string(), z.array(z.number())).optional(),
      creation: z.enum(['waves', 'steady']).optional(),
      proxyHomeShare: z.number().optional(),
      ringVerified: z.number().optional(),
      ringSchedule: z.enum(['24/7', 'office']).optional(),
      evalSurge: z.boolean().optional(),
    })
    .strict(),
  rawPrompts: z.boolean(),
  promptsPerFingerprint: z.number().int(),
  scaffoldShare: z.number(),
  gzip: z.boolean(),
  day: z.number().int().min(1),
  /** Folder (beside this file) holding the drop of this night. */
  drop: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/),
  /** Accounts in the world after this night (truth.csv rows). */
  worldAccounts: z.number().int(),
  nights: z.array(knobs),
});

export interface GeneratorManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly scenario: string;
  readonly accounts: number;
  readonly seed: number;
  readonly start: string;
  readonly days: number;
  readonly releaseDate: string;
  readonly world: WorldParams;
  readonly rawPrompts: boolean;
  readonly promptsPerFingerprint: number;
  readonly scaffoldShare: number;
  readonly gzip: boolean;
  readonly day: number;
  readonly drop: string;
  readonly worldAccounts: number;
  readonly nights: ReadonlyArray<NightKnobs & { readonly day: number }>;
}

export function writeManifest(outDir: string, m: GeneratorManifest): string {
  const file = path.join(outDir, MANIFEST_FILE);
  fs.writeFileSync(file, JSON.stringify(m, null, 2) + '\n');
  return file;
}

/**
 * The manifest of a generated folder: `dir` is the folder `generate --out` wrote, or its drop folder.
 * Anything else is refused with one line naming `option` (InvalidParameterError).
 */
export function readManifest(dir: string, option = 'from'): { manifest: GeneratorManifest; outDir: string } {
  const candidates = [dir, path.dirname(path.resolve(dir))];
  const outDir = candidates.find((d) => fs.existsSync(path.join(d, MANIFEST_FILE)));
  if (outDir === undefined || !fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    throw new InvalidParameterError(option, `${dir} is not a generated drop (no ${MANIFEST_FILE} in it or beside it; make one with ringscope generate)`);
  const file = path.join(outDir, MANIFEST_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InvalidParameterError(option, `${file} is not a generator manifest: ${(e as Error).message}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new InvalidParameterError(option, `${file} is not a generator manifest: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const manifest = r.data as GeneratorManifest;
  if (!fs.existsSync(path.join(outDir, manifest.drop)) || !fs.existsSync(path.join(outDir, 'truth.csv')))
    throw new InvalidParameterError(option, `${outDir} is not a complete generated drop (${manifest.drop}/ or truth.csv missing)`);
  return { manifest, outDir };
}
