#!/usr/bin/env node
// `ringscope query` row cap and memory (issue #22): a 10M-row result read through the real CLI in
// every format, at the default cap and at the largest `--limit`. The CLI prints its peak RSS
// (process.resourceUsage().maxRSS) on a debug line; this script records it and the wall time.
// Writes bench-out/query.json for BENCHMARKS.md.
//
//   node scripts/with-services.mjs --instance bench -- node scripts/bench-query.mjs
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'ringscope.mjs');
const ROWS = 10_000_000;
const CYPHER = `UNWIND range(1, ${ROWS}) AS i RETURN i`;

function run(format, limit) {
  const args = [CLI, 'query', '--cypher', CYPHER, '--format', format, ...(limit ? ['--limit', String(limit)] : [])];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'debug' }, encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`query --format ${format} exited ${r.status}: ${r.stderr}`);
  const rss = Number(/debug: maxRSS (\d+) KiB/.exec(r.stderr)?.[1]);
  return {
    format,
    limit: limit ?? 10_000,
    notice: /^notice: stopped at the row cap/m.test(r.stderr),
    stdoutBytes: Buffer.byteLength(r.stdout),
    peakRssMiB: Math.round((rss / 1024) * 10) / 10,
    seconds: Math.round(seconds * 10) / 10,
  };
}

const runs = [run('table'), run('csv'), run('json'), run('csv', 1_000_000), run('json', 1_000_000)];
const result = {
  command: 'npm run bench query',
  measuredAt: new Date().toISOString(),
  summary:
    `\`ringscope query --cypher '${CYPHER}'\` (a ${ROWS.toLocaleString('en')}-row result) through the real CLI: the result is streamed and the stream stopped at the row cap, ` +
    'so peak memory follows the cap, not the result (issue #22 had measured 3.2 GB RSS when every record was read before the slice). Single runs; the peak RSS is the CLI process (Neo4j runs in its own JVM).',
  tables: [
    {
      title: 'Row cap: peak RSS of the CLI process',
      headers: ['format', '--limit', 'notice on stderr', 'stdout bytes', 'peak RSS MiB', 'wall s'],
      rows: runs.map((r) => [r.format, r.limit, r.notice ? 'yes' : 'no', r.stdoutBytes, r.peakRssMiB, r.seconds]),
    },
  ],
  raw: runs,
};
fs.mkdirSync(path.join(ROOT, 'bench-out'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench-out', 'query.json'), JSON.stringify(result, null, 2) + '\n');
console.error(`[bench-query] ${runs.map((r) => `${r.format}/${r.limit}: ${r.peakRssMiB} MiB, ${r.seconds} s`).join('; ')}`);
