import type { Command } from 'commander';
import { DEFAULTS, generate, SCENARIO_NAMES, validateWorld, type WorldParams } from '../../generator/index.js';
import { InvalidParameterError } from '../../util/errors.js';
import { ProgressLog } from '../../util/progress-log.js';
import { ratio } from '../option-parsers.js';

/** `ringscope generate`: a synthetic drop with truth.csv beside it; progress on stderr, summary on stdout. */
export function register(program: Command): void {
  program
    .command('generate')
    .description('Generate a synthetic scenario: <out>/drop/ (the data contract) and <out>/truth.csv (see docs/scenarios.md)')
    .requiredOption('--scenario <name>', `scenario: ${SCENARIO_NAMES.join('|')}`)
    .requiredOption('--accounts <n>', 'number of accounts (≥ 50)')
    .requiredOption('--seed <s>', 'integer seed; the same seed gives byte-identical output')
    .requiredOption('--out <dir>', 'output folder')
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
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const started = Date.now();
      const log = new ProgressLog(process.stderr);
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
