import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readRecordBatches, readRecords, type FileSource, type RawRecord } from '../../src/loaders/index.js';
import { InvalidFileError } from '../../src/util/errors.js';

/**
 * The reader hands out records in batches, taking each record's line number from the parser while
 * it is fed. These cases cross many read chunks (256 KiB each) with multi-line quoted fields, blank
 * lines, CRLF and a last record without a trailing newline, and compare with line numbers counted
 * independently while the file was written.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-reader-'));

function buildCsv(rows: number, eol: string): { text: string; expected: Array<{ line: number; id: string; fp: string }> } {
  let text = `account_id,fingerprint,first_seen,last_seen${eol}`;
  let line = 1;
  const expected: Array<{ line: number; id: string; fp: string }> = [];
  for (let i = 0; i < rows; i++) {
    const multi = i % 997 === 0;
    const fp = multi ? `tpl "${i}"\nsecond line\nthird` : `fp-${i}-${'x'.repeat(i % 50)}`;
    const cell = multi ? `"${fp.replace(/"/g, '""')}"` : fp;
    if (i % 1500 === 0) {
      text += eol;
      line++;
    }
    const last = i === rows - 1;
    text += `acct-${i},${cell},2026-01-01T00:00:00Z,2026-01-02T00:00:00Z${last ? '' : eol}`;
    line += 1 + (multi ? 2 : 0);
    expected.push({ line, id: `acct-${i}`, fp });
  }
  return { text, expected };
}

const src = (name: string, format: 'csv' | 'ndjson', gzip = false): FileSource => ({
  name,
  path: path.join(tmp, name),
  kind: 'prompt_fingerprints',
  format,
  gzip,
});

async function collect(file: FileSource): Promise<{ recs: RawRecord[]; batches: number }> {
  const recs: RawRecord[] = [];
  let batches = 0;
  for await (const b of readRecordBatches(file)) {
    batches++;
    recs.push(...b);
  }
  return { recs, batches };
}

describe('readRecordBatches', () => {
  const { text, expected } = buildCsv(40_000, '\n');

  it.each([
    ['\n', false],
    ['\r\n', false],
    ['\n', true],
  ])('gives every CSV record its own line across chunks (eol %j, gzip %s)', async (eol, gzip) => {
    const { text, expected } = buildCsv(40_000, eol);
    const file = src(`p${eol.length}${gzip ? '.gz' : ''}.csv`, 'csv', gzip);
    fs.writeFileSync(file.path, gzip ? zlib.gzipSync(text) : text);
    expect(text.length).toBeGreaterThan(3 << 20);
    const { recs, batches } = await collect(file);
    expect(batches).toBeGreaterThan(4);
    expect(recs).toHaveLength(expected.length);
    for (let i = 0; i < expected.length; i++) {
      const r = recs[i]!;
      expect('values' in r && r.values.account_id).toBe(expected[i]!.id);
      expect('values' in r && r.values.fingerprint).toBe(expected[i]!.fp);
      expect(r.line).toBe(expected[i]!.line);
    }
  });

  it('keeps readRecords (one at a time) identical to the batches', async () => {
    const file = src('p.csv', 'csv');
    fs.writeFileSync(file.path, text);
    const one: RawRecord[] = [];
    for await (const r of readRecords(file)) one.push(r);
    expect(one).toEqual((await collect(file)).recs);
  });

  it('numbers NDJSON lines across chunks, blank lines included', async () => {
    const file = src('p.ndjson', 'ndjson');
    const lines = expected.map((e, i) => (i % 1000 === 0 ? '\n' : '') + JSON.stringify({ account_id: e.id, fingerprint: e.fp }));
    fs.writeFileSync(file.path, lines.join('\n'));
    const { recs } = await collect(file);
    expect(recs).toHaveLength(expected.length);
    let line = 0;
    lines.forEach((l, i) => {
      line += l.startsWith('\n') ? 2 : 1;
      expect(recs[i]!.line).toBe(line);
    });
  });

  it('fails the file on an unbalanced quote in its last chunk', async () => {
    const file = src('bad.csv', 'csv');
    fs.writeFileSync(file.path, text + '\nacct-x,"never closed,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z\n');
    await expect(collect(file)).rejects.toBeInstanceOf(InvalidFileError);
  });

  it('fails the file on a bad header before any record', async () => {
    const file = src('hdr.csv', 'csv');
    fs.writeFileSync(file.path, 'account_id,first_seen,last_seen\n' + 'a,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z\n'.repeat(10));
    await expect(collect(file)).rejects.toBeInstanceOf(InvalidFileError);
  });
});

/**
 * Quote-free CSV is split directly, and csv-parse takes over at the first `"` or `\r` (see
 * csvRecords). The records and line numbers must be exactly those of csv-parse reading the whole
 * file, wherever the switch happens: never, in the first chunk, or deep in the file.
 */
describe('CSV fast path', () => {
  async function reference(text: string): Promise<Array<{ line: number; fields: string[] }>> {
    const { parse } = await import('csv-parse');
    const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true });
    const out: Array<{ line: number; fields: string[] }> = [];
    parser.on('data', (fields: string[]) => out.push({ line: parser.info.lines, fields }));
    parser.write(text);
    parser.end();
    await new Promise<void>((resolve, reject) => parser.on('end', resolve).on('error', reject));
    return out;
  }

  function body(rows: number, quoteAt: number | undefined, eol: string, crAt?: number): string {
    let text = `account_id,fingerprint,first_seen,last_seen\n`;
    for (let i = 0; i < rows; i++) {
      if (i % 700 === 3) text += '\n'; // blank lines
      const fp = i === quoteAt ? `"tpl, ""quoted""\nsecond line"` : `fp-${i}-${'y'.repeat(i % 40)}`;
      const end = i === rows - 1 ? '' : i === crAt ? '\r\n' : eol;
      text += `acct-${i},${fp},2026-01-01T00:00:00Z,${i % 9 === 0 ? '' : '2026-01-02T00:00:00Z'}${end}`;
    }
    return text;
  }

  it.each([
    ['no quote at all', body(30_000, undefined, '\n')],
    ['a quote in the first chunk', body(30_000, 10, '\n')],
    ['a quote deep in the file', body(30_000, 25_000, '\n')],
    ['a CRLF line deep in an LF file', body(30_000, undefined, '\n', 20_000)],
    [
      'a short row and an extra column',
      body(5_000, undefined, '\n').replace('acct-77,', 'acct-77,').replace('acct-80,fp-80', 'acct-80').replace('acct-90,', 'acct-90,x,'),
    ],
  ])('gives csv-parse’s records and lines: %s', async (_name, text) => {
    const name = `fast-${Math.random().toString(36).slice(2)}.csv`;
    fs.writeFileSync(path.join(tmp, name), text);
    const ours = (await collect(src(name, 'csv'))).recs;
    const ref = await reference(text);
    const header = ref.shift()!.fields;
    expect(ours.length).toBe(ref.length);
    for (let i = 0; i < ref.length; i++) {
      const r = ref[i]!;
      const o = ours[i]!;
      expect(o.line).toBe(r.line);
      if (r.fields.length !== header.length) {
        expect(o).toMatchObject({ field: '(columns)' });
        continue;
      }
      const values = (o as { values: Record<string, string | undefined> }).values;
      expect(header.map((h) => values[h] ?? '')).toEqual(r.fields);
    }
  });

  it('fails the file on a quote-free line longer than the record limit, naming its line', async () => {
    const name = 'fast-long.csv';
    fs.writeFileSync(path.join(tmp, name), `account_id,fingerprint,first_seen,last_seen\na,b,c,d\na,${'z'.repeat(5000)},c,d\n`);
    const err = await (async () => {
      for await (const _ of readRecordBatches(src(name, 'csv'), { maxRecordChars: 1000 })) void _;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidFileError);
    expect((err as InvalidFileError).line).toBe(3);
  });
});
