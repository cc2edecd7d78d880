#!/usr/bin/env node
// `npm run bench [section...]`: runs the benchmark sections against the real services (started by
// with-services.mjs) and rewrites BENCHMARKS.md from their JSON results in bench-out/.
// Sections: ingest, ingest-profile, ingest-dbhits, ingest-paths, ingest-client, fingerprint, detect, quality, seeds, robustness, nightly, nightly-quality, pipeline, workers, query. With no argument, all of
// them run but `workers`, which measures the store `detect` leaves behind (see bench-workers.mjs).
// A section's result file is kept between runs, so `npm run bench detect` refreshes one section
// and BENCHMARKS.md still shows the others (each with the date it was measured).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'bench-out');
const SECTIONS = [
  { name: 'ingest', script: 'scripts/bench-ingest.mjs', title: 'Ingest: ringscope vs LOAD CSV' },
  // Profiles one ingest (JFR on the Neo4j JVM): run on its own, `npm run bench ingest-profile`.
  { name: 'ingest-profile', script: 'scripts/profile-ingest.mjs', title: 'Ingest: where the time goes', explicit: true },
  // PROFILE db hits per row of both loaders: `npm run bench ingest-dbhits`.
  { name: 'ingest-dbhits', script: 'scripts/profile-ingest-dbhits.mjs', title: 'Ingest: storage work per row (PROFILE db hits)', explicit: true },
  // LOAD CSV, the Cypher write path and the ingest procedure on a warm JVM: `npm run bench ingest-paths`.
  { name: 'ingest-paths', script: 'scripts/profile-ingest-paths.mjs', title: 'Ingest: write paths on a warm JVM', explicit: true },
  // Client CPU per row and Bolt parameter cost: `npm run bench ingest-client`.
  { name: 'ingest-client', script: 'scripts/profile-ingest-client.mjs', title: 'Ingest: client CPU per row and Bolt parameters', explicit: true },
  { name: 'fingerprint', script: 'scripts/bench-fingerprint.mjs', title: 'Prompt fingerprinting throughput' },
  { name: 'detect', script: 'scripts/bench-detect.mjs', title: 'Detection scaling (projection + communities + scoring + write-back)' },
  { name: 'quality', script: 'scripts/bench-quality.mjs', title: 'Quality: ringscope vs peer baselines' },
  { name: 'seeds', script: 'scripts/bench-seeds.mjs', title: 'Quality on unseen seeds and single ring types' },
  { name: 'robustness', script: 'scripts/bench-robustness.mjs', title: 'Robustness: quality over worlds drawn from the documented ranges' },
  { name: 'coherence-cost', script: 'scripts/bench-coherence-cost.mjs', title: 'What network coherence costs at 70k accounts', explicit: true },
  { name: 'nightly', script: 'scripts/bench-nightly.mjs', title: 'Nightly: incremental vs full' },
  { name: 'nightly-quality', script: 'scripts/bench-nightly-quality.mjs', title: 'Nightly quality: a chain of incremental runs vs full runs' },
  { name: 'pipeline', script: 'scripts/bench-pipeline.mjs', title: 'End to end through the BullMQ pipeline' },
  // Runs on the store the detect section left (the largest size): not part of a run of every section.
  { name: 'workers', script: 'scripts/bench-workers.mjs', title: 'Fan-out: detection with 1 vs 2 worker processes at the largest size', explicit: true },
  { name: 'query', script: 'scripts/bench-query.mjs', title: '`ringscope query` row cap and memory' },
  // The soak runs separately (`npm run soak`); its last figures are shown here.
  { name: 'soak', script: undefined, title: 'Soak: the nightly pipeline run repeatedly' },
];

const wanted = process.argv.slice(2);
fs.mkdirSync(OUT, { recursive: true });
let failed = false;
for (const s of SECTIONS) {
  if (wanted.length ? !wanted.includes(s.name) : s.explicit) continue;
  if (!s.script) continue;
  if (!fs.existsSync(path.join(ROOT, s.script))) {
    console.error(`[bench] ${s.name}: ${s.script} does not exist, skipped`);
    continue;
  }
  console.error(`[bench] ${s.name}: node ${s.script}`);
  // A 64 MB semi-space promotes fewer short-lived objects into a multi-GB old generation. Its effect
  // was within run-to-run noise over four 1M-account detections (projection 121–145 s with or
  // without it), so the figures in BENCHMARKS.md state it rather than credit it.
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', '--max-semi-space-size=64', s.script], { cwd: ROOT, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`[bench] ${s.name} failed (${r.status ?? r.signal})`);
    failed = true;
  }
}

function versions() {
  const pkg = (name) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return '?';
    }
  };
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const redis = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return {
    node: process.version,
    java: (java.stderr || '').split('\n')[0],
    redis: (redis.stdout || '').trim().split(' ').slice(0, 3).join(' '),
    neo4j: '5.26.30 Community (embedded launcher, neo4j-launcher/pom.xml)',
    'neo4j-driver': pkg('neo4j-driver'),
    bullmq: pkg('bullmq'),
    graphology: pkg('graphology'),
    'graphology-communities-louvain': pkg('graphology-communities-louvain'),
  };
}

// bench-fingerprint.mjs writes its raw measurement; give it the common {summary, tables} shape.
function adapt(name, r) {
  if (name !== 'fingerprint' || r.tables || r.table) return r;
  const row = (label, m) => [label, m.promptsPerCpuSecond, m.promptsPerWallSecond, m.cpuSeconds];
  const e2eRow = (label, m) => [...row(label, m), m.rows, m.rowsPerPrompt ?? +(m.rows / r.prompts).toFixed(2)];
  const sc = r.scaffoldParams;
  return {
    command: 'npm run bench:fingerprint',
    summary: `${r.prompts} prompts of ~${r.avgPromptBytes} bytes, one thread (shingle ${r.params.shingle}, ${r.params.bands} bands × ${r.params.rows} rows${sc ? `; scaffold: ${sc.shingle}-word shingles, window ${sc.window}, spans ${sc.head} + ${sc.tail} tokens, ≤ ${sc.max} ids` : ''}), load average ${r.loadAverage1m} on ${r.cores} cores. Target ≥ 20,000 prompts/s on one core.${r.slowdown ? ` End to end with scaffold ids: ×${r.slowdown} the CPU time and ×${r.rowsRatio} the rows of the same log without them (goal ≤ 1.5× and ≤ 2×), best of 2 alternating rounds each.` : ''}`,
    tables: [
      {
        title: 'Throughput',
        headers: ['path', 'prompts per CPU-second', 'prompts per wall-second', 'CPU s', 'rows', 'rows per prompt'],
        rows: [
          [...row('fingerprinting core, unkeyed', r.coreUnkeyed), '', ''],
          [...row('fingerprinting core, HMAC-keyed', r.coreKeyed), '', ''],
          e2eRow('end to end: gz NDJSON → aggregated CSV', r.endToEnd),
          ...(r.endToEndWithoutScaffold ? [e2eRow('end to end, without scaffold ids (before issue #17)', r.endToEndWithoutScaffold)] : []),
        ],
      },
      {
        title: 'Measured band collisions',
        headers: ['pairs', 'count', 'share sharing ≥ 1 band'],
        rows: [
          ...Object.entries(r.collisions.related).map(([k, v]) => [
            `same template, ${k.replace('_', ' ')}`,
            v.pairs,
            `${(100 * v.bandCollisionRate).toFixed(2)}%`,
          ]),
          ['unrelated prompts', r.collisions.unrelated.pairs, `${(100 * r.collisions.unrelated.bandCollisionRate).toFixed(3)}%`],
        ],
      },
      ...(r.scaffold
        ? [
            {
              title: 'Scaffold templates (25 templates × 40 prompts + 2,000 organic prompts; ≥ 1 own fingerprint shared, system prompt left out)',
              headers: ['seed', 'synonym rate', 'same-template pairs', 'share', 'unrelated pairs', 'share', 'scaffold ids per templated prompt'],
              rows: r.scaffold.map((x) => [
                x.seed,
                x.synonyms,
                x.samePairs,
                `${(100 * x.sameTemplateRate).toFixed(2)}%`,
                x.unrelatedPairs,
                `${(100 * x.unrelatedRate).toFixed(3)}%`,
                x.scaffoldIdsPerTemplatedPrompt,
              ]),
            },
          ]
        : []),
    ],
    notes: [
      '`npm run bench:fingerprint` writes bench-out/fingerprint.json; `npm run bench fingerprint` also rewrites this file from it (as does `node scripts/bench.mjs none`, which runs no section).',
      'Rates per CPU-second of the process are the fairer figure on a shared machine; at a high load average the wall-clock rates say little.',
    ],
    raw: r,
  };
}

function renderTable(t) {
  const lines = [`| ${t.headers.join(' | ')} |`, `|${t.headers.map(() => '---').join('|')}|`];
  for (const row of t.rows) lines.push(`| ${row.map((c) => String(c)).join(' | ')} |`);
  return lines.join('\n');
}

const md = [];
md.push('# Benchmarks', '');
md.push('Written by `npm run bench` (all sections) or `npm run bench <section>` (one section; the others keep their last figures).');
md.push('Every figure below was measured by the command shown, on the machine described. Timing lives here, never in tests.', '');
md.push('## Machine', '');
md.push(`- ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}`);
for (const [k, v] of Object.entries(versions())) md.push(`- ${k}: ${v}`);
md.push('');
for (const s of SECTIONS) {
  const file = path.join(OUT, `${s.name}.json`);
  md.push(`## ${s.title}`, '');
  if (!fs.existsSync(file)) {
    md.push('_Not measured yet._', '');
    continue;
  }
  const r = adapt(s.name, JSON.parse(fs.readFileSync(file, 'utf8')));
  md.push(`Command: \`${r.command ?? `npm run bench ${s.name}`}\`${r.measuredAt ? ` — measured ${r.measuredAt}` : ''}`, '');
  if (r.summary) md.push(r.summary, '');
  for (const t of r.tables ?? (r.table ? [r.table] : [])) {
    if (t.title) md.push(`**${t.title}**`, '');
    md.push(renderTable(t), '');
  }
  for (const n of r.notes ?? []) md.push(`- ${n}`);
  md.push('', '<details><summary>Raw figures</summary>', '', '```json', JSON.stringify(r.raw ?? r, null, 2), '```', '</details>', '');
}
fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), md.join('\n'));
console.error('[bench] wrote BENCHMARKS.md');
process.exit(failed ? 1 : 0);
