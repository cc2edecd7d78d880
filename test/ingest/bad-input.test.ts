import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toNum, type Neo4jClient } from '../../src/db/index.js';
import { ingestDrop, ingestFile, openDrop, type IngestOptions } from '../../src/loaders/index.js';
import { EditedDropError, InvalidDropError, InvalidFileError } from '../../src/util/errors.js';
import { freshNeo4j } from '../helpers/services.js';
import { snapshot, type GraphSnapshot } from './graph-snapshot.js';

/**
 * The bad-input corpus (issue #8 item 1). For every case: no crash; a clear error class, or a reject
 * naming file, line and field; nothing of a failed file in the graph (the evidence equals what the
 * drop's other files alone produce); and the rest of the drop still loads.
 */

const CORPUS = path.resolve(import.meta.dirname, '../fixtures/bad-input');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-bad-'));
const OPTS: IngestOptions = { stateDir: path.join(tmp, 'state'), batchSize: 1000 };
const T = '2026-01-05T00:00:00Z';
const P = 'account_id,payment_fingerprint,first_seen,last_seen\n';
const GOOD_ACCOUNTS = 'account_id,created_at\nG1,2026-01-01T00:00:00Z\nG2,2026-01-01T00:00:00Z\n';

type Expect =
  /** The file fails whole (at the default 1% policy, and whatever the policy). */
  | { fileError: string; field?: string; line?: number }
  /** Row rejects: the file fails at the default 1% policy, and loads its valid rows under a loose one. */
  | { reject: string; line: number; field: string; validRows: number }
  /** An edge case that loads. */
  | { loads: string; rows: number }
  /** The whole drop is refused. */
  | { dropError: true; fileName?: string }
  /**
   * Issue #22: the drop loads (whole, or only `partial` before a "crash"), then `edit` changes it and
   * the same id is refused (EditedDropError naming `files`, graph unchanged); a new id loads it.
   */
  | { edited: readonly string[]; edit: (dir: string) => void; partial?: string };

interface Case {
  readonly name: string;
  readonly expect: Expect;
  /** Build the drop at run time (huge or machine-specific files); default: copy the corpus folder. */
  readonly build?: (dir: string) => void;
}

const EDITED = path.join(CORPUS, 'edited-drop');
const fromEdited = (dir: string): void => fs.cpSync(EDITED, dir, { recursive: true });
const PF_ROW = 'A1,fp-9,2026-01-05T00:00:00Z,2026-01-05T00:00:00Z,1\n';

const CASES: Case[] = [
  { name: 'missing-column', expect: { fileError: 'payment_methods.csv', field: 'last_seen', line: 1 } },
  { name: 'duplicate-header', expect: { fileError: 'payment_methods.csv', field: 'payment_fingerprint', line: 1 } },
  { name: 'empty-csv', expect: { fileError: 'payment_methods.csv' } },
  { name: 'header-only', expect: { loads: 'payment_methods.csv', rows: 0 } },
  { name: 'empty-ndjson', expect: { loads: 'prompt_fingerprints.ndjson', rows: 0 } },
  { name: 'bom-crlf', expect: { loads: 'payment_methods.csv', rows: 2 } },
  { name: 'unbalanced-quote', expect: { fileError: 'payment_methods.csv' } },
  { name: 'wrong-type-count', expect: { reject: 'prompt_fingerprints.csv', line: 3, field: 'count', validRows: 1 } },
  { name: 'wrong-type-bool', expect: { reject: 'ip_addresses.csv', line: 3, field: 'is_proxy', validRows: 1 } },
  { name: 'bad-capability', expect: { reject: 'prompt_fingerprints.csv', line: 3, field: 'capability', validRows: 1 } },
  { name: 'bad-marker', expect: { reject: 'prompt_fingerprints.csv', line: 3, field: 'markers', validRows: 1 } },
  { name: 'negative-requests', expect: { reject: 'ip_addresses.csv', line: 3, field: 'requests', validRows: 1 } },
  { name: 'negative-activity', expect: { reject: 'activity.csv', line: 3, field: 'requests', validRows: 1 } },
  { name: 'fractional-count', expect: { reject: 'prompt_fingerprints.csv', line: 3, field: 'count', validRows: 1 } },
  { name: 'huge-integer', expect: { reject: 'activity.csv', line: 3, field: 'requests', validRows: 1 } },
  { name: 'ts-no-zone', expect: { reject: 'payment_methods.csv', line: 3, field: 'first_seen', validRows: 1 } },
  { name: 'ts-date-only', expect: { reject: 'payment_methods.csv', line: 3, field: 'last_seen', validRows: 1 } },
  { name: 'ts-before-2000', expect: { reject: 'payment_methods.csv', line: 3, field: 'first_seen', validRows: 1 } },
  { name: 'ts-after-2100', expect: { reject: 'activity.csv', line: 3, field: 'hour', validRows: 1 } },
  { name: 'ts-impossible-date', expect: { reject: 'payment_methods.csv', line: 3, field: 'first_seen', validRows: 1 } },
  { name: 'last-before-first', expect: { reject: 'payment_methods.csv', line: 3, field: 'last_seen', validRows: 1 } },
  { name: 'ip-leading-zero', expect: { reject: 'ip_addresses.csv', line: 3, field: 'ip', validRows: 1 } },
  { name: 'ip-zone-id', expect: { reject: 'ip_addresses.csv', line: 3, field: 'ip', validRows: 1 } },
  { name: 'ip-out-of-range', expect: { reject: 'ip_addresses.csv', line: 3, field: 'ip', validRows: 1 } },
  { name: 'ip-mapped-edge', expect: { loads: 'ip_addresses.csv', rows: 2 } },
  { name: 'control-chars', expect: { reject: 'payment_methods.csv', line: 3, field: 'account_id', validRows: 1 } },
  { name: 'empty-required', expect: { reject: 'payment_methods.csv', line: 3, field: 'account_id', validRows: 1 } },
  { name: 'column-count', expect: { reject: 'payment_methods.csv', line: 3, field: '(columns)', validRows: 1 } },
  { name: 'invalid-utf8', expect: { fileError: 'payment_methods.csv' } },
  { name: 'corrupt-gzip', expect: { fileError: 'payment_methods.csv.gz' } },
  { name: 'truncated-gzip', expect: { fileError: 'payment_methods.csv.gz' } },
  { name: 'not-gzip', expect: { fileError: 'payment_methods.csv.gz' } },
  { name: 'ndjson-trailing-partial', expect: { reject: 'payment_methods.ndjson', line: 2, field: '(json)', validRows: 1 } },
  { name: 'ndjson-not-object', expect: { reject: 'payment_methods.ndjson', line: 2, field: '(json)', validRows: 1 } },
  { name: 'ndjson-nested-value', expect: { reject: 'payment_methods.ndjson', line: 2, field: 'account_id', validRows: 1 } },
  { name: 'ndjson-lone-surrogate', expect: { reject: 'payment_methods.ndjson', line: 2, field: 'account_id', validRows: 1 } },
  { name: 'unknown-files', expect: { loads: 'payment_methods.csv', rows: 1 } },
  {
    name: 'long-line-10mb-ndjson',
    expect: { reject: 'payment_methods.ndjson', line: 2, field: '(line)', validRows: 2 },
    build: (dir) => {
      const row = (id: string): string => JSON.stringify({ account_id: id, payment_fingerprint: 'c1', first_seen: T, last_seen: T });
      fs.writeFileSync(path.join(dir, 'payment_methods.ndjson'), `${row('A1')}\n${row('X'.repeat(10 * 1024 * 1024))}\n${row('A3')}\n`);
      fs.writeFileSync(path.join(dir, 'accounts.csv'), GOOD_ACCOUNTS);
    },
  },
  {
    name: 'long-line-10mb-csv',
    expect: { fileError: 'payment_methods.csv' },
    build: (dir) => {
      fs.writeFileSync(path.join(dir, 'payment_methods.csv'), `${P}A1,c1,${T},${T}\n${'X'.repeat(10 * 1024 * 1024)},c1,${T},${T}\n`);
      fs.writeFileSync(path.join(dir, 'accounts.csv'), GOOD_ACCOUNTS);
    },
  },
  {
    name: 'account-id-10000-chars',
    expect: { reject: 'payment_methods.csv', line: 3, field: 'account_id', validRows: 1 },
    build: (dir) => {
      fs.writeFileSync(path.join(dir, 'payment_methods.csv'), `${P}A1,c1,${T},${T}\n${'a'.repeat(10_000)},c1,${T},${T}\n`);
      fs.writeFileSync(path.join(dir, 'accounts.csv'), GOOD_ACCOUNTS);
    },
  },
  {
    name: 'symlink-outside-drop',
    expect: { dropError: true },
    build: (dir) => {
      const outside = fs.mkdtempSync(path.join(tmp, 'outside-'));
      fs.writeFileSync(path.join(outside, 'secret.csv'), `${P}S1,secret,${T},${T}\n`);
      fs.symlinkSync(path.join(outside, 'secret.csv'), path.join(dir, 'payment_methods.csv'));
      fs.writeFileSync(path.join(dir, 'accounts.csv'), GOOD_ACCOUNTS);
    },
  },
  {
    name: 'symlink-to-parent-dir',
    expect: { dropError: true },
    build: (dir) => {
      fs.symlinkSync(path.dirname(dir), path.join(dir, 'activity.csv'));
      fs.writeFileSync(path.join(dir, 'accounts.csv'), GOOD_ACCOUNTS);
    },
  },
  {
    // The probe's case: one row changed and one appended; the file was reloaded whole (counts doubled).
    name: 'edited-drop',
    expect: {
      edited: ['prompt_fingerprints.csv (changed)'],
      edit: (dir) => {
        const f = path.join(dir, 'prompt_fingerprints.csv');
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(',4\n', ',5\n') + PF_ROW);
      },
    },
  },
  {
    name: 'edited-drop-file-added',
    build: fromEdited,
    expect: { edited: ['payment_methods.csv (added)'], edit: (dir) => fs.writeFileSync(path.join(dir, 'payment_methods.csv'), `${P}A1,c1,${T},${T}\n`) },
  },
  {
    name: 'edited-drop-file-removed',
    build: fromEdited,
    expect: { edited: ['prompt_fingerprints.csv (removed)'], edit: (dir) => fs.rmSync(path.join(dir, 'prompt_fingerprints.csv')) },
  },
  {
    name: 'edited-drop-gzipped',
    build: fromEdited,
    expect: {
      edited: ['accounts.csv.gz (added)', 'accounts.csv (removed)'],
      edit: (dir) => {
        fs.writeFileSync(path.join(dir, 'accounts.csv.gz'), zlib.gzipSync(fs.readFileSync(path.join(dir, 'accounts.csv'))));
        fs.rmSync(path.join(dir, 'accounts.csv'));
      },
    },
  },
  {
    // Crash after one file, then that file is edited: no ledger entry yet, its claim refuses it.
    name: 'edited-file-after-crash',
    build: fromEdited,
    expect: {
      edited: ['prompt_fingerprints.csv (changed)'],
      partial: 'prompt_fingerprints.csv',
      edit: (dir) => fs.appendFileSync(path.join(dir, 'prompt_fingerprints.csv'), PF_ROW),
    },
  },
  { name: 'gzip-named-csv', expect: { fileError: 'payment_methods.csv' } },
  {
    name: 'path-traversal-file-name',
    expect: { dropError: true, fileName: '../payment_methods.csv' },
    build: (dir) => fs.writeFileSync(path.join(dir, 'accounts.csv'), GOOD_ACCOUNTS),
  },
];

function materialise(c: Case): string {
  const dir = fs.mkdtempSync(path.join(tmp, `${c.name}-`));
  if (c.build) c.build(dir);
  else fs.cpSync(path.join(CORPUS, c.name), dir, { recursive: true });
  return dir;
}

function badFile(e: Expect): string | undefined {
  return 'fileError' in e ? e.fileError : 'reject' in e ? e.reject : undefined;
}

let client: Neo4jClient;
const goodOnly = new Map<string, GraphSnapshot>();

/** Evidence the drop's other files produce alone (a failed file must add nothing to it). */
async function evidenceWithout(dir: string, bad: string): Promise<GraphSnapshot> {
  const others = fs.readdirSync(dir).filter((f) => f !== bad);
  const key = others.map((f) => `${f}:${fs.statSync(path.join(dir, f)).isFile() ? fs.readFileSync(path.join(dir, f), 'latin1') : ''}`).join('|');
  const cached = goodOnly.get(key);
  if (cached) return cached;
  client = await freshNeo4j();
  const copy = fs.mkdtempSync(path.join(tmp, 'good-'));
  for (const f of others) fs.cpSync(path.join(dir, f), path.join(copy, f), { recursive: true });
  const hasData = fs.readdirSync(copy).some((f) => /^(accounts|payment_methods|ip_addresses|prompt_fingerprints|activity)\./.test(f));
  if (hasData) await ingestDrop(client, copy, OPTS);
  const s = await snapshot(client, true);
  goodOnly.set(key, s);
  return s;
}

beforeAll(async () => {
  client = await freshNeo4j();
});
afterAll(async () => {
  await client?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('bad-input corpus', () => {
  it('has at least 30 cases, and every corpus folder is in the table', () => {
    const folders = fs.readdirSync(CORPUS).filter((f) => fs.statSync(path.join(CORPUS, f)).isDirectory());
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(folders.filter((f) => !CASES.some((c) => c.name === f))).toEqual([]);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const dir = materialise(c);
    const e = c.expect;

    if ('dropError' in e) {
      client = await freshNeo4j();
      if (e.fileName) {
        const drop = await openDrop(dir);
        await expect(ingestFile(client, drop, e.fileName, OPTS)).rejects.toBeInstanceOf(InvalidDropError);
      } else {
        await expect(ingestDrop(client, dir, OPTS)).rejects.toBeInstanceOf(InvalidDropError);
      }
      expect((await snapshot(client)).nodes).toBe(0);
      return;
    }

    if ('edited' in e) {
      client = await freshNeo4j();
      if (e.partial) await ingestFile(client, await openDrop(dir), e.partial, OPTS);
      else expect((await ingestDrop(client, dir, OPTS)).ledgerWritten).toBe(true);
      const before = await snapshot(client);
      e.edit(dir);
      const err = await ingestDrop(client, dir, OPTS).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(EditedDropError);
      expect(err).toMatchObject({ dropId: path.basename(dir), files: e.edited });
      expect(await snapshot(client)).toEqual(before);
      const asNew = await ingestDrop(client, dir, { ...OPTS, dropId: `${path.basename(dir)}-v2` });
      expect(asNew.files.every((f) => f.status === 'ok')).toBe(true);
      expect(asNew.ledgerWritten).toBe(true);
      return;
    }

    if ('loads' in e) {
      client = await freshNeo4j();
      const s = await ingestDrop(client, dir, OPTS);
      expect(s.files.every((f) => f.status === 'ok')).toBe(true);
      expect(s.files.find((f) => f.file === e.loads)).toMatchObject({ rows: e.rows, rejects: 0 });
      expect(s.ledgerWritten).toBe(true);
      if (c.name === 'ip-mapped-edge') {
        const r = await client.query('MATCH (:Account)-[x:CONNECTED_FROM]->(ip:IP) RETURN ip.address AS a, sum(x.requests) AS n', {}, 'READ');
        expect(r.records.map((x) => [x.get('a'), toNum(x.get('n'))])).toEqual([['192.0.2.1', 3]]);
      }
      if (c.name === 'unknown-files') expect(s.warnings.length).toBe(3);
      return;
    }

    const bad = badFile(e)!;
    const expected = await evidenceWithout(dir, bad);

    // Default policy (1%): the bad file fails whole and adds nothing; the other files load.
    client = await freshNeo4j();
    const s = await ingestDrop(client, dir, OPTS);
    const f = s.files.find((x) => x.file === bad)!;
    expect(f.status).toBe('failed');
    expect(f.error).toBeInstanceOf(InvalidFileError);
    const err = f.error as InvalidFileError;
    expect(err.file).toBe(bad);
    if ('fileError' in e) {
      if (e.field !== undefined) expect(err.field).toBe(e.field);
      if (e.line !== undefined) expect(err.line).toBe(e.line);
    } else {
      expect([err.line, err.field]).toEqual([e.line, e.field]);
    }
    expect(s.files.filter((x) => x.file !== bad).every((x) => x.status === 'ok')).toBe(true);
    expect(s.ledgerWritten).toBe(false);
    expect(await snapshot(client, true)).toEqual(expected);

    if ('reject' in e) {
      // Loose policy: the valid rows load, and the reject names file, line and field.
      client = await freshNeo4j();
      const loose = await ingestDrop(client, dir, { ...OPTS, maxRejectRatio: 0.99 });
      const lf = loose.files.find((x) => x.file === bad)!;
      expect(lf).toMatchObject({ status: 'ok', rows: e.validRows, rejects: 1 });
      const lines = fs.readFileSync(lf.rejectsPath, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]!.startsWith(`${bad}:${e.line}:${e.field}: `)).toBe(true);
      expect(loose.ledgerWritten).toBe(true);
    }
  });
});
