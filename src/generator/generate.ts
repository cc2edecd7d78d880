/**
 * `ringscope generate`: writes a scenario as a drop (the data contract) plus truth.csv and generate.json
 * (manifest.ts: what the next night is generated from) beside it.
 * Streams: accounts are produced one at a time in a seeded random order, so memory holds the plan
 * and one slot permutation (4 bytes per account), never the rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InvalidParameterError } from '../util/errors.js';
import { generateAccount } from './account-rows.js';
import { buildPlan, HOUR_MS, type Plan } from './plan.js';
import { Rng } from './prng.js';
import { DROP_FILES, DropWriter } from './drop-writer.js';
import { MANIFEST_FORMAT, writeManifest } from './manifest.js';
import { RowSink } from './row-sink.js';
import { SCENARIOS, SCENARIO_NAMES } from './scenarios.js';
import type { WorldParams } from './world.js';

export { DROP_FILES, isoSeconds } from './drop-writer.js';

export interface GenerateOptions {
  /** Scenario name (see SCENARIO_NAMES and docs/scenarios.md). */
  readonly scenario: string;
  readonly accounts: number;
  readonly seed: number;
  /** Output folder: the drop goes to `<out>/drop/`, truth.csv (and prompts.ndjson) to `<out>/`. */
  readonly out: string;
  /** Write prompts.ndjson instead of prompt_fingerprints.csv. @defaultValue false */
  readonly rawPrompts?: boolean;
  /** Most prompts written per (account, fingerprint) in raw mode. @defaultValue 3 */
  readonly promptsPerFingerprint?: number;
  /**
   * Share of template fingerprints written in raw mode as scaffold templates (a fixed head, house
   * style and tail around a fresh natural-language task) rather than a skeleton around a task from a
   * short list. @defaultValue 0.5
   */
  readonly scaffoldShare?: number;
  /** gzip every file (`.csv.gz`). @defaultValue false */
  readonly gzip?: boolean;
  /** Start of the observed window (ISO-8601 UTC, on the hour). @defaultValue '2026-01-16T00:00:00Z' */
  readonly start?: string;
  /** Length of the observed window in days. @defaultValue 44 */
  readonly days?: number;
  /** Model-release moment that release-shift rings react to. @defaultValue '2026-02-12T17:00:00Z' */
  readonly releaseDate?: string;
  /** Replace the drop files if `<out>/drop` already holds some. @defaultValue false */
  readonly force?: boolean;
  /** Called every `progressEvery` accounts and at the end. */
  readonly onProgress?: (done: number, total: number) => void;
  /** @defaultValue 10000 */
  readonly progressEvery?: number;
  /** World knobs over the scenario's own (see world.ts and docs/scenarios.md). @defaultValue {} */
  readonly world?: WorldParams;
}

export const DEFAULTS = {
  rawPrompts: false,
  promptsPerFingerprint: 3,
  scaffoldShare: 0.5,
  gzip: false,
  start: '2026-01-16T00:00:00Z',
  days: 44,
  releaseDate: '2026-02-12T17:00:00Z',
  force: false,
  progressEvery: 10_000,
} as const;

export interface GenerateSummary {
  readonly dropDir: string;
  readonly truthFile: string;
  readonly promptsFile?: string;
  readonly accounts: number;
  /** Rows written per file (headers excluded). */
  readonly rows: Readonly<Record<string, number>>;
  readonly labels: Readonly<Record<string, number>>;
  readonly groups: number;
}

function parseInstant(name: string, v: string): number {
  const ms = Date.parse(v);
  if (!/Z$|[+-]\d\d:\d\d$/.test(v) || Number.isNaN(ms)) throw new InvalidParameterError(name, `not an ISO-8601 UTC timestamp: ${v}`);
  return ms;
}

/** Resolve options into a plan (exported for tests and the benchmark). */
export function planFor(opts: Pick<GenerateOptions, 'scenario' | 'accounts' | 'seed' | 'start' | 'days' | 'releaseDate' | 'world'>): Plan {
  const scenario = SCENARIOS.get(opts.scenario);
  if (!scenario) throw new InvalidParameterError('scenario', `unknown scenario ${opts.scenario}; known: ${SCENARIO_NAMES.join(', ')}`);
  if (!Number.isSafeInteger(opts.seed)) throw new InvalidParameterError('seed', 'must be an integer');
  const startMs = parseInstant('start', opts.start ?? DEFAULTS.start);
  if (startMs % HOUR_MS !== 0) throw new InvalidParameterError('start', 'must be on the hour');
  const days = opts.days ?? DEFAULTS.days;
  if (!Number.isInteger(days) || days < 7 || days > 400) throw new InvalidParameterError('days', 'must be an integer in [7, 400]');
  const releaseHour = Math.floor(parseInstant('releaseDate', opts.releaseDate ?? DEFAULTS.releaseDate) / HOUR_MS);
  const startHour = startMs / HOUR_MS;
  if (releaseHour < startHour + 4 * 24 || releaseHour > startHour + days * 24 - 48)
    throw new InvalidParameterError('releaseDate', 'must fall inside the window, at least 4 days after its start and 2 days before its end');
  return buildPlan({ scenario, accounts: opts.accounts, seed: opts.seed, window: { startHour, hours: days * 24, releaseHour }, world: opts.world ?? {} });
}

export async function generate(options: GenerateOptions): Promise<GenerateSummary> {
  const opts = { ...DEFAULTS, ...options };
  const plan = planFor(opts);
  if (!(opts.scaffoldShare >= 0 && opts.scaffoldShare <= 1)) throw new InvalidParameterError('scaffoldShare', 'must be a number in [0, 1]');
  const n = plan.accounts;
  const seed = plan.seed;
  const dropDir = path.join(opts.out, 'drop');
  fs.mkdirSync(dropDir, { recursive: true });
  const existing = fs.readdirSync(dropDir);
  if (existing.length > 0) {
    if (!opts.force) throw new InvalidParameterError('out', `${dropDir} is not empty (use --force to replace it)`);
    for (const f of existing) if (DROP_FILES.some((d) => f === `${d}.csv` || f === `${d}.csv.gz`)) fs.rmSync(path.join(dropDir, f));
  }
  const writer = new DropWriter({
    dropDir,
    outDir: opts.out,
    gzip: opts.gzip,
    rawPrompts: opts.rawPrompts,
    promptsPerFingerprint: opts.promptsPerFingerprint,
    scaffoldShare: opts.scaffoldShare,
    keys: [seed],
  });
  const truthFile = path.join(opts.out, 'truth.csv');
  const truth = new RowSink(truthFile, { gzip: false, header: 'account_id,label,group' });

  // Accounts are emitted in an order drawn independently of labels: a seeded permutation of slots.
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  Rng.for(seed, 'order').shuffle(order);

  const labels: Record<string, number> = {};
  const groups = new Set<string>();

  for (let p = 0; p < n; p++) {
    const slot = order[p]!;
    const a = generateAccount(plan, slot);
    labels[a.label] = (labels[a.label] ?? 0) + 1;
    if (a.group) groups.add(a.group);
    truth.push(`${a.id},${a.label},${a.group}`);
    writer.write(a, slot);

    if ((p & 255) === 255) {
      await writer.drain();
      await truth.drain();
    }
    if (opts.onProgress && ((p + 1) % opts.progressEvery === 0 || p + 1 === n)) opts.onProgress(p + 1, n);
  }
  const rows = await writer.close();
  await truth.close();
  rows.truth = truth.rows;
  const promptsFile = writer.promptsFile;
  writeManifest(opts.out, {
    format: MANIFEST_FORMAT,
    scenario: opts.scenario,
    accounts: n,
    seed,
    start: opts.start,
    days: opts.days,
    releaseDate: opts.releaseDate,
    world: opts.world ?? {},
    rawPrompts: opts.rawPrompts,
    promptsPerFingerprint: opts.promptsPerFingerprint,
    scaffoldShare: opts.scaffoldShare,
    gzip: opts.gzip,
    day: 1,
    drop: 'drop',
    worldAccounts: n,
    nights: [],
  });
  return { dropDir, truthFile, ...(promptsFile ? { promptsFile } : {}), accounts: n, rows, labels, groups: groups.size };
}
