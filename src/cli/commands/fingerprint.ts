import fs from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_RULES, fingerprintLog, LOG_DEFAULTS, type FingerprintRules } from '../../fingerprint/index.js';
import { loadSettings, secretFromVariable } from '../../config/index.js';
import { InvalidParameterError } from '../../util/errors.js';
import { ratio } from '../option-parsers.js';
import { createLogger } from '../../util/logger.js';

/**
 * `ringscope fingerprint <prompts.ndjson[.gz]> --out <drop>/prompt_fingerprints.csv`
 * Needs no services. The HMAC key comes from the variable named by --key-env, else from
 * RINGSCOPE_FINGERPRINT_KEY when set; without one, fingerprints are unkeyed hashes.
 */
export function register(program: Command): void {
  program
    .command('fingerprint')
    .description('Turn a raw prompt log (NDJSON, optionally gzipped) into prompt_fingerprints.csv; raw text is never written or logged')
    .argument('<input>', 'NDJSON lines {account_id, ts, prompt, system?}, .gz or plain')
    .requiredOption('--out <file>', 'output CSV (e.g. <drop>/prompt_fingerprints.csv)')
    .option('--key-env <variable>', 'environment variable holding the HMAC key (≥ 16 characters; default: RINGSCOPE_FINGERPRINT_KEY)')
    .option('--max-reject-ratio <ratio>', 'fail when more lines than this are rejected', ratio('--max-reject-ratio'), LOG_DEFAULTS.maxRejectRatio)
    .option('--rules <file.json>', 'capability/marker rules overriding the defaults (see docs/fingerprints.md)')
    .action(async (input: string, o: { out: string; keyEnv?: string; maxRejectRatio: number; rules?: string }) => {
      const settings = loadSettings();
      const summary = await fingerprintLog(input, o.out, {
        key: o.keyEnv ? secretFromVariable(o.keyEnv) : settings.fingerprintKey,
        rules: o.rules ? readRules(o.rules) : undefined,
        maxRejectRatio: o.maxRejectRatio,
        logger: createLogger(settings.logLevel),
      });
      process.stdout.write(JSON.stringify({ out: o.out, ...summary }) + '\n');
    });
}

function readRules(file: string): FingerprintRules {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InvalidParameterError('--rules', `cannot read JSON from ${file} (${(err as NodeJS.ErrnoException).code ?? 'parse error'})`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new InvalidParameterError('--rules', 'must be a JSON object');
  const p = parsed as Partial<FingerprintRules>;
  return { ...DEFAULT_RULES, ...p, markers: { ...DEFAULT_RULES.markers, ...(p.markers ?? {}) } };
}
