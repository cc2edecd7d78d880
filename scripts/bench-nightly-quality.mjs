#!/usr/bin/env node
// Nightly quality (issue #20): does a chain of incremental runs find what a full run on the same
// data finds? For each scenario (BENCH_NQ_SCENARIOS, default "mixed,hydra") and seed (BENCH_NQ_SEEDS,
// default "1,2"): a world of BENCH_NQ_ACCOUNTS accounts (default 10000) over BENCH_NQ_NIGHTS nights
// (default 4: night 1 and 3 nights after it, each touching BENCH_NQ_TOUCH, default 0.01). Night 1 is
// ingested and detected in full; each later night is ingested and detected as `ringscope detect`
// does (incremental when the snapshot is valid: the chain), then the same data is detected in full
// in memory (read + runDetection, not written, so the chain's snapshot and runs stay its own; the
// full runs form their own chain of lineage). Per night: F1 of each against the night's truth.csv,
// |ΔF1|, pairwise membership agreement of the two clusterings (src/evaluate/agreement.ts, exact),
// and the share of clusters the night did not touch that kept their ids, for the chain and the full runs.
// Run through `npm run bench nightly-quality` (services started by with-services.mjs, code from dist/).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, commitOf, detect, dist, touchedAccounts, worldNights } from './nightly-common.mjs';

const { loadConfig } = await dist('config/index.js');
const { Neo4jClient } = await dist('db/index.js');
const { ingestDrop } = await dist('loaders/index.js');
const { readLinkageInput } = await dist('db/linkage-source.js');
const { readRunClusters } = await dist('db/run-repository.js');
const { loadRunAssignments } = await dist('db/run-reader.js');
const { runDetection } = await dist('graph/run-detection.js');
const { evaluate, readTruthCsv, clusterPredictions, pairAgreement, keptIds, flagLevel } = await dist('evaluate/index.js');
const services = await import('./services.mjs');
const { resetStore } = await import('./wipe-neo4j.mjs');

const list = (v, d) => (v ?? d).split(',').filter(Boolean);
const SCENARIOS = list(process.env.BENCH_NQ_SCENARIOS, 'mixed,hydra');
const SEEDS = list(process.env.BENCH_NQ_SEEDS, '1,2').map(Number);
const ACCOUNTS = Number(process.env.BENCH_NQ_ACCOUNTS ?? 10_000);
const NIGHTS = Number(process.env.BENCH_NQ_NIGHTS ?? 4);
const TOUCH = Number(process.env.BENCH_NQ_TOUCH ?? 0.01);
const instance = process.env.RINGSCOPE_INSTANCE;
if (!instance || instance === 'dev') {
  console.error('bench-nightly-quality wipes its database: run it through `npm run bench` (instance "bench")');
  process.exit(2);
}
const work = path.join(ROOT, '.ringscope', 'bench-data');
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
// The code measured is the checkout as the bench starts (dist/ is loaded then), not HEAD when it ends.
const COMMIT = commitOf();
const OUT_FILE = path.join(ROOT, 'bench-out', 'nightly-quality.json');
const DETECT = { seed: 42, resolution: 1, releaseDate: undefined, scoring: { targetCapabilities: config.targetCapabilities } };

const flaggedOnly = (preds) => new Map([...preds].filter(([, p]) => flagLevel(p.recommendation) >= flagLevel('review')).map(([a, p]) => [a, p.clusterId]));
const clusterOf = (preds) => new Map([...preds].map(([a, p]) => [a, p.clusterId]));

const rows = [];
const started = performance.now();
for (const scenario of SCENARIOS) {
  for (const seed of SEEDS) {
    const nights = await worldNights(path.join(work, `nightly-q-${scenario}-${ACCOUNTS}-${seed}`), {
      scenario,
      accounts: ACCOUNTS,
      seed,
      nights: NIGHTS,
      touchShare: TOUCH,
    });
    const stateDir = path.join(work, `nightly-q-state`);
    fs.rmSync(stateDir, { recursive: true, force: true });
    await resetStore(services, instance, config.neo4j.uri);
    const client = await Neo4jClient.connect(config);
    try {
      await ingestDrop(client, nights[0].drop, { stateDir });
      const first = await detect(client, { mode: 'full', stateDir });
      let chainPrev = await readRunClusters(client, first.runId);
      let fullPrev = chainPrev;
      for (const night of nights.slice(1)) {
        await ingestDrop(client, night.drop, { stateDir });
        const chain = await detect(client, { mode: 'auto', stateDir });
        const chainClusters = await readRunClusters(client, chain.runId);
        const chainPreds = (await loadRunAssignments(client, chain.runId)).predictions;
        const input = await readLinkageInput(client);
        const full = await runDetection(input, { ...DETECT, runId: `full-ref-${night.day}`, previous: fullPrev });
        const fullPreds = clusterPredictions(full.clusters);
        const truth = await readTruthCsv(night.truth);
        const universe = truth.map((t) => t.accountId);
        const f1Chain = evaluate(truth, chainPreds).scores.f1;
        const f1Full = evaluate(truth, fullPreds).scores.f1;
        const { touched } = touchedAccounts(night.nightFile);
        const all = pairAgreement(clusterOf(chainPreds), clusterOf(fullPreds), universe);
        const flagged = pairAgreement(flaggedOnly(chainPreds), flaggedOnly(fullPreds), universe);
        const keptChain = keptIds(chainPrev, chainClusters, touched);
        const keptFull = keptIds(fullPrev, full.clusters, touched);
        const row = {
          scenario,
          seed,
          night: night.day,
          accounts: night.worldAccounts,
          touched: touched.size,
          mode: chain.mode,
          frontierAccounts: chain.frontierAccounts,
          carriedClusters: chain.carriedClusters,
          f1Chain: +f1Chain.toFixed(4),
          f1Full: +f1Full.toFixed(4),
          deltaF1: +Math.abs(f1Chain - f1Full).toFixed(4),
          agreement: +all.agreement.toFixed(4),
          agreementFlagged: +flagged.agreement.toFixed(4),
          rand: +all.rand.toFixed(6),
          untouchedClusters: keptChain.untouched,
          keptIdsChain: +keptChain.share.toFixed(4),
          keptIdsFull: +keptFull.share.toFixed(4),
          chainDetectS: chain.seconds,
        };
        rows.push(row);
        console.error(`[bench-nightly-quality] ${JSON.stringify(row)}`);
        chainPrev = chainClusters;
        fullPrev = full.clusters.map((c) => ({ id: c.id, members: c.members, recommendation: c.recommendation }));
      }
    } finally {
      await client.close();
    }
  }
}
writeReport();

function writeReport() {
  const worst = (k, f = Math.max) => (rows.length ? f(...rows.map((r) => r[k])) : null);
  const anyIncremental = rows.some((r) => r.mode === 'incremental');
  const out = {
    command: `BENCH_NQ_SCENARIOS=${SCENARIOS.join(',')} BENCH_NQ_SEEDS=${SEEDS.join(',')} BENCH_NQ_ACCOUNTS=${ACCOUNTS} BENCH_NQ_NIGHTS=${NIGHTS} npm run bench nightly-quality`,
    measuredAt: new Date().toISOString(),
    commit: COMMIT,
    summary:
      `Worlds of ${ACCOUNTS.toLocaleString('en')} accounts (${SCENARIOS.join(', ')}; seeds ${SEEDS.join(', ')}), night 1 and ${NIGHTS - 1} nights after it (\`ringscope generate --from\`, each touching ${TOUCH * 100}% of the accounts). The chain: each night ingested and detected as \`ringscope detect\` does (mode recorded by the run); the full run: the same data read and detected in full in memory (its own lineage chain; not written, so it cannot feed the chain's snapshot). F1 at ≥ review against the night's cumulative truth.csv. **Agreement** = |P_chain ∩ P_full| / |P_chain ∪ P_full| over co-membership pairs (pairs of accounts in one cluster), computed exactly from the contingency table (src/evaluate/agreement.ts, no sampling), over all clusters and over flagged (≥ review) memberships; Rand is over all account pairs. **Kept ids**: of the previous run's clusters with no member touched by the night, the share whose id the next run still has with all those members. Targets: |ΔF1| ≤ 0.005, agreement ≥ 0.99. Worst over all nights: |ΔF1| ${worst('deltaF1')}, agreement ${worst('agreement', Math.min)} (flagged ${worst('agreementFlagged', Math.min)}), kept ids ${worst('keptIdsChain', Math.min)} (full runs: ${worst('keptIdsFull', Math.min)}).` +
      (anyIncremental
        ? ''
        : ' **No chain run here was incremental:** the incremental engine was not in the measured build, so the chain is a chain of full runs and these figures only check the harness.'),
    table: {
      headers: [
        'scenario',
        'seed',
        'night',
        'accounts',
        'touched',
        'chain mode',
        'frontier accounts',
        'carried clusters',
        'F1 chain',
        'F1 full',
        'ΔF1 (absolute)',
        'agreement',
        'agreement (flagged)',
        'Rand',
        'untouched clusters',
        'kept ids (chain)',
        'kept ids (full)',
      ],
      rows: rows.map((r) => [
        r.scenario,
        r.seed,
        r.night,
        r.accounts,
        r.touched,
        r.mode,
        r.frontierAccounts ?? '—',
        r.carriedClusters ?? '—',
        r.f1Chain,
        r.f1Full,
        r.deltaF1,
        r.agreement,
        r.agreementFlagged,
        r.rand,
        r.untouchedClusters,
        r.keptIdsChain,
        r.keptIdsFull,
      ]),
    },
    notes: [
      `commit measured: ${COMMIT}; ${((performance.now() - started) / 60_000).toFixed(1)} min in all; ${services.describeNeo4jMemory(services.startedNeo4jMemory(instance))}.`,
      `machine load average at the end: ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    ],
    raw: rows,
  };
  fs.mkdirSync(path.dirname(OUT_FILE), { recursive: true });
  fs.writeFileSync(OUT_FILE, JSON.stringify(out, null, 2));
  console.error('[bench-nightly-quality] wrote bench-out/nightly-quality.json');
}
