#!/usr/bin/env node
// Quality: ringscope against the three peer baselines on the same generated scenario, scored by the
// same `evaluate`. Scenario and size: BENCH_QUALITY_SCENARIO (default mixed), BENCH_QUALITY_ACCOUNTS
// (default 70000), seed 1. The drop is read once with readDropAsLinkageInput (the loaders' validation
// and merge rules, no Neo4j) and every method runs on that same input; ringscope runs runDetection,
// the pure core that `ringscope detect` runs after reading the same input from Neo4j.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(ROOT, 'dist', p));
const { readDropAsLinkageInput } = await dist('loaders/index.js');
const { runDetection } = await dist('graph/index.js');
const { BASELINES } = await dist('baselines/index.js');
const { evaluate, readTruthCsv, clusterPredictions } = await dist('evaluate/index.js');
const { generate } = await dist('generator/index.js');

const scenario = process.env.BENCH_QUALITY_SCENARIO ?? 'mixed';
const n = Number(process.env.BENCH_QUALITY_ACCOUNTS ?? 70000);
const dir = path.join(ROOT, '.ringscope', 'bench-data', `${scenario}-${n}`);
if (!fs.existsSync(path.join(dir, 'truth.csv'))) {
  fs.rmSync(dir, { recursive: true, force: true });
  await generate({ scenario, accounts: n, seed: 1, out: dir });
}
const truth = await readTruthCsv(path.join(dir, 'truth.csv'));
let t = performance.now();
const input = await readDropAsLinkageInput(path.join(dir, 'drop'));
console.error(`[bench-quality] read ${((performance.now() - t) / 1000).toFixed(1)} s`);

const methods = [
  [
    'ringscope',
    async () => {
      const res = await runDetection(input, { seed: 42 });
      return clusterPredictions(res.clusters);
    },
  ],
];
for (const [name, fn] of BASELINES) methods.push([name, async () => fn(input, { seed: 42 })]);

const results = [];
for (const [name, run] of methods) {
  t = performance.now();
  const preds = await run();
  const seconds = (performance.now() - t) / 1000;
  const review = evaluate(truth, preds, { minRecommendation: 'review' });
  const enforce = evaluate(truth, preds, { minRecommendation: 'enforce' });
  const legit = Object.fromEntries(review.legitFlagged.map((c) => [c.label, { enforce: c.enforce, review: c.review }]));
  results.push({
    method: name,
    seconds: +seconds.toFixed(1),
    review: review.scores,
    enforce: enforce.scores,
    ringTypes: review.ringTypes,
    legit,
    purity: { ...review.purity, clusters: review.purity.clusters.slice(0, 5) },
  });
  console.error(`[bench-quality] ${name}: F1 ${review.scores.f1.toFixed(3)} in ${seconds.toFixed(1)} s`);
}

const pct = (x) => `${(100 * x).toFixed(1)}%`;
const f = (x) => x.toFixed(3);
const types = [...new Set(results.flatMap((r) => r.ringTypes.map((t) => t.type)))].sort();
const legitLabels = [...new Set(results.flatMap((r) => Object.keys(r.legit)))].sort();
const out = {
  command: `BENCH_QUALITY_SCENARIO=${scenario} BENCH_QUALITY_ACCOUNTS=${n} npm run bench quality`,
  measuredAt: new Date().toISOString(),
  summary: `Scenario \`${scenario}\`, ${n} accounts, seed 1 (${truth.filter((r) => r.label === 'ring').length} ring accounts). Account-level scores; "flagged" = recommendation ≥ the level. Baselines flag every cluster of ≥ 2 accounts as \`review\` and never \`enforce\`.`,
  tables: [
    {
      title: 'Account-level precision / recall / F1',
      headers: ['method', 'P (≥review)', 'R (≥review)', 'F1 (≥review)', 'P (enforce)', 'R (enforce)', 'F1 (enforce)', 'seconds'],
      rows: results.map((r) => [
        r.method,
        f(r.review.precision),
        f(r.review.recall),
        f(r.review.f1),
        f(r.enforce.precision),
        f(r.enforce.recall),
        f(r.enforce.f1),
        r.seconds,
      ]),
    },
    {
      title: 'Recall per ring type (≥ review)',
      headers: ['method', ...types],
      rows: results.map((r) => [r.method, ...types.map((t) => pct(r.ringTypes.find((x) => x.type === t)?.recall ?? 0))]),
    },
    {
      title: 'Share of each legitimate category flagged ≥ review (enforce in brackets)',
      headers: ['method', ...legitLabels],
      rows: results.map((r) => [r.method, ...legitLabels.map((l) => `${pct(r.legit[l]?.review ?? 0)} (${pct(r.legit[l]?.enforce ?? 0)})`)]),
    },
  ],
  notes: [
    `machine load average at the end: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  ],
  raw: results,
};
fs.mkdirSync(path.join(ROOT, 'bench-out'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench-out', 'quality.json'), JSON.stringify(out, null, 2));
console.error('[bench-quality] wrote bench-out/quality.json');
