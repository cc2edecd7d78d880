import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Logger } from '../util/logger.js';
import { MAX_TIME_MS, MIN_TIME_MS, parseTimestamp } from '../loaders/timestamp.js';
import { textProblem } from '../loaders/row-schemas.js';
import { InvalidFileError } from '../util/errors.js';
import { CSV_HEADER, FingerprintAggregator, IsoCache, csvLine } from './aggregate.js';
import { Fingerprinter, type FingerprintOverrides } from './fingerprinter.js';

export interface FingerprintLogOptions extends FingerprintOverrides {
  /** A log whose rejected-line ratio exceeds this fails whole (no output is written). @defaultValue 0.01 */
  readonly maxRejectRatio?: number;
  /** Lines longer than this many bytes are rejected (bounds memory per prompt). @defaultValue 4_194_304 */
  readonly maxLineBytes?: number;
  /** Name used in errors and logs; defaults to the input path, or `<stream>`. */
  readonly fileName?: string;
  /** Where progress and rejects are logged. Never receives prompt text. @defaultValue undefined (silent) */
  readonly logger?: Logger;
  /** Least time between two progress lines (one JSON line each, so a nightly log stays short). @defaultValue 10_000 */
  readonly progressIntervalMs?: number;
}

export const LOG_DEFAULTS = { maxRejectRatio: 0.01, maxLineBytes: 4 * 1024 * 1024, progressIntervalMs: 10_000 } as const;

export interface RejectedLine {
  readonly line: number;
  readonly field: string;
  readonly reason: string;
}

export interface FingerprintLogSummary {
  /** Non-blank input lines. */
  readonly lines: number;
  /** Prompts fingerprinted. */
  readonly prompts: number;
  readonly rejects: number;
  /** The first few rejected lines (location and reason, never content). */
  readonly firstRejects: readonly RejectedLine[];
  /** Output rows (distinct account × fingerprint pairs). */
  readonly rows: number;
  readonly accounts: number;
  readonly keyed: boolean;
}

const MAX_REPORTED_REJECTS = 20;

/**
 * Stream an NDJSON(.gz) prompt log `{account_id, ts, prompt, system?}` into an aggregated
 * `prompt_fingerprints.csv`. Input text streams line by line (memory per prompt is bounded by
 * `maxLineBytes`); only fingerprints are kept, aggregated per (account, fingerprint). A path output
 * is written to a temporary file and renamed on success, so a failed run leaves nothing behind.
 */
export async function fingerprintLog(
  input: string | NodeJS.ReadableStream,
  output: string | NodeJS.WritableStream,
  opts: FingerprintLogOptions = {},
): Promise<FingerprintLogSummary> {
  const {
    maxRejectRatio = LOG_DEFAULTS.maxRejectRatio,
    maxLineBytes = LOG_DEFAULTS.maxLineBytes,
    progressIntervalMs = LOG_DEFAULTS.progressIntervalMs,
    logger,
  } = opts;
  let lastProgress = Date.now();
  const file = opts.fileName ?? (typeof input === 'string' ? input : '<stream>');
  const fingerprinter = new Fingerprinter(opts);
  const agg = new FingerprintAggregator(fingerprinter.options.hexChars);
  let lines = 0,
    prompts = 0,
    rejects = 0;
  const firstRejects: RejectedLine[] = [];
  logger?.info({ file, keyed: fingerprinter.keyed }, 'fingerprinting prompt log');

  const reject = (line: number, field: string, reason: string) => {
    rejects++;
    if (firstRejects.length < MAX_REPORTED_REJECTS) {
      firstRejects.push({ line, field, reason });
      logger?.warn({ file, line, field, reason }, 'rejected prompt log line');
    }
  };

  const handle = (buf: Buffer, lineNo: number) => {
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 13) end--;
    let blank = true;
    for (let i = 0; i < end; i++) {
      const b = buf[i]!;
      if (b !== 32 && b !== 9) {
        blank = false;
        break;
      }
    }
    if (blank) return;
    lines++;
    let row: unknown;
    try {
      row = JSON.parse(buf.toString('utf8', 0, end));
    } catch {
      // JSON.parse's message quotes the input: never pass it on.
      return reject(lineNo, '(line)', 'not valid JSON');
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) return reject(lineNo, '(line)', 'not a JSON object');
    const r = row as Record<string, unknown>;
    const account = r.account_id;
    if (typeof account !== 'string' || account.trim() === '') return reject(lineNo, 'account_id', 'must be a non-empty string');
    const accountProblem = textProblem(account);
    if (accountProblem) return reject(lineNo, 'account_id', accountProblem);
    const ts = parseTs(r.ts);
    if (typeof ts === 'string') return reject(lineNo, 'ts', ts);
    if (typeof r.prompt !== 'string') return reject(lineNo, 'prompt', 'must be a string');
    if (r.system !== undefined && r.system !== null && typeof r.system !== 'string') return reject(lineNo, 'system', 'must be a string or null');
    fingerprinter.compute(r.prompt, r.system as string | null | undefined);
    agg.add(account, ts, fingerprinter);
    prompts++;
    if (logger && prompts % 10_000 === 0 && Date.now() - lastProgress >= progressIntervalMs) {
      lastProgress = Date.now();
      logger.info({ file, prompts, rejects, rows: agg.size }, 'fingerprint progress');
    }
  };

  const source = typeof input === 'string' ? openInput(input) : input;
  let lineNo = 0;
  let carry: Buffer[] = [];
  let carryLen = 0;
  let overlong = false;
  try {
    for await (const chunk of decoded(source as Readable)) {
      const buf = chunk as Buffer;
      let start = 0;
      let nl = buf.indexOf(10, start);
      while (nl >= 0) {
        lineNo++;
        if (overlong || carryLen + (nl - start) > maxLineBytes) {
          lines++;
          reject(lineNo, '(line)', `longer than ${maxLineBytes} bytes`);
        } else handle(carryLen ? Buffer.concat([...carry, buf.subarray(start, nl)]) : buf.subarray(start, nl), lineNo);
        carry = [];
        carryLen = 0;
        overlong = false;
        start = nl + 1;
        nl = buf.indexOf(10, start);
      }
      if (start < buf.length) {
        // Past the limit, keep only the fact that the line is too long: memory stays bounded.
        if (overlong || carryLen + buf.length - start > maxLineBytes) {
          overlong = true;
          carry = [];
          carryLen = 0;
        } else {
          carry.push(Buffer.from(buf.subarray(start)));
          carryLen += buf.length - start;
        }
      }
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' || e.code === 'EISDIR' || e.code === 'EACCES') throw new InvalidFileError(file, `cannot read (${e.code})`);
    if (typeof e.code === 'string' && e.code.startsWith('Z_')) throw new InvalidFileError(file, `corrupt gzip (${e.code})`, lineNo + 1);
    throw err;
  }
  if (carryLen > 0 || overlong) {
    lineNo++;
    if (overlong) {
      lines++;
      reject(lineNo, '(line)', `longer than ${maxLineBytes} bytes`);
    } else handle(Buffer.concat(carry), lineNo);
  }

  if (rejects > maxRejectRatio * Math.max(lines, 1)) {
    const f = firstRejects[0]!;
    logger?.error({ file, lines, rejects }, 'too many rejected lines; no output written');
    throw new InvalidFileError(file, `${rejects} of ${lines} lines rejected (max ratio ${maxRejectRatio}); first: ${f.field}: ${f.reason}`, f.line, f.field);
  }

  const rows = await writeCsv(agg, output);
  const summary: FingerprintLogSummary = { lines, prompts, rejects, firstRejects, rows, accounts: agg.accountCount, keyed: fingerprinter.keyed };
  logger?.info({ file, lines, prompts, rejects, rows, keyed: fingerprinter.keyed }, 'prompt fingerprints written');
  return summary;
}

/** Epoch ms, or the reason: the loaders' timestamp rules (src/loaders/timestamp.ts), so Feb 30 is refused here as in ingest. */
function parseTs(v: unknown): number | string {
  if (typeof v === 'number') {
    return Number.isFinite(v) && v >= MIN_TIME_MS && v < MAX_TIME_MS ? v : 'epoch milliseconds out of range (2000-01-01 .. 2099-12-31 UTC)';
  }
  if (typeof v !== 'string' || v.length > 40) return 'must be ISO-8601 with a time zone (e.g. 2026-01-02T03:04:05Z) or epoch milliseconds';
  return parseTimestamp(v);
}

function openInput(p: string): Readable {
  return fs.createReadStream(p, { highWaterMark: 256 * 1024 });
}

/** Yield the input's bytes, gunzipped when it starts with the gzip magic (whatever its name). */
async function* decoded(src: Readable): AsyncGenerator<Buffer> {
  const it = src[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const first = await it.next();
  if (first.done) return;
  const head = typeof first.value === 'string' ? Buffer.from(first.value) : first.value;
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield typeof n.value === 'string' ? Buffer.from(n.value) : n.value;
    }
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = pipeline(Readable.from(all()), createGunzip(), () => undefined);
    yield* gunzip as AsyncIterable<Buffer>;
  } else yield* all();
}

async function writeCsv(agg: FingerprintAggregator, output: string | NodeJS.WritableStream): Promise<number> {
  let tmp: string | undefined;
  let out: NodeJS.WritableStream;
  if (typeof output === 'string') {
    fs.mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
    tmp = `${output}.tmp-${process.pid}`;
    out = fs.createWriteStream(tmp);
  } else out = output;
  let n = 0;
  try {
    let pending = CSV_HEADER + '\n';
    const iso = new IsoCache();
    for (const row of agg.rows()) {
      pending += csvLine(row, iso);
      n++;
      if (pending.length > 1 << 16) {
        if (!out.write(pending)) await once(out, 'drain');
        pending = '';
      }
    }
    if (tmp) {
      out.end(pending);
      await once(out, 'finish');
      fs.renameSync(tmp, output as string);
    } else if (pending && !out.write(pending)) await once(out, 'drain');
  } catch (err) {
    if (tmp) fs.rmSync(tmp, { force: true });
    throw err;
  }
  return n;
}
