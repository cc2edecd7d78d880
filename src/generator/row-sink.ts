/**
 * A streaming CSV/NDJSON file writer for the generator: plain or gzip, with backpressure, and an
 * optional shuffle buffer so consecutive rows of one account are interleaved with other accounts'
 * rows (row order then says nothing about who wrote what).
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { once } from 'node:events';
import type { Rng } from './prng.js';

const CHUNK = 1 << 20;

export class RowSink {
  private readonly out: NodeJS.WritableStream;
  private readonly file: fs.WriteStream;
  private pending: string[] = [];
  private pendingChars = 0;
  private readonly buffer: string[] = [];
  rows = 0;

  constructor(
    readonly path: string,
    opts: { gzip: boolean; header?: string; shuffleWindow?: number; rng?: Rng },
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
    if (opts.header !== undefined) this.emit(opts.header);
  }

  private readonly window: number;
  private readonly rng: Rng | undefined;

  /** Add one line (without the newline). */
  push(line: string): void {
    this.rows++;
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

  /** Flush the shuffle buffer (in random order) and close the file. */
  async close(): Promise<void> {
    if (this.rng) this.rng.shuffle(this.buffer);
    for (const line of this.buffer) this.emit(line);
    this.buffer.length = 0;
    await this.drain(true);
    const finished = once(this.file, 'finish');
    this.out.end();
    await finished;
  }
}
