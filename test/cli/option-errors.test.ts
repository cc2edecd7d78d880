import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * Every bad option gives one line naming the option and exit 2, before any service is touched
 * (src/cli/option-parsers.ts, src/cli/error-report.ts). No services are needed: parsing fails first,
 * so the variables point nowhere on purpose.
 */
const NOWHERE = { NEO4J_URI: 'bolt://127.0.0.1:1', NEO4J_PASSWORD: 'x', REDIS_URL: 'redis://127.0.0.1:1' };

const CASES: Array<[string[], RegExp]> = [
  [['bulk-load', 'some-drop'], /InvalidParameterError: --neo4j-home: is required/],
  [['bulk-load', 'some-drop', '--files-only', 'x', '--max-reject-ratio', '2'], /--max-reject-ratio: must be ≥ 0 and ≤ 1/],
  [['ingest', 'some-drop', '--batch-size', '0'], /InvalidParameterError: --batch-size: must be ≥ 1, got 0/],
  [['ingest', 'some-drop', '--writers', 'two'], /InvalidParameterError: --writers: must be an integer/],
  [['ingest', 'some-drop', '--drop-id', '../escape'], /InvalidParameterError: --drop-id/],
  [['detect', '--seed', '-1'], /InvalidParameterError: --seed: must be ≥ 0/],
  [['detect', '--resolution', '0'], /InvalidParameterError: --resolution: must be > 0/],
  [['detect', '--release-date', '2026-02-30'], /InvalidParameterError: --release-date: impossible date/],
  [['detect', '--release-date', '2026-03-01T10:00:00'], /InvalidParameterError: --release-date: timestamp has no time zone/],
  [['detect', '--keep-runs', '1.5'], /InvalidParameterError: --keep-runs: must be an integer/],
  [['detect', '--run-id', 'a:b'], /InvalidParameterError: --run-id/],
  [['run', 'some-drop', '--format', 'csv,xml'], /InvalidParameterError: --format: must be one of csv\|ndjson\|json\|stix, got "xml"/],
  [['run', 'some-drop', '--concurrency', '0'], /InvalidParameterError: --concurrency/],
  [['run', 'some-drop', '--webhook', 'ftp://x'], /InvalidParameterError: --webhook: must be an http\(s\) URL/],
  [['worker', '--lock-duration', '10'], /InvalidParameterError: --lock-duration: must be ≥ 1000/],
  [['dashboard', '--port', '70000'], /InvalidParameterError: --port: must be in \[0, 65535\]/],
  [['fingerprint', 'in.ndjson', '--out', 'x.csv', '--max-reject-ratio', '-0.1'], /InvalidParameterError: --max-reject-ratio/],
  [['clusters', '--min-recommendation', 'ban'], /InvalidParameterError: --min-recommendation: must be one of monitor\|review\|enforce/],
  [['explain', 'c1', '--links', '-3'], /InvalidParameterError: --links/],
  [['schedule', 'set', '--cron', '0 2 * * *', '--drops', 'x', '--release-date', 'soon'], /InvalidParameterError: --release-date/],
  [['generate', '--out', 'x', '--from', '.'], /InvalidParameterError: from: \. is not a generated drop/],
  [['generate', '--out', 'x', '--from', '.', '--touch-share', '0'], /InvalidParameterError: --touch-share: must be > 0 and ≤ 0\.5/],
  [['generate', '--out', 'x', '--from', '.', '--scenario', 'mixed'], /InvalidParameterError: --scenario: not allowed with --from/],
  [
    ['generate', '--out', 'x', '--scenario', 'mixed', '--accounts', '100', '--seed', '1', '--no-respawn'],
    /InvalidParameterError: --respawn: applies to a night only/,
  ],
  [['generate', '--out', 'x', '--day', '2'], /InvalidParameterError: --day: night 2 needs --from/],
  [['generate', '--out', 'x', '--accounts', '100', '--seed', '1'], /InvalidParameterError: --scenario: is required/],
  [['detect', '--no-such-option'], /UsageError: unknown option '--no-such-option'/],
  [['ingest'], /UsageError: missing required argument 'drop'/],
  [['no-such-command'], /UsageError: unknown command 'no-such-command'/],
];

describe('CLI option errors', () => {
  it.each(CASES)('%j: one line naming the option, exit 2', (args, message) => {
    const r = runCli(args, NOWHERE);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^ringscope: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('an unreachable Neo4j is a service failure: one line, exit 3, with a hint', () => {
    const r = runCli(['clusters'], NOWHERE);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^ringscope: ServiceUnavailableError: Neo4j at bolt:\/\/127\.0\.0\.1:1 is unavailable.*\(hint: start the local services/);
  });

  it('no variables and no local services: a usage error naming the variable and how to start them', () => {
    const r = runCli(['clusters'], { NEO4J_URI: '', REDIS_URL: '', RINGSCOPE_INSTANCE: 'nothing-runs-here' });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^ringscope: ConfigError: NEO4J_URI: is required: it is unset and no local services of instance nothing-runs-here are up.*\(hint: start them with `node scripts\/services.mjs up --instance nothing-runs-here`/,
    );
  });
});
