import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { CSV_HEADER, PromptSynth, fingerprintLog, fingerprintPrompt } from '../../src/fingerprint/index.js';
import { ConfigError, InvalidFileError } from '../../src/util/errors.js';
import { createLogger } from '../../src/util/logger.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-fp-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SECRET_MARKERS = ['ZEBRA-QUOKKA-7731', 'hunter2-passphrase', 'confidential-client-acme'];

/** A small log: three accounts share one template (with secrets swapped in), one account writes ordinary prompts. */
function sampleLog(): string {
  const synth = new PromptSynth(5);
  const fam = synth.family('coding', { cot: true, rubric: false });
  const lines: string[] = [];
  const t0 = Date.parse('2026-03-01T00:00:00Z');
  for (let i = 0; i < 30; i++) {
    const v = synth.variant(fam);
    const secret = SECRET_MARKERS[i % SECRET_MARKERS.length]!;
    lines.push(
      JSON.stringify({
        account_id: `ring-${i % 3}`,
        ts: new Date(t0 + i * 60_000).toISOString(),
        prompt: `${v.prompt} Project name ${secret}.`,
        system: v.system ?? null,
      }),
    );
  }
  for (let i = 0; i < 5; i++)
    lines.push(JSON.stringify({ account_id: 'user,"quoted"', ts: t0 + i * 3_600_000, prompt: `${synth.ordinary()} ${SECRET_MARKERS[0]}` }));
  lines.push('   ');
  return lines.join('\r\n') + '\n';
}

interface Row {
  account_id: string;
  fingerprint: string;
  first_seen: string;
  last_seen: string;
  count: string;
  capability: string;
  kind: string;
  markers: string;
}
const readCsv = (file: string) => parse(fs.readFileSync(file, 'utf8'), { columns: true }) as Row[];

describe('fingerprintLog', () => {
  it('streams a gzipped NDJSON log into an aggregated, valid prompt_fingerprints CSV', async () => {
    const input = path.join(dir, 'prompts.ndjson.gz');
    fs.writeFileSync(input, gzipSync(sampleLog()));
    const out = path.join(dir, 'drop', 'prompt_fingerprints.csv');
    const summary = await fingerprintLog(input, out);
    expect(summary).toMatchObject({ lines: 35, prompts: 35, rejects: 0, accounts: 4, keyed: false });
    expect(fs.readFileSync(out, 'utf8').split('\n')[0]).toBe(CSV_HEADER);
    const rows = readCsv(out);
    expect(rows).toHaveLength(summary.rows);
    for (const r of rows) {
      expect(r.fingerprint).toMatch(/^(t|s|w|m\d+):[0-9a-f]{24}$/);
      expect(r.kind).toBe(
        r.fingerprint.startsWith('t:') ? 'template' : r.fingerprint.startsWith('s:') ? 'system' : r.fingerprint.startsWith('w:') ? 'scaffold' : 'minhash',
      );
      expect(r.first_seen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(r.first_seen)).toBeLessThanOrEqual(Date.parse(r.last_seen));
      expect(['coding', 'agentic', 'cyber', 'reasoning', 'writing', 'other']).toContain(r.capability);
      expect(r.markers).toMatch(/^(cot|rubric|cot;rubric)?$/);
      expect(Number(r.count)).toBeGreaterThanOrEqual(1);
    }
    // The account id with a comma and quotes survives CSV quoting.
    expect(rows.some((r) => r.account_id === 'user,"quoted"')).toBe(true);
    // Each ring account sent 10 prompts: its band rows count them, and the ring shares band fingerprints.
    const ring0 = rows.filter((r) => r.account_id === 'ring-0' && r.kind === 'minhash');
    const counts = new Map<string, number>();
    for (const r of rows.filter((x) => x.kind === 'minhash')) counts.set(r.fingerprint, (counts.get(r.fingerprint) ?? 0) + 1);
    const shared = ring0.filter((r) => counts.get(r.fingerprint)! >= 3);
    expect(shared.length).toBeGreaterThan(0);
    expect(Math.max(...ring0.map((r) => Number(r.count)))).toBe(10);
    expect(shared.every((r) => r.capability === 'coding' && r.markers === 'cot')).toBe(true);
    // first/last seen of ring-0 span its first (minute 0) and last (minute 27) prompt.
    const top = ring0.find((r) => Number(r.count) === 10)!;
    expect(top.first_seen).toBe('2026-03-01T00:00:00.000Z');
    expect(top.last_seen).toBe('2026-03-01T00:27:00.000Z');
  });

  it('gives the same rows as fingerprintPrompt, whatever the line order', async () => {
    const a = JSON.stringify({ account_id: 'a', ts: '2026-01-01T00:00:00+02:00', prompt: 'Prove that 7 is prime. Think step by step.' });
    const b = JSON.stringify({ account_id: 'a', ts: '2026-01-01T01:00:00Z', prompt: 'Prove that 11 is prime. Think step by step.' });
    const out1 = path.join(dir, 'o1.csv'),
      out2 = path.join(dir, 'o2.csv');
    fs.writeFileSync(path.join(dir, 'i1.ndjson'), `${a}\n${b}`);
    fs.writeFileSync(path.join(dir, 'i2.ndjson'), `${b}\n${a}\n`);
    await fingerprintLog(path.join(dir, 'i1.ndjson'), out1);
    await fingerprintLog(path.join(dir, 'i2.ndjson'), out2);
    expect(fs.readFileSync(out1, 'utf8')).toBe(fs.readFileSync(out2, 'utf8'));
    const rows = readCsv(out1);
    const fp = fingerprintPrompt('Prove that 7 is prime. Think step by step.');
    expect(fp.scaffold.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.fingerprint).sort()).toEqual([fp.template!, ...fp.bands, ...fp.scaffold].sort());
    expect(rows.every((r) => r.count === '2' && r.first_seen === '2025-12-31T22:00:00.000Z' && r.last_seen === '2026-01-01T01:00:00.000Z')).toBe(true);
    expect(rows.every((r) => r.capability === 'reasoning' && r.markers === 'cot')).toBe(true);
  });

  it('rejects bad lines by line and field, and fails whole past the reject ratio without writing output', async () => {
    const good = (i: number) => JSON.stringify({ account_id: `a${i}`, ts: '2026-01-01T00:00:00Z', prompt: 'hello there' });
    const bad = [
      '{"account_id": "x", "ts": "2026-01-01T00:00:00Z", "prompt": "SECRET-IN-BROKEN-JSON',
      JSON.stringify({ account_id: '', ts: '2026-01-01T00:00:00Z', prompt: 'p' }),
      JSON.stringify({ account_id: 'x', ts: '2026-01-01 00:00:00', prompt: 'p' }),
      JSON.stringify({ account_id: 'x', ts: '2026-01-01T00:00:00Z', prompt: 42 }),
      JSON.stringify({ account_id: 'x', ts: '2026-01-01T00:00:00Z', prompt: 'p', system: {} }),
    ];
    const input = path.join(dir, 'bad.ndjson');
    fs.writeFileSync(input, [good(1), ...bad, good(2)].join('\n'));
    const out = path.join(dir, 'bad.csv');
    const err = await fingerprintLog(input, out).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidFileError);
    expect((err as InvalidFileError).file).toBe(input);
    expect((err as InvalidFileError).line).toBe(2);
    expect((err as InvalidFileError).field).toBe('(line)');
    expect((err as Error).message).not.toContain('SECRET-IN-BROKEN-JSON');
    expect(fs.existsSync(out)).toBe(false);

    const summary = await fingerprintLog(input, out, { maxRejectRatio: 1 });
    expect(summary.rejects).toBe(5);
    expect(summary.firstRejects.map((r) => [r.line, r.field])).toEqual([
      [2, '(line)'],
      [3, 'account_id'],
      [4, 'ts'],
      [5, 'prompt'],
      [6, 'system'],
    ]);
    expect(new Set(readCsv(out).map((r) => r.account_id))).toEqual(new Set(['a1', 'a2']));
  });

  it('rejects over-long lines with bounded memory and reports corrupt gzip as InvalidFileError', async () => {
    const input = path.join(dir, 'long.ndjson');
    // Epoch milliseconds inside the loaders' range (2000–2099).
    const ts = Date.parse('2026-01-01T00:00:00Z');
    const long = JSON.stringify({ account_id: 'x', ts, prompt: 'y'.repeat(5000) });
    fs.writeFileSync(input, `${long}\n${JSON.stringify({ account_id: 'z', ts, prompt: 'ok' })}\n`);
    const s = await fingerprintLog(input, path.join(dir, 'long.csv'), { maxLineBytes: 1000, maxRejectRatio: 0.5 });
    expect(s).toMatchObject({ rejects: 1, prompts: 1 });
    expect(s.firstRejects[0]).toMatchObject({ line: 1, field: '(line)' });

    const corrupt = path.join(dir, 'corrupt.ndjson.gz');
    const gz = gzipSync(sampleLog());
    fs.writeFileSync(corrupt, Buffer.concat([gz.subarray(0, 40), Buffer.alloc(40, 7), gz.subarray(80)]));
    await expect(fingerprintLog(corrupt, path.join(dir, 'c.csv'))).rejects.toBeInstanceOf(InvalidFileError);
    await expect(fingerprintLog(path.join(dir, 'missing.ndjson'), path.join(dir, 'm.csv'))).rejects.toBeInstanceOf(InvalidFileError);
  });

  it('never puts raw prompt text in the output or the logs', async () => {
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk.toString());
        cb();
      },
    });
    const logger = createLogger('trace', sink);
    const text = sampleLog() + '{"account_id":"x","ts":"2026-01-01T00:00:00Z","prompt":"hunter2-passphrase broken\n';
    const input = new PassThrough();
    input.end(gzipSync(text));
    const out = new PassThrough();
    const outChunks: Buffer[] = [];
    out.on('data', (c: Buffer) => outChunks.push(c));
    const summary = await fingerprintLog(input, out, { logger, maxRejectRatio: 0.5, key: 'test-key-0123456789' });
    expect(summary.keyed).toBe(true);
    expect(summary.rejects).toBe(1);
    const output = Buffer.concat(outChunks).toString();
    const logs = chunks.join('');
    expect(output.split('\n').length).toBeGreaterThan(10);
    expect(logs).toContain('rejected prompt log line');
    expect(logs).toContain('prompt fingerprints written');
    // No secret, and no 5-word run of any prompt, appears in the CSV or the logs.
    const prompts = text
      .split('\n')
      .filter((l) => l.trim().startsWith('{"account_id'))
      .map((l) => {
        try {
          return (JSON.parse(l) as { prompt: string }).prompt;
        } catch {
          return 'hunter2-passphrase broken';
        }
      });
    for (const secret of SECRET_MARKERS) {
      expect(output).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    for (const p of prompts) {
      const words = p.split(/\s+/).filter(Boolean);
      for (let i = 0; i + 5 <= words.length; i += 5) {
        const run = words.slice(i, i + 5).join(' ');
        expect(output).not.toContain(run);
        expect(logs).not.toContain(run);
      }
    }
  });

  it('CLI: fingerprints a small gz file into a valid CSV, keyed from --key-env, with clean errors', () => {
    const input = path.join(dir, 'cli.ndjson.gz');
    fs.writeFileSync(input, gzipSync(sampleLog()));
    const out = path.join(dir, 'cli-drop', 'prompt_fingerprints.csv');
    const bin = path.join(ROOT, 'bin', 'ringscope.mjs');
    const env = { ...process.env, LOG_LEVEL: 'debug', MY_FP_KEY: 'cli-secret-key-0123456789' };
    const run = spawnSync(process.execPath, [bin, 'fingerprint', input, '--out', out, '--key-env', 'MY_FP_KEY'], { env, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { prompts: number; keyed: boolean; rows: number };
    expect(summary).toMatchObject({ prompts: 35, keyed: true });
    const rows = readCsv(out);
    expect(rows).toHaveLength(summary.rows);
    expect(Object.keys(rows[0]!)).toEqual(CSV_HEADER.split(','));
    for (const secret of SECRET_MARKERS) {
      expect(fs.readFileSync(out, 'utf8')).not.toContain(secret);
      expect(run.stderr + run.stdout).not.toContain(secret);
    }
    // Keyed ids differ from the unkeyed ones of the library default.
    const unkeyedOut = path.join(dir, 'unkeyed.csv');
    const run2 = spawnSync(process.execPath, [bin, 'fingerprint', input, '--out', unkeyedOut], {
      env: { ...env, RINGSCOPE_FINGERPRINT_KEY: '' },
      encoding: 'utf8',
    });
    expect(run2.status, run2.stderr).toBe(0);
    const unkeyed = new Set(readCsv(unkeyedOut).map((r) => r.fingerprint));
    expect(rows.some((r) => unkeyed.has(r.fingerprint))).toBe(false);

    const missingKey = spawnSync(process.execPath, [bin, 'fingerprint', input, '--out', out, '--key-env', 'NO_SUCH_VAR_H3'], { env, encoding: 'utf8' });
    expect(missingKey.status).toBe(2);
    expect(missingKey.stderr).toContain(ConfigError.name);
    const missingFile = spawnSync(process.execPath, [bin, 'fingerprint', path.join(dir, 'nope.gz'), '--out', out], { env, encoding: 'utf8' });
    expect(missingFile.status).toBe(2);
    expect(missingFile.stderr).toContain(InvalidFileError.name);
  });
});
