import { isTty, PROGRESS_LOG_DEFAULTS } from '../util/progress-log.js';
import type { StageState } from './follow.js';

const WIDTH = 24;

/** One text line per stage: `ingest   [██████░░░░] 60%  3/5 files`. */
export function renderStages(stages: readonly StageState[]): string[] {
  return stages.map((s) => {
    const filled = Math.round((s.percent / 100) * WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
    const mark = s.state === 'failed' ? ' FAILED' : s.state === 'done' ? ' done' : s.state === 'active' ? '' : ' waiting';
    return `${s.stage.padEnd(8)} [${bar}] ${String(s.percent).padStart(3)}%${mark}  ${s.detail}`;
  });
}

/**
 * Draws the stage bars on a stream (stderr). On a TTY the block is redrawn in place. Otherwise (a
 * log file) one line is printed per stage that changes state, and one line for the active stages at
 * most every `intervalMs` (src/util/progress-log.ts), each ending in a newline.
 */
export class ProgressRenderer {
  private drawn = 0;
  private readonly states = new Map<string, string>();
  private last = -Infinity;

  constructor(
    private readonly out: NodeJS.WriteStream | NodeJS.WritableStream = process.stderr,
    private readonly options: { readonly intervalMs?: number; readonly now?: () => number } = {},
  ) {}

  update(stages: readonly StageState[]): void {
    const lines = renderStages(stages);
    if (isTty(this.out)) {
      const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
      this.out.write(up + lines.map((l) => `\x1b[2K${l}\n`).join(''));
      this.drawn = lines.length;
      return;
    }
    const now = (this.options.now ?? PROGRESS_LOG_DEFAULTS.now)();
    const changed = stages.flatMap((s, i) => (this.states.get(s.stage) === s.state ? [] : [lines[i]!]));
    for (const s of stages) this.states.set(s.stage, s.state);
    if (changed.length > 0) {
      this.last = now;
      this.out.write(changed.map((l) => `${l}\n`).join(''));
      return;
    }
    const active = stages.flatMap((s, i) => (s.state === 'active' ? [lines[i]!.replace(/ {2,}/g, ' ')] : []));
    if (active.length > 0 && now - this.last >= (this.options.intervalMs ?? PROGRESS_LOG_DEFAULTS.intervalMs)) {
      this.last = now;
      this.out.write(`${active.join(' | ')}\n`);
    }
  }
}
