#!/usr/bin/env node
// What network coherence costs at 70k accounts (`mixed`, seed 1, the quality section's drop):
// projection time with and without it (alternating rounds in one process, so machine load hits both),
// candidate pairs (rows of the pair index) and the extra structures it holds: the SharedIndex (two
// Int32 per shared payment/prompt membership, then a CSR copy) and one byte per network band pair.
// Run by the robustness section of `npm run bench`; no Neo4j needed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(ROOT, 'dist', p));
const { readDropAsLinkageInput } = await dist('loaders/index.js');
const { project, identifierBits, PROJECTION_DEFAULTS } = await dist('graph/index.js');
const { generate } = await dist('generator/index.js');

const n = Number(process.env.BENCH_COST_ACCOUNTS ?? 70000);
const dir = path.join(ROOT, '.ringscope', 'bench-data', `mixed-${n}`);
if (!fs.existsSync(path.join(dir, 'truth.csv'))) {
  fs.rmSync(dir, { recursive: true, force: true });
  await generate({ scenario: 'mixed', accounts: n, seed: 1, out: dir });
}
const input = await readDropAsLinkageInput(path.join(dir, 'drop'));
const N = new Set([...input.accounts.keys()]).size;
// Sizes of what coherence adds, from the input (the same rules as the projection: d ≥ 2, bits ≥ 1).
let held = 0;
let bandPairs = 0;
const k = PROJECTION_DEFAULTS.neighbours;
for (const g of input.identifiers) {
  const d = new Set(g.members.map((m) => m.account)).size;
  if (d < 2) continue;
  const m = g.kind === 'prompt' ? PROJECTION_DEFAULTS.m[g.fpKind ?? 'template'] : PROJECTION_DEFAULTS.m[g.kind];
  if (!(identifierBits(m, N, d) >= PROJECTION_DEFAULTS.minIdentifierBits)) continue;
  if (g.kind === 'payment' || g.kind === 'prompt') held += d;
  else bandPairs += d <= 2 * k + 1 ? (d * (d - 1)) / 2 : k * d - (k * (k + 1)) / 2;
}
const rounds = [];
for (let r = 0; r < 2; r++) {
  for (const coherence of r === 0 ? [true, false] : [false, true]) {
    globalThis.gc?.();
    const t = performance.now();
    const g = project(input, { seed: 42, coherence });
    rounds.push({ coherence, seconds: +((performance.now() - t) / 1000).toFixed(2), candidatePairs: g.stats.candidatePairs, edges: g.edgeCount });
  }
}
const mean = (c) => +(rounds.filter((x) => x.coherence === c).reduce((s, x) => s + x.seconds, 0) / 2).toFixed(2);
const on = rounds.find((x) => x.coherence);
const off = rounds.find((x) => !x.coherence);
const raw = {
  accounts: N,
  secondsWith: mean(true),
  secondsWithout: mean(false),
  candidatePairsWith: on.candidatePairs,
  candidatePairsWithout: off.candidatePairs,
  edgesWith: on.edges,
  edgesWithout: off.edges,
  sharedMemberships: held,
  sharedIndexBytes: held * 8 * 2,
  networkBandPairs: bandPairs,
  flagBytes: bandPairs,
  rounds,
};
fs.mkdirSync(path.join(ROOT, 'bench-out'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench-out', 'coherence-cost.json'), JSON.stringify(shape(raw, new Date().toISOString()), null, 2));
console.error(`[bench-coherence-cost] ${JSON.stringify(raw)}`);

/** The {command, summary, tables} shape BENCHMARKS.md renders. */
export function shape(r, measuredAt) {
  const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;
  return {
    command: 'npm run bench coherence-cost',
    measuredAt,
    summary: `Projection of the 70k \`mixed\` drop (seed 1) with and without network coherence, two alternating rounds each in one process (machine load hits both). Coherence adds a shared-card/prompt index (${r.sharedMemberships} memberships, ${mb(r.sharedIndexBytes)} with its CSR copy) and one byte per network band pair (${r.networkBandPairs} pairs, ${mb(r.flagBytes)}); the k·d band is enumerated twice, never widened.`,
    tables: [
      {
        title: 'Cost at 70k accounts',
        headers: ['', 'with coherence', 'without'],
        rows: [
          ['projection seconds (mean of 2)', r.secondsWith, r.secondsWithout],
          ['candidate pairs', r.candidatePairsWith, r.candidatePairsWithout],
          ['links kept', r.edgesWith, r.edgesWithout],
        ],
      },
    ],
    raw: r,
  };
}
