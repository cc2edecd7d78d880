import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { StageState } from '../../src/jobs/follow.js';
import { ProgressRenderer } from '../../src/jobs/index.js';
import { ProgressLog } from '../../src/util/progress-log.js';

/** A stream that records what is written; `tty` makes it look like a terminal. */
function sink(tty: boolean): { out: NodeJS.WritableStream; text: () => string } {
  const s = new PassThrough();
  const chunks: string[] = [];
  s.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  if (tty) Object.assign(s, { isTTY: true });
  return { out: s, text: () => chunks.join('') };
}

/** A clock the test advances. */
function clock(): { now: () => number; tick: (ms: number) => void } {
  let t = 0;
  return { now: () => t, tick: (ms) => void (t += ms) };
}

describe('progress for logs (issue #19 item 4)', () => {
  it('not a TTY: one line per new stage or per 10 s, each ending in a newline', () => {
    const s = sink(false);
    const c = clock();
    const log = new ProgressLog(s.out, { now: c.now });
    // 10,000 updates over 100 simulated seconds, in two interleaved stages then a third.
    for (let i = 0; i < 10_000; i++) {
      c.tick(10);
      const stage = i < 6_000 ? (i % 2 === 0 ? 'a.csv validate' : 'a.csv write') : 'b.csv write';
      log.update(stage, `${stage}: ${i} rows`);
    }
    log.end();
    const text = s.text();
    expect(text).not.toContain('\r');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.split('\n').slice(0, -1);
    // 3 stage starts + at most one line per 10 s of the 100 s.
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.length).toBeLessThanOrEqual(3 + 10);
    expect(lines.slice(0, 2)).toEqual(['a.csv validate: 0 rows', 'a.csv write: 1 rows']);
  });

  it('a TTY keeps its redrawn line', () => {
    const s = sink(true);
    const c = clock();
    const log = new ProgressLog(s.out, { now: c.now });
    for (let i = 0; i < 100; i++) {
      c.tick(100);
      log.update('x', `x: ${i}`);
    }
    log.end();
    expect(s.text().startsWith('\rx: 0   ')).toBe(true);
    expect(s.text().split('\r').length - 1).toBe(1 + Math.floor((100 * 100 - 100) / 500));
    expect(s.text().endsWith('\n')).toBe(true);
  });

  it('run’s stage block: on a log, a line per state change and one per 10 s; on a TTY, the block redrawn', () => {
    const stages = (ingest: StageState['state'], pct: number): StageState[] => [
      { stage: 'ingest', state: ingest, percent: pct, detail: `${pct}%` },
      { stage: 'finalize', state: 'pending', percent: 0, detail: 'drop ledger' },
      { stage: 'detect', state: 'pending', percent: 0, detail: 'run' },
      { stage: 'export', state: 'pending', percent: 0, detail: 'cluster lists' },
    ];
    const s = sink(false);
    const c = clock();
    const bars = new ProgressRenderer(s.out, { now: c.now });
    for (let i = 0; i < 1_000; i++) {
      c.tick(300); // the follower's poll interval; 300 s in all
      bars.update(stages(i < 999 ? 'active' : 'done', Math.floor(i / 10)));
    }
    const lines = s.text().split('\n').slice(0, -1);
    // First poll: all four stages; then one line per 10 s (30); then ingest done.
    expect(lines.length).toBeLessThanOrEqual(4 + 30 + 1);
    expect(lines.filter((l) => l.startsWith('ingest')).at(-1)).toMatch(/done/);
    expect(s.text()).not.toContain('\x1b');

    const t = sink(true);
    const live = new ProgressRenderer(t.out);
    live.update(stages('active', 10));
    live.update(stages('active', 20));
    expect(t.text()).toContain('\x1b[4A');
  });
});
