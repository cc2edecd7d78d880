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
 * Draws the stage bars on a stream (stderr). On a TTY the block is redrawn in place; otherwise a
 * line is printed only when a stage changes state, so logs stay readable.
 */
export class ProgressRenderer {
  private drawn = 0;
  private lastStates = '';

  constructor(private readonly out: NodeJS.WriteStream | NodeJS.WritableStream = process.stderr) {}

  private get tty(): boolean {
    return Boolean((this.out as NodeJS.WriteStream).isTTY);
  }

  update(stages: readonly StageState[]): void {
    const lines = renderStages(stages);
    if (this.tty) {
      const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
      this.out.write(up + lines.map((l) => `\x1b[2K${l}\n`).join(''));
      this.drawn = lines.length;
      return;
    }
    const states = stages.map((s) => `${s.stage}:${s.state}`).join(',');
    if (states !== this.lastStates) {
      this.lastStates = states;
      this.out.write(lines.join('\n') + '\n');
    }
  }
}
