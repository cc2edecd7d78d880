import type { Command } from 'commander';
import { DEFAULTS, generate, generateNight, NIGHT_DEFAULTS, SCENARIO_NAMES, validateWorld, type WorldParams } from '../../generator/index.js';
import { InvalidParameterError } from '../../util/errors.js';
import { ProgressLog } from '../../util/progress-log.js';
import { numberIn, positiveInt, ratio } from '../option-parsers.js';

/** Options of the first drop only: a night takes them from its --from folder's generate.json. */
const WORLD_OPTIONS = ['scenario', 'accounts', 'seed', 'rawPrompts', 'scaffoldShare', 'gzip', 'start', 'days', 'releaseDate', 'world'] as const;
/** Options of a night only. */
const NIGHT_OPTIONS = ['touchShare', 'newShare', 'ringGrowth', 'banShare', 'respawn', 'newRing'] as const;
const flag = (k: string): string => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/** `ringscope generate`: a synthetic drop with truth.csv beside it; progress on stderr, summary on stdout. */
export function register(program: Command): void {
  program
    .command('generate')
    .description(
      'Generate a synthetic scenario: <out>/drop/ (the data contract), <out>/truth.csv and <out>/generate.json; with --from, the next night: <out>/drop-day-<N>/ (see docs/scenarios.md)',
    )
    .option('--scenario <name>', `scenario: ${SCENARIO_NAMES.join('|')} (required without --from)`)
    .option('--accounts <n>', 'number of accounts (≥ 50; required without --from)')
    .option('--seed <s>', 'integer seed; the same seed gives byte-identical output (required without --from)')
    .requiredOption('--out <dir>', 'output folder')
    .option(
      '--day <n>',
      'night to write: 1 is the first drop; N ≥ 2 needs --from holding night N-1 (default: 1, or the night after --from)',
      positiveInt('--day'),
    )
    .option('--from <dir>', "the previous night's folder (or its drop folder): write the next night's drop of that world")
    .option(
      '--touch-share <x>',
      "night: share of the world's accounts the night touches (new + seen before with new rows)",
      numberIn('--touch-share', 0, 0.5, true),
      NIGHT_DEFAULTS.touchShare,
    )
    .option('--new-share <x>', "night: share of the night's touched accounts that are new legitimate accounts", ratio('--new-share'), NIGHT_DEFAULTS.newShare)
    .option('--ring-growth <x>', 'night: each ring grows by this share of its live accounts (at least 1)', ratio('--ring-growth'), NIGHT_DEFAULTS.ringGrowth)
    .option('--ban-share <x>', "night: share of each ring's live accounts banned and replaced (respawn)", ratio('--ban-share'), NIGHT_DEFAULTS.banShare)
    .option('--no-respawn', 'night: no bans and no respawned accounts')
    .option('--no-new-ring', 'night: no new ring appears')
    .option('--raw-prompts', 'write <out>/prompts.ndjson instead of prompt_fingerprints.csv (small N only)')
    .option('--prompts-per-fingerprint <n>', 'raw mode: most prompts per (account, fingerprint)', String(DEFAULTS.promptsPerFingerprint))
    .option(
      '--scaffold-share <x>',
      'raw mode: share of templates written as scaffold templates (head, house style, tail around a fresh task)',
      ratio('--scaffold-share'),
      DEFAULTS.scaffoldShare,
    )
    .option('--gzip', 'write .csv.gz files')
    .option('--start <iso>', 'start of the observed window (UTC, on the hour)', DEFAULTS.start)
    .option('--days <n>', 'length of the observed window in days', String(DEFAULTS.days))
    .option('--release-date <iso>', 'model-release moment for release-shift rings', DEFAULTS.releaseDate)
    .option('--force', 'replace an existing drop in <out>/drop')
    .option('--world <json>', 'world knobs as JSON, e.g. \'{"hubExitUsers":[20,60],"creation":"steady"}\' (docs/scenarios.md, "World parameters")')
    .action(async (o: Record<string, string | boolean | number | undefined>, cmd: Command) => {
      const started = Date.now();
      const log = new ProgressLog(process.stderr);
      const given = (k: string): boolean => cmd.getOptionValueSource(k) === 'cli';
      if (o.from !== undefined) {
        for (const k of WORLD_OPTIONS)
          if (given(k)) throw new InvalidParameterError(flag(k), "not allowed with --from: a night takes the world's options from its generate.json");
        const night = await generateNight({
          from: String(o.from),
          out: String(o.out),
          ...(o.day !== undefined ? { day: o.day as number } : {}),
          touchShare: o.touchShare as number,
          newShare: o.newShare as number,
          ringGrowth: o.ringGrowth as number,
          banShare: o.banShare as number,
          respawn: o.respawn !== false,
          newRing: o.newRing !== false,
          force: Boolean(o.force),
          onProgress: (done, total) =>
            log.update('generate', `generated ${done.toLocaleString('en')} / ${total.toLocaleString('en')} accounts`, done === total),
        });
        log.end();
        process.stdout.write(
          [
            `night: ${night.day}`,
            `drop:  ${night.dropDir}`,
            `truth: ${night.truthFile}`,
            `night file: ${night.nightFile}`,
            ...(night.promptsFile ? [`prompts: ${night.promptsFile}`] : []),
            `accounts: ${night.accountsBefore} -> ${night.accountsAfter}, touched ${night.touched}${night.newRing ? `, new ring ${night.newRing}` : ''}`,
            `events: ${Object.entries(night.events)
              .map(([e, n]) => `${e}=${n}`)
              .join(' ')}`,
            `rows:  ${Object.entries(night.rows)
              .map(([f, n]) => `${f}=${n}`)
              .join(' ')}`,
            `seconds: ${((Date.now() - started) / 1000).toFixed(1)}`,
          ].join('\n') + '\n',
        );
        return;
      }
      for (const k of NIGHT_OPTIONS) if (given(k)) throw new InvalidParameterError(flag(k), 'applies to a night only: give --from <previous night>');
      if (o.day !== undefined && o.day !== 1)
        throw new InvalidParameterError('--day', `night ${String(o.day)} needs --from <folder of night ${Number(o.day) - 1}>`);
      for (const k of ['scenario', 'accounts', 'seed'] as const)
        if (o[k] === undefined) throw new InvalidParameterError(flag(k), 'is required (unless --from is given)');
      const summary = await generate({
        scenario: String(o.scenario),
        accounts: int(o.accounts, 'accounts'),
        seed: int(o.seed, 'seed'),
        out: String(o.out),
        rawPrompts: Boolean(o.rawPrompts),
        promptsPerFingerprint: int(o.promptsPerFingerprint, 'prompts-per-fingerprint'),
        scaffoldShare: o.scaffoldShare as unknown as number,
        gzip: Boolean(o.gzip),
        start: String(o.start),
        days: int(o.days, 'days'),
        releaseDate: String(o.releaseDate),
        force: Boolean(o.force),
        ...(o.world !== undefined ? { world: worldJson(o.world) } : {}),
        onProgress: (done, total) => log.update('generate', `generated ${done.toLocaleString('en')} / ${total.toLocaleString('en')} accounts`, done === total),
      });
      log.end();
      const lines = [
        `drop:  ${summary.dropDir}`,
        `truth: ${summary.truthFile}`,
        ...(summary.promptsFile ? [`prompts: ${summary.promptsFile}`] : []),
        `rows:  ${Object.entries(summary.rows)
          .map(([f, n]) => `${f}=${n}`)
          .join(' ')}`,
        `labels: ${Object.entries(summary.labels)
          .sort()
          .map(([l, n]) => `${l}=${n}`)
          .join(' ')}`,
        `groups: ${summary.groups}`,
        `seconds: ${((Date.now() - started) / 1000).toFixed(1)}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}

function worldJson(v: unknown): WorldParams {
  try {
    const w = JSON.parse(String(v)) as unknown;
    if (typeof w !== 'object' || w === null || Array.isArray(w)) throw new Error('not an object');
    return validateWorld(w as WorldParams);
  } catch (e) {
    if (e instanceof InvalidParameterError) throw e;
    throw new InvalidParameterError('world', `must be a JSON object of world knobs: ${(e as Error).message}`);
  }
}

function int(v: unknown, name: string): number {
  const n = Number(v);
  if (typeof v !== 'string' || !/^-?\d+$/.test(v) || !Number.isSafeInteger(n)) throw new InvalidParameterError(name, `must be an integer, got ${String(v)}`);
  return n;
}
