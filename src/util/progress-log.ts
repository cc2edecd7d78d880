/**
 * Progress on stderr that suits both a terminal and a log file. On a TTY the status line is redrawn
 * in place (`\r`), at most every `ttyIntervalMs`, or printed as lines (`ttyMode: 'lines'`). When the
 * stream is not a TTY (a nightly job's log), a line is printed only when a stage starts or
 * `intervalMs` has passed since the last line, each ending in a newline, so a log holds one line per
 * stage plus one per interval however many updates there are. (Stages may interleave, e.g. ingest
 * validates the next file while it writes the current one: only a stage's first update counts as a
 * change.)
 */
export interface ProgressLogOptions {
  /** Not a TTY: least time between two lines, except a stage's first. @defaultValue 10_000 */
  readonly intervalMs: number;
  /** TTY: least time between two redraws, except a stage's first. @defaultValue 500 */
  readonly ttyIntervalMs: number;
  /** TTY: redraw one line in place, or print lines. @defaultValue 'redraw' */
  readonly ttyMode: 'redraw' | 'lines';
  /** Clock (ms). @defaultValue Date.now */
  readonly now: () => number;
}

export const PROGRESS_LOG_DEFAULTS: ProgressLogOptions = { intervalMs: 10_000, ttyIntervalMs: 500, ttyMode: 'redraw', now: Date.now };

/** Whether a stream is an interactive terminal. */
export function isTty(out: NodeJS.WritableStream): boolean {
  return Boolean((out as NodeJS.WriteStream).isTTY);
}

export class ProgressLog {
  private readonly o: ProgressLogOptions;
  private readonly stages = new Set<string>();
  private readonly finished = new Set<string>();
  private last = -Infinity;
  /** A `\r` line is open on the terminal (the next line must start on a new one). */
  private open = false;

  constructor(
    private readonly out: NodeJS.WritableStream = process.stderr,
    options: Partial<ProgressLogOptions> = {},
  ) {
    this.o = { ...PROGRESS_LOG_DEFAULTS, ...options };
  }

  /**
   * The status of `stage` is `text`; printed when the stage is new or the interval has passed, or
   * with `final` (a stage's last update, at most once per stage).
   */
  update(stage: string, text: string, final = false): void {
    const now = this.o.now();
    const tty = isTty(this.out);
    const due = !this.stages.has(stage) || now - this.last >= (tty ? this.o.ttyIntervalMs : this.o.intervalMs) || (final && !this.finished.has(stage));
    if (final) this.finished.add(stage);
    if (!due) return;
    this.stages.add(stage);
    this.last = now;
    if (tty && this.o.ttyMode === 'redraw') {
      this.out.write(`\r${text}   `);
      this.open = true;
    } else this.out.write(`${text}\n`);
  }

  /** A line of its own (a message, a summary), always printed. */
  line(text: string): void {
    this.end();
    this.out.write(`${text}\n`);
  }

  /** Close the live terminal line, if one is open. */
  end(): void {
    if (this.open) this.out.write('\n');
    this.open = false;
  }
}
