#!/usr/bin/env node
// Robustness: quality over many generated worlds, not one. Each world is the `worlds` scenario (every
// ring type, including the ring camouflaged in shared networks) with world knobs drawn by drawWorld
// from the ranges documented in docs/scenarios.md, on seeds never used while developing the scoring.
// Per world: F1 at review, recall per ring type, legitimate accounts in enforce and at ≥ review,
// for ringscope and the three peer baselines; then the minimum and median over worlds.
// Detection runs in-process on the LinkageInput that readDropAsLinkageInput builds from the drop (the
// loaders' validation and merge rules); test/e2e/drop-input-equals-neo4j.test.ts checks it equals what
// ingest + readLinkageInput give through Neo4j. BENCH_ROBUSTNESS_SEEDS (comma list), _ACCOUNTS (the
// smallest world; a world grows so that its drawn rings stay ≤ MAX_RING_SHARE of it, worldAccounts).
// Each world also reports the knobs as realised in its drop (ring sizes, users per hub exit, accounts
// per ring card, ring verified share, bystanders), so a knob that does not reach its range shows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(ROOT, 'dist', p));
const { readDropAsLinkageInput } = await dist('loaders/index.js');
const { runDetection } = await dist('graph/index.js');
const BASELINES = [...(await dist('baselines/index.js')).BASELINES];
const { evaluate, readTruthCsv, clusterPredictions } = await dist('evaluate/index.js');
const { generate, drawWorld, worldAccounts, ringTypeOf, MAX_RING_SHARE, RING_BUDGET } = await dist('generator/index.js');

// Fresh seeds: development used worlds 101–103 and 7001–7008 (7007 led to lowering identifiable customers one
// level); 8001–8012 were the sweep before ring sizes were drawn per ring (20–5,000); 9001–9012 the sweep
// whose failures (9006, 9012) led to exact prompt comparison of candidate pairs; 9101–9112 the first run
// after it, whose failures (9105, 9110, 9112) led to peeling by the strongest links and to domain
// exclusivity over the whole domain.
const DEFAULT_SEEDS = '9201,9202,9203,9204,9205,9206,9207,9208,9209,9210,9211,9212';
const seeds = (process.env.BENCH_ROBUSTNESS_SEEDS ?? DEFAULT_SEEDS).split(',').map(Number);
const baseAccounts = Number(process.env.BENCH_ROBUSTNESS_ACCOUNTS ?? 24000);
const RELEASE = '2026-02-12T17:00:00Z';
const work = path.join(ROOT, '.ringscope', 'bench-data', 'robustness');
const pct = (x) => `${(100 * x).toFixed(1)}%`;
const f3 = (x) => x.toFixed(3);

function score(truth, preds) {
  const review = evaluate(truth, preds, { minRecommendation: 'review' });
  const legitEnforce = review.legitFlagged.reduce((s, x) => s + Math.round(x.enforce * x.accounts), 0);
  const legitReview = review.legitFlagged.reduce((s, x) => s + Math.round(x.review * x.accounts), 0);
  return {
    f1: review.scores.f1,
    precision: review.scores.precision,
    recall: review.scores.recall,
    legitEnforce,
    legitReview,
    ringTypes: Object.fromEntries(review.ringTypes.map((t) => [t.type, t.recall])),
    legit: Object.fromEntries(
      review.legitFlagged
        .filter((x) => x.review > 0)
        .map((x) => [x.label, { review: Math.round(x.review * x.accounts), enforce: Math.round(x.enforce * x.accounts) }]),
    ),
  };
}

const HUB_LABELS = new Set(['legit_cgnat', 'legit_campus']);
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : 0;
};

/** The knobs as they came out in the drop: what the sweep really covered, not what was asked. */
function realised(truth, input) {
  const label = new Map(truth.map((r) => [r.accountId, r.label]));
  const group = new Map(truth.map((r) => [r.accountId, r.group]));
  const ringSizes = new Map();
  for (const r of truth) if (r.label === 'ring') ringSizes.set(r.group, (ringSizes.get(r.group) ?? 0) + 1);
  const sizes = [...ringSizes.values()];
  const exitUsers = [];
  const bystanders = new Set();
  const cardShare = [];
  for (const g of input.identifiers) {
    if (g.kind === 'ip') {
      const legit = g.members.filter((m) => label.get(m.account) !== 'ring');
      const hubUsers = legit.filter((m) => HUB_LABELS.has(label.get(m.account))).length;
      if (hubUsers >= 2) exitUsers.push(legit.length);
      else if (legit.length < g.members.length) for (const m of legit) if (label.get(m.account) === 'legit_individual') bystanders.add(m.account);
    } else if (g.kind === 'payment' && g.members.length >= 2) {
      const owners = new Set(g.members.map((m) => group.get(m.account)));
      const [only] = owners;
      if (owners.size === 1 && label.get(g.members[0].account) === 'ring' && ringTypeOf(only)) cardShare.push(g.members.length);
    }
  }
  const ringIds = truth.filter((r) => r.label === 'ring').map((r) => r.accountId);
  const verified = ringIds.filter((a) => input.accounts.get(a)?.verified === true).length;
  return {
    rings: sizes.length,
    ringSize: [Math.min(...sizes), Math.max(...sizes)],
    usersPerHubExit: [Math.min(...exitUsers), quantile(exitUsers, 0.5), Math.max(...exitUsers)],
    accountsPerRingCard: [Math.min(...cardShare), quantile(cardShare, 0.5), Math.max(...cardShare)],
    ringVerified: +(verified / ringIds.length).toFixed(2),
    bystanders: bystanders.size,
  };
}

const raw = [];
for (const seed of seeds) {
  const world = drawWorld(seed);
  const accounts = worldAccounts(world, baseAccounts);
  const dir = path.join(work, `w${seed}-${accounts}`);
  if (!fs.existsSync(path.join(dir, 'truth.csv'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    await generate({ scenario: 'worlds', accounts, seed, out: dir, world, releaseDate: RELEASE });
  }
  const truth = await readTruthCsv(path.join(dir, 'truth.csv'));
  const input = await readDropAsLinkageInput(path.join(dir, 'drop'));
  let t = performance.now();
  const res = await runDetection(input, { seed: 42, releaseDate: Date.parse(RELEASE) });
  const seconds = (performance.now() - t) / 1000;
  const methods = { ringscope: { ...score(truth, clusterPredictions(res.clusters)), seconds: +seconds.toFixed(1) } };
  for (const [name, fn] of BASELINES) methods[name] = score(truth, fn(input, { seed: 42 }));
  const ringAccounts = truth.filter((r) => r.label === 'ring').length;
  const real = realised(truth, input);
  raw.push({ seed, world, accounts, ringAccounts, realised: real, methods, coherence: res.graph.stats.coherence });
  const r = methods.ringscope;
  console.error(
    `[bench-robustness] world ${seed} (${accounts} accounts, ${real.rings} rings of ${real.ringSize.join('–')}, hub exits ${real.usersPerHubExit.join('/')} users): F1 ${f3(r.f1)} (P ${f3(r.precision)}), legit enforce ${r.legitEnforce}, review ${r.legitReview}, ` +
      `min recall ${pct(Math.min(...Object.values(r.ringTypes)))} ${JSON.stringify(r.ringTypes)} ${JSON.stringify(r.legit)} in ${r.seconds} s; baselines ${BASELINES.map(([n]) => `${n} ${f3(methods[n].f1)}`).join(', ')}`,
  );
}

const types = [...new Set(raw.flatMap((w) => Object.keys(w.methods.ringscope.ringTypes)))].sort();
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const SHORT = { hydra: 'hy', datacenter: 'dc', careful: 'ca', camouflage: 'cm', 'shared-reseller': 'sr', 'release-shift': 'rs', 'network-camouflage': 'nc' };
const knobs = (w) =>
  `exit ${w.hubExitUsers.join('–')}, card ${w.ringCardShare.join('–')}, ${w.creation}, homes ${w.proxyHomeShare}, verified ${w.ringVerified}, ${w.ringSchedule}${w.evalSurge ? ', eval surge' : ''}; rings ` +
  Object.entries(w.ringSizes)
    .map(([t, xs]) => `${SHORT[t] ?? t} ${xs.join('+')}`)
    .join(', ');
const real = (x) =>
  `rings ${x.realised.ringSize.join('–')}; users/hub exit ${x.realised.usersPerHubExit.join('/')}; accounts/ring card ${x.realised.accountsPerRingCard.join('/')}; verified ${x.realised.ringVerified}; bystanders ${x.realised.bystanders}`;
const worldRows = raw.map((w) => {
  const r = w.methods.ringscope;
  return [
    w.seed,
    knobs(w.world),
    real(w),
    w.accounts,
    w.ringAccounts,
    f3(r.f1),
    f3(r.precision),
    r.legitEnforce,
    r.legitReview,
    ...types.map((t) => (r.ringTypes[t] === undefined ? '—' : pct(r.ringTypes[t]))),
    ...BASELINES.map(([n]) => f3(w.methods[n].f1)),
  ];
});
const agg = (fn, label) => [
  label,
  '',
  '',
  fn(raw.map((w) => w.accounts)),
  fn(raw.map((w) => w.ringAccounts)),
  f3(fn(raw.map((w) => w.methods.ringscope.f1))),
  f3(fn(raw.map((w) => w.methods.ringscope.precision))),
  label === 'min' ? Math.max(...raw.map((w) => w.methods.ringscope.legitEnforce)) + ' (max)' : median(raw.map((w) => w.methods.ringscope.legitEnforce)),
  label === 'min' ? Math.max(...raw.map((w) => w.methods.ringscope.legitReview)) + ' (max)' : median(raw.map((w) => w.methods.ringscope.legitReview)),
  ...types.map((t) => pct(fn(raw.map((w) => w.methods.ringscope.ringTypes[t]).filter((x) => x !== undefined)))),
  ...BASELINES.map(([n]) => f3(fn(raw.map((w) => w.methods[n].f1)))),
];
const minOf = (xs) => Math.min(...xs);
const worst = {
  f1: minOf(raw.map((w) => w.methods.ringscope.f1)),
  legitEnforce: Math.max(...raw.map((w) => w.methods.ringscope.legitEnforce)),
  minRecall: minOf(raw.flatMap((w) => Object.values(w.methods.ringscope.ringTypes))),
  aheadOfBaselines: raw.every((w) => BASELINES.every(([n]) => w.methods.ringscope.f1 > w.methods[n].f1)),
};
const allSizes = raw.flatMap((w) => Object.values(w.world.ringSizes).flat());
const exitMax = Math.max(...raw.map((w) => w.realised.usersPerHubExit[2]));
const exitMin = Math.min(...raw.map((w) => w.realised.usersPerHubExit[0]));
const out = {
  command: `BENCH_ROBUSTNESS_SEEDS=${seeds.join(',')} BENCH_ROBUSTNESS_ACCOUNTS=${baseAccounts} npm run bench robustness`,
  measuredAt: new Date().toISOString(),
  summary:
    `${raw.length} worlds of ${Math.min(...raw.map((w) => w.accounts))}–${Math.max(...raw.map((w) => w.accounts))} accounts (scenario \`worlds\`: every ring type, including the ring camouflaged in shared networks), knobs drawn by drawWorld(seed) from the ranges in docs/scenarios.md, on seeds not used in development (101–103, 7001–7008, 8001–8012, 9001–9012 and 9101–9112 were). ` +
    `Ring sizes drawn per ring, log-uniform over 20–5,000 (at most ${RING_BUDGET} ring accounts a world; the world grows so rings stay ≤ ${MAX_RING_SHARE * 100}% of it): ${allSizes.length} rings of ${Math.min(...allSizes)} to ${Math.max(...allSizes)} accounts, ${allSizes.filter((x) => x >= 1000).length} of ≥ 1,000. ` +
    `Legitimate users per CGNAT/campus exit, realised: ${exitMin} to ${exitMax}. ` +
    `Account-level scores at each account's own recommendation; baselines flag every cluster of ≥ 2 as review. ` +
    `Minimum over worlds: F1 ${f3(worst.f1)} at review, at most ${worst.legitEnforce} legitimate accounts in enforce in one world, lowest recall of any ring type in any world ${pct(worst.minRecall)}, ringscope ahead of every baseline in every world: ${worst.aheadOfBaselines ? 'yes' : 'no'}. ` +
    'Detection runs in-process on the LinkageInput read from the drop files (no Neo4j): 12 worlds through ingest would take over an hour on this machine; the drop reader is tested equal to ingest + the Neo4j reader.',
  tables: [
    {
      title: 'Per world (ringscope; baselines F1 at the right)',
      headers: [
        'seed',
        'knobs drawn (rings per type: hy hydra, dc datacenter, ca careful, cm camouflage, sr shared-reseller operators, rs release-shift, nc network-camouflage)',
        'realised in the drop (min/median/max)',
        'accounts',
        'ring accounts',
        'F1 (≥review)',
        'P (≥review)',
        'legit in enforce',
        'legit ≥ review',
        ...types.map((t) => `recall ${t}`),
        ...BASELINES.map(([n]) => `F1 ${n}`),
      ],
      rows: [...worldRows, agg(minOf, 'min'), agg(median, 'median')],
    },
  ],
  notes: [
    'Realised: measured in the drop from truth.csv and the files. Users per hub exit counts the legitimate accounts on IPs used by ≥ 2 CGNAT/campus users; accounts per ring card counts cards used by ≥ 2 accounts of one ring; bystanders are legitimate individuals on a ring IP that no hub user shares (homes among proxy exits).',
    `machine load average at the end: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  ],
  raw: { worst, worlds: raw },
};
fs.mkdirSync(path.join(ROOT, 'bench-out'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench-out', 'robustness.json'), JSON.stringify(out, null, 2));
console.error(
  `[bench-robustness] min F1 ${f3(worst.f1)}, max legit in enforce ${worst.legitEnforce}, min recall ${pct(worst.minRecall)}, ahead of baselines: ${worst.aheadOfBaselines}`,
);
