/**
 * A streaming CSV/NDJSON file writer for the generator: plain or gzip, with backpressure, and an
 * optional shuffle so the file comes in exporter order: one account's rows spread over the whole
 * file, not next to each other (an export sorted by time or by an internal row id interleaves every
 * account), so row order says nothing about who wrote what.
 *
 * `shuffle: 'file'` is a uniform shuffle of the whole file in bounded memory: each line goes to one
 * of `SPILL_BUCKETS` temporary bucket files drawn at random, and on close each bucket is read back,
 * shuffled in memory and written out (a random bucket assignment followed by a uniform shuffle of
 * each bucket is a uniform permutation). `shuffleWindow` is the older, local shuffle (a buffer of
 * that many lines), kept for raw prompt logs.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { once } from 'node:events';
import type { Rng } from './prng.js';

const CHUNK = 1 << 20;
/** Bucket files of a whole-file shuffle: a 1M-account activity file (~19M lines) reads back ~12 MB a bucket. */
const SPILL_BUCKETS = 64;

export class RowSink {
  private readonly out: NodeJS.WritableStream;
  private readonly file: fs.WriteStream;
  private pending: string[] = [];
  private pendingChars = 0;
  private readonly buffer: string[] = [];
  rows = 0;

  constructor(
    readonly path: string,
    opts: { gzip: boolean; header?: string; shuffleWindow?: number; shuffle?: 'file'; rng?: Rng },
  ) {
    this.file = fs.createWriteStream(path);
    if (opts.gzip) {
      const gz = zlib.createGzip({ level: 6 });
      gz.pipe(this.file);
      this.out = gz;
    } else {
      this.out = this.file;
    }
    this.window = opts.shuffleWindow ?? 0;
    this.rng = opts.rng;
    if (opts.shuffle === 'file') {
      if (!opts.rng) throw new RangeError('a whole-file shuffle needs an rng');
      this.spill = Array.from({ length: SPILL_BUCKETS }, () => []);
    }
    if (opts.header !== undefined) this.emit(opts.header);
  }

  /** Whole-file shuffle: lines waiting for their bucket file, per bucket. */
  private readonly spill: string[][] | undefined;
  private spillChars = 0;
  private spillFd: number[] | undefined;

  private readonly window: number;
  private readonly rng: Rng | undefined;

  /** Add one line (without the newline). */
  push(line: string): void {
    this.rows++;
    if (this.spill) {
      this.spill[this.rng!.int(SPILL_BUCKETS)]!.push(line);
      this.spillChars += line.length + 1;
      if (this.spillChars >= 4 * CHUNK) this.flushSpill();
      return;
    }
    if (this.window <= 1 || !this.rng) {
      this.emit(line);
      return;
    }
    if (this.buffer.length < this.window) {
      this.buffer.push(line);
      return;
    }
    const i = this.rng.int(this.buffer.length);
    this.emit(this.buffer[i]!);
    this.buffer[i] = line;
  }

  private emit(line: string): void {
    this.pending.push(line, '\n');
    this.pendingChars += line.length + 1;
  }

  /** Write out what has accumulated once it is large enough; waits on backpressure. */
  async drain(force = false): Promise<void> {
    if (this.pendingChars === 0 || (!force && this.pendingChars < CHUNK)) return;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  private spillPath(b: number): string {
    return `${this.path}.shuffle-${b}.tmp`;
  }

  private flushSpill(): void {
    this.spillFd ??= this.spill!.map((_, b) => fs.openSync(this.spillPath(b), 'w'));
    this.spill!.forEach((lines, b) => {
      if (lines.length > 0) fs.writeSync(this.spillFd![b]!, lines.join('\n') + '\n');
      lines.length = 0;
    });
    this.spillChars = 0;
  }

  /** Write out a whole-file shuffle: each bucket read back, shuffled, written; bucket files removed. */
  private async drainSpill(): Promise<void> {
    const spill = this.spill!;
    if (this.spillFd === undefined) {
      // Everything fit in memory: one shuffle of all lines.
      const all = spill.flat();
      this.rng!.shuffle(all);
      for (const line of all) this.emit(line);
      await this.drain(true);
      return;
    }
    this.flushSpill();
    for (let b = 0; b < spill.length; b++) {
      fs.closeSync(this.spillFd[b]!);
      const text = fs.readFileSync(this.spillPath(b), 'utf8');
      fs.rmSync(this.spillPath(b));
      const lines = text.length > 0 ? text.slice(0, -1).split('\n') : [];
      this.rng!.shuffle(lines);
      for (const line of lines) this.emit(line);
      await this.drain();
    }
    await this.drain(true);
  }

  /** Flush the shuffle buffer (in random order) and close the file. */
  async close(): Promise<void> {
    if (this.spill) await this.drainSpill();
    if (this.rng) this.rng.shuffle(this.buffer);
    for (const line of this.buffer) this.emit(line);
    this.buffer.length = 0;
    await this.drain(true);
    const finished = once(this.file, 'finish');
    this.out.end();
    await finished;
  }
}
