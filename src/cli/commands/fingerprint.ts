import fs from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_RULES, fingerprintLog, LOG_DEFAULTS, type FingerprintRules } from '../../fingerprint/index.js';
import { ConfigError } from '../../util/errors.js';
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
    .option('--key-env <variable>', 'environment variable holding the HMAC key (≥ 16 characters)')
    .option('--max-reject-ratio <ratio>', 'fail when more lines than this are rejected', String(LOG_DEFAULTS.maxRejectRatio))
    .option('--rules <file.json>', 'capability/marker rules overriding the defaults (see docs/fingerprints.md)')
    .action(async (input: string, o: { out: string; keyEnv?: string; maxRejectRatio: string; rules?: string }) => {
      const ratio = Number(o.maxRejectRatio);
      if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) throw new ConfigError('--max-reject-ratio', 'must be a number in [0, 1]');
      const summary = await fingerprintLog(input, o.out, {
        key: readKey(o.keyEnv),
        rules: o.rules ? readRules(o.rules) : undefined,
        maxRejectRatio: ratio,
        logger: createLogger(process.env.LOG_LEVEL ?? 'info'),
      });
      process.stdout.write(JSON.stringify({ out: o.out, ...summary }) + '\n');
    });
}

function readKey(keyEnv: string | undefined): string | undefined {
  const variable = keyEnv ?? 'RINGSCOPE_FINGERPRINT_KEY';
  const v = process.env[variable];
  if (v === undefined || v === '') {
    if (keyEnv) throw new ConfigError(variable, 'is required by --key-env');
    return undefined;
  }
  if (v.length < 16) throw new ConfigError(variable, 'must be at least 16 characters');
  return v;
}

function readRules(file: string): FingerprintRules {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError('--rules', `cannot read JSON from ${file} (${(err as NodeJS.ErrnoException).code ?? 'parse error'})`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new ConfigError('--rules', 'must be a JSON object');
  const p = parsed as Partial<FingerprintRules>;
  return { ...DEFAULT_RULES, ...p, markers: { ...DEFAULT_RULES.markers, ...(p.markers ?? {}) } };
}
