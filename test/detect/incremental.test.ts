import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectAndWrite, getCluster, listClusters, pruneRuns, toNum, type DetectAndWriteOptions, type Neo4jClient } from '../../src/db/index.js';
import { readLinkageInput } from '../../src/db/linkage-source.js';
import { deltaFile, heldInput, INPUT_FILE, readSnapshotInput, SNAPSHOT_FILE } from '../../src/db/snapshot-repository.js';
import { decodeState, encodeState } from '../../src/db/snapshot-codec.js';
import { loadRunExport } from '../../src/export/index.js';
import { generate } from '../../src/generator/index.js';
import { ingestDrop } from '../../src/loaders/index.js';
import { ROOT } from '../helpers/cli.js';
import { freshNeo4j } from '../helpers/services.js';

/**
 * Incremental detection against real Neo4j (issue 20): a generated drop ingested for real, then
 * hand-made "next night" drops (a lone new account; two newcomers on an enforced ring's identifiers).
 */
const RELEASE = Date.parse('2026-02-12T17:00:00Z');
const FILES = ['accounts', 'payment_methods', 'ip_addresses', 'prompt_fingerprints', 'activity'] as const;

type Rows = Record<(typeof FILES)[number], { header: string; rows: string[][] }>;

function readDrop(dir: string): Rows {
  const out = {} as Rows;
  for (const f of FILES) {
    const [header, ...lines] = fs
      .readFileSync(path.join(dir, `${f}.csv`), 'utf8')
      .trimEnd()
      .split('\n');
    out[f] = { header: header!, rows: lines.map((l) => l.split(',')) };
  }
  return out;
}

function writeDrop(dir: string, rows: Rows): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of FILES) fs.writeFileSync(path.join(dir, `${f}.csv`), [rows[f].header, ...rows[f].rows.map((r) => r.join(','))].join('\n') + '\n');
}

async function runParams(client: Neo4jClient, runId: string): Promise<{ params: Record<string, unknown>; stats: Record<string, unknown>; finished: boolean }> {
  const r = await client.query('MATCH (r:LinkageRun {id: $runId}) RETURN r.params AS p, r.stats AS s, r.finishedAt IS NOT NULL AS f', { runId }, 'READ');
  const rec = r.records[0]!;
  return { params: JSON.parse(rec.get('p') as string), stats: rec.get('s') ? JSON.parse(rec.get('s') as string) : {}, finished: rec.get('f') as boolean };
}

let countClient: Neo4jClient | undefined;
/** The `n` of a one-row count query. */
async function count(cypher: string): Promise<number> {
  return toNum((await countClient!.query(cypher, {}, 'READ')).records[0]!.get('n'));
}

/**
 * The input the snapshot holds (the previous input patched with the delta) is the input a full
 * read of the store gives now: same accounts, groups, members and series, in the same order.
 */
async function expectSnapshotInputIsAFullRead(stateDir: string): Promise<void> {
  const state = decodeState(fs.readFileSync(path.join(stateDir, SNAPSHOT_FILE)));
  const kept = await readSnapshotInput(stateDir, state);
  if ('reason' in kept) throw new Error(kept.reason);
  const held = { input: heldInput(kept) };
  const full = await readLinkageInput(countClient!);
  expect([...held.input.accounts.keys()]).toEqual([...full.accounts.keys()]);
  expect(held.input.identifiers.map((g) => `${g.kind}:${g.key}`)).toEqual(full.identifiers.map((g) => `${g.kind}:${g.key}`));
  expect(held.input.identifiers).toEqual(full.identifiers);
  expect([...held.input.activity.keys()]).toEqual([...full.activity.keys()]);
  expect(held.input.activity).toEqual(full.activity);
  expect(held.input.soloPrompts).toEqual(full.soloPrompts);
  expect(held.input.accounts).toEqual(full.accounts);
}

/** Account → cluster id of a run. */
async function partition(client: Neo4jClient, runId: string): Promise<Map<string, string>> {
  const r = await client.query('MATCH (:LinkageRun {id: $runId})<-[:IN_RUN]-(k:Cluster)<-[:MEMBER_OF]-(a:Account) RETURN a.id AS a, k.id AS k', { runId }, 'READ');
  return new Map(r.records.map((x) => [x.get('a') as string, x.get('k') as string]));
}

/** Same partition up to cluster ids: every cluster of one is a cluster of the other. */
function samePartition(a: Map<string, string>, b: Map<string, string>): boolean {
  const groups = (p: Map<string, string>): string[] => {
    const by = new Map<string, string[]>();
    for (const [acct, c] of p) by.set(c, [...(by.get(c) ?? []), acct]);
    return [...by.values()].map((m) => m.sort().join('|')).sort();
  };
  return JSON.stringify(groups(a)) === JSON.stringify(groups(b));
}

describe('incremental detection against real Neo4j', () => {
  let client: Neo4jClient;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-incremental-'));
  const stateDir = path.join(dir, 'state');
  let base: Rows;
  const opts = (runId: string, extra: Partial<DetectAndWriteOptions> = {}): Partial<DetectAndWriteOptions> => ({
    runId,
    seed: 7,
    releaseDate: RELEASE,
    keepRuns: 0,
    stateDir,
    ...extra,
  });

  beforeAll(async () => {
    client = await freshNeo4j();
    countClient = client;
    const g = await generate({ scenario: 'mixed', accounts: 600, seed: 3, out: path.join(dir, 'gen') });
    await ingestDrop(client, g.dropDir, { dropId: 'day-1' });
    base = readDrop(g.dropDir);
  }, 240_000);
  afterAll(async () => {
    await client?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the first run is full (no snapshot) and leaves a snapshot naming the drop', async () => {
    const res = await detectAndWrite(client, opts('d1'));
    expect(res.mode).toBe('full');
    expect(res.fullReason).toBe('no-snapshot');
    const state = decodeState(fs.readFileSync(path.join(stateDir, SNAPSHOT_FILE)));
    expect(state.runId).toBe('d1');
    expect(state.drops).toHaveLength(1);
    expect(state.drops[0]).toMatch(/^day-1@[0-9a-f]{64}$/);
    expect(state.clusters.length).toBe(res.clusters.length);
    const { params } = await runParams(client, 'd1');
    expect(params.mode).toBe('full');
    expect(params.fullReason).toBe('no-snapshot');
    // The drop is in the snapshot now: its batches' account lists are never read again, and are gone.
    expect(await count('MATCH (b:IngestBatch) WHERE b.accounts IS NOT NULL RETURN count(b) AS n')).toBe(0);
  });

  it('a night touching nothing gives the previous run’s clusters, ids included, without re-detecting any', async () => {
    const inputBefore = fs.readFileSync(path.join(stateDir, INPUT_FILE));
    const lone = { ...base };
    for (const f of FILES) lone[f] = { header: base[f].header, rows: [] };
    lone.accounts.rows.push(['acct_zz_lone', '2026-02-27T10:00:00Z', 'example.org', 'FR', 'false', 'free']);
    writeDrop(path.join(dir, 'day-2'), lone);
    await ingestDrop(client, path.join(dir, 'day-2'));
    const listed = 'MATCH (b:IngestBatch) WHERE b.accounts IS NOT NULL RETURN count(b) AS n';
    expect(await count(listed)).toBeGreaterThan(0);
    const res = await detectAndWrite(client, opts('d2'));
    expect(await count(listed)).toBe(0);
    expect(res.mode).toBe('incremental');
    expect(res.clusters).toHaveLength(0);
    expect(res.stats.frontierAccounts).toBe(0);
    expect(res.stats.carriedClusters).toBeGreaterThan(5);
    const before = await listClusters(client, 'd1');
    const after = await listClusters(client, 'd2');
    expect(after.map((c) => [c.id, c.score, c.recommendation, c.size])).toEqual(before.map((c) => [c.id, c.score, c.recommendation, c.size]));
    expect(new Set(after.map((c) => c.lineage))).toEqual(new Set(['unchanged']));
    const one = await getCluster(client, 'd2', before[0]!.id);
    const was = await getCluster(client, 'd1', before[0]!.id);
    expect(one.members.map((m) => [m.id, m.recommendation])).toEqual(was.members.map((m) => [m.id, m.recommendation]));
    expect(one.links.length).toBe(was.links.length);
    // The export of the incremental run is the previous run's (the carried clusters are the same nodes).
    const strip = (e: Awaited<ReturnType<typeof loadRunExport>>): unknown => ({
      clusters: e.clusters.map(({ run_id: _r, lineage: _l, previous_id: _p, ...c }) => c),
      accounts: e.accounts.map(({ run_id: _r, lineage: _l, ...a }) => a),
    });
    expect(strip(await loadRunExport(client, { run: 'd2', minRecommendation: 'monitor' }))).toEqual(
      strip(await loadRunExport(client, { run: 'd1', minRecommendation: 'monitor' })),
    );
    // Carried clusters are the previous run's nodes, included by one more IN_RUN: nothing is rewritten.
    expect(await count("MATCH (k:Cluster {runId: 'd2'}) RETURN count(k) AS n")).toBe(0);
    expect(await count("MATCH ()-[x:MEMBER_OF|LINKED {runId: 'd2'}]->() RETURN count(x) AS n")).toBe(0);
    expect(await count("MATCH (:LinkageRun {id: 'd2'})<-[:IN_RUN]-(k:Cluster {runId: 'd1'}) RETURN count(k) AS n")).toBe(before.length);
    const { params, stats } = await runParams(client, 'd2');
    expect(params.mode).toBe('incremental');
    expect(params.newDrops).toHaveLength(1);
    // Only the night's one account was read from Neo4j; the rest came from the snapshot's input.
    expect(params.read).toBe('delta');
    expect(stats.deltaAccounts).toBe(1);
    // The read's parts are timed (what dominates a delta read at scale: BENCHMARKS.md).
    expect(Object.keys((stats.deltaReadMs ?? {}) as Record<string, number>).sort()).toEqual(['delta', 'patch', 'snapshot', 'touched']);
    expect(Object.values((stats.deltaReadMs ?? {}) as Record<string, number>).every((ms) => Number.isInteger(ms) && ms >= 0)).toBe(true);
    await expectSnapshotInputIsAFullRead(stateDir);
    // The input file stays as the full run wrote it; the night is a delta file beside it, named by the state.
    expect(fs.readFileSync(path.join(stateDir, INPUT_FILE)).equals(inputBefore)).toBe(true);
    const state = decodeState(fs.readFileSync(path.join(stateDir, SNAPSHOT_FILE)));
    expect(state.inputDeltaSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.readdirSync(stateDir).filter((f) => f.startsWith('detection-input-delta-'))).toEqual([deltaFile(state.inputDeltaSha256!)]);
    expect(stats.carriedClusters).toBe(before.length);
    expect(stats.frontierAccounts).toBe(0);
  });

  it('a night adding accounts to an enforced ring re-detects that ring only and flags the newcomers as respawn', async () => {
    const enforced = await listClusters(client, 'd2', 'enforce');
    expect(enforced.length).toBeGreaterThan(0);
    const ring = await getCluster(client, 'd2', enforced[0]!.id);
    const model = ring.members[0]!.id;
    const newcomers = ['acct_zz_new_1', 'acct_zz_new_2'];
    const night = {} as Rows;
    for (const f of FILES) {
      night[f] = { header: base[f].header, rows: base[f].rows.filter((r) => r[0] === model).flatMap((r) => newcomers.map((n) => [n, ...r.slice(1)])) };
    }
    writeDrop(path.join(dir, 'day-3'), night);
    await ingestDrop(client, path.join(dir, 'day-3'));
    const res = await detectAndWrite(client, opts('d3'));
    expect(res.mode).toBe('incremental');
    // The newcomers share the model's cards, IPs and prompts, its solo prompts included (now shared):
    // every group they joined and the model's prompt totals were read again, and nothing else.
    expect((await runParams(client, 'd3')).params.read).toBe('delta');
    expect(res.stats.deltaAccounts).toBe(2);
    expect(res.stats.deltaPromptAccounts).toBeGreaterThanOrEqual(3);
    expect(res.stats.deltaPromptAccounts).toBeLessThan(100);
    await expectSnapshotInputIsAFullRead(stateDir);
    // Night 2's delta and this night's, composed into one file; night 2's file is gone.
    expect(fs.readdirSync(stateDir).filter((f) => f.startsWith('detection-input-delta-'))).toHaveLength(1);
    const grown = await getCluster(client, 'd3', ring.id);
    expect(grown.lineage).toBe('grown');
    expect(grown.members.filter((m) => m.respawn).map((m) => m.id)).toEqual(newcomers);
    // Every other cluster of the night before is carried: same id, score, lineage unchanged.
    const before = (await listClusters(client, 'd2')).filter((c) => c.id !== ring.id);
    const after = new Map((await listClusters(client, 'd3')).map((c) => [c.id, c]));
    const redone = new Set(res.clusters.map((c) => c.id));
    for (const c of before) {
      if (redone.has(c.id)) continue;
      expect(after.get(c.id)?.lineage, c.id).toBe('unchanged');
      expect(after.get(c.id)?.score).toBe(c.score);
    }
    expect(res.stats.carriedClusters).toBeGreaterThanOrEqual(before.length - 2);
    expect(res.stats.frontierAccounts).toBeLessThan(200);
    // Pruning the runs before d3 keeps what d3 includes (clusters detected by d1, carried twice) and
    // deletes what only they held: the ring as it was, with its memberships and links.
    const exported = await loadRunExport(client, { run: 'd3', minRecommendation: 'monitor' });
    const linksOfD3 = await count(
      "MATCH (:LinkageRun {id: 'd3'})<-[:IN_RUN]-(k:Cluster)<-[:MEMBER_OF]-(:Account)-[l:LINKED]->() WHERE l.runId = k.runId RETURN count(l) AS n",
    );
    expect(await pruneRuns(client, 1)).toEqual(['d2', 'd1']);
    expect(await loadRunExport(client, { run: 'd3', minRecommendation: 'monitor' })).toEqual(exported);
    expect((await getCluster(client, 'd3', ring.id)).members.filter((m) => m.respawn).map((m) => m.id)).toEqual(newcomers);
    expect(await count('MATCH (k:Cluster) WHERE NOT (k)-[:IN_RUN]->() RETURN count(k) AS n')).toBe(0);
    expect(await count("MATCH (k:Cluster) RETURN count(k) AS n")).toBe(after.size);
    expect(await count('MATCH ()-[l:LINKED]->() RETURN count(l) AS n')).toBe(linksOfD3);
    expect(await count('MATCH ()-[m:MEMBER_OF]->() RETURN count(m) AS n')).toBe([...after.values()].reduce((s, c) => s + c.size, 0));
    // The same partition as a full run on the same data.
    const full = await detectAndWrite(client, opts('d3-full', { mode: 'full' }));
    expect(full.mode).toBe('full');
    expect(full.fullReason).toBe('requested');
    expect(samePartition(await partition(client, 'd3'), await partition(client, 'd3-full'))).toBe(true);
  });

  it('a corrupted, foreign-store or foreign-parameter snapshot means a full run that says why', async () => {
    const file = path.join(stateDir, SNAPSHOT_FILE);
    const good = fs.readFileSync(file);
    const bad = Buffer.from(good);
    bad[bad.length - 5]! ^= 0x55;
    fs.writeFileSync(file, bad);
    const corrupted = await detectAndWrite(client, opts('d4'));
    expect(corrupted.mode).toBe('full');
    expect(corrupted.fullReason).toBe('corrupted');
    const { params } = await runParams(client, 'd4');
    expect(params.fullReason).toBe('corrupted');
    expect(String(params.fullReasonDetail)).toMatch(/checksum/);

    const state = decodeState(fs.readFileSync(file));
    fs.writeFileSync(file, encodeState({ ...state, storeId: 'another-store' }));
    const foreign = await detectAndWrite(client, opts('d5'));
    expect(foreign.fullReason).toBe('foreign-store');

    const other = await detectAndWrite(client, opts('d6', { resolution: 1.5 }));
    expect(other.mode).toBe('full');
    expect(other.fullReason).toBe('foreign-params');
    const back = await detectAndWrite(client, opts('d7'));
    expect(back.fullReason).toBe('foreign-params');
    const next = await detectAndWrite(client, opts('d8'));
    expect(next.mode).toBe('incremental');
  });

  it('a run made without the snapshot makes it stale; --full-every forces the scheduled full run', async () => {
    await detectAndWrite(client, opts('d9', { stateDir: undefined }));
    const stale = await detectAndWrite(client, opts('d10'));
    expect(stale.fullReason).toBe('stale-run');
    // A run that lost a cluster since its snapshot cannot lend its clusters to an incremental run.
    await client.query("MATCH (k:Cluster)-[:IN_RUN]->(:LinkageRun {id: 'd10'}) WITH k LIMIT 1 MATCH (k)-[i:IN_RUN]->(:LinkageRun {id: 'd10'}) DELETE i");
    const lost = await detectAndWrite(client, opts('d10b'));
    expect(lost.fullReason).toBe('stale-run');
    expect((await runParams(client, 'd10b')).params.fullReasonDetail).toMatch(/no longer holds/);
    const inc = await detectAndWrite(client, opts('d11', { fullEvery: 2 }));
    expect(inc.mode).toBe('incremental');
    const scheduled = await detectAndWrite(client, opts('d12', { fullEvery: 2 }));
    expect(scheduled.mode).toBe('full');
    expect(scheduled.fullReason).toBe('scheduled');
  });

  it('an ingest batch that lists no accounts, or a missing input file, makes the incremental run read the whole graph', async () => {
    const lone = (id: string): string => {
      const night = {} as Rows;
      for (const f of FILES) night[f] = { header: base[f].header, rows: [] };
      night.accounts.rows.push([id, '2026-02-28T10:00:00Z', 'example.net', 'DE', 'true', 'pro']);
      night.ip_addresses.rows.push(base.ip_addresses.rows[0]!.map((v, i) => (i === 0 ? id : v)));
      const out = path.join(dir, id);
      writeDrop(out, night);
      return out;
    };
    await ingestDrop(client, lone('acct_zz_unlisted'), { dropId: 'day-unlisted' });
    // As a bulk load's marker, or one written by a version before markers listed their accounts.
    await client.query(
      "MATCH (d:Drop {id: 'day-unlisted'}) UNWIND d.fileSha256s AS f MATCH (b:IngestBatch) WHERE b.id STARTS WITH f + '/' REMOVE b.accounts",
    );
    const unlisted = await detectAndWrite(client, opts('d14'));
    expect(unlisted.mode).toBe('incremental');
    const p14 = (await runParams(client, 'd14')).params;
    expect(p14.read).toBe('whole');
    expect(String(p14.readDetail)).toMatch(/does not list its accounts/);
    await expectSnapshotInputIsAFullRead(stateDir);

    await ingestDrop(client, lone('acct_zz_noinput'), { dropId: 'day-noinput' });
    fs.rmSync(path.join(stateDir, INPUT_FILE));
    const noInput = await detectAndWrite(client, opts('d15'));
    expect(noInput.mode).toBe('incremental');
    const p15 = (await runParams(client, 'd15')).params;
    expect(p15.read).toBe('whole');
    expect(String(p15.readDetail)).toMatch(/ENOENT/);
    // Both runs found what a full run finds.
    const full = await detectAndWrite(client, opts('d15-full', { mode: 'full' }));
    expect(samePartition(await partition(client, 'd15'), await partition(client, 'd15-full'))).toBe(true);
    expect(full.mode).toBe('full');

    // A delta file that is not the one the state names (flipped byte) means a whole read too.
    await ingestDrop(client, lone('acct_zz_delta_1'), { dropId: 'day-delta-1' });
    expect((await detectAndWrite(client, opts('d16'))).read).toBe('delta');
    const named = decodeState(fs.readFileSync(path.join(stateDir, SNAPSHOT_FILE))).inputDeltaSha256!;
    const file = path.join(stateDir, deltaFile(named));
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 3]! ^= 0x01;
    fs.writeFileSync(file, bytes);
    await ingestDrop(client, lone('acct_zz_delta_2'), { dropId: 'day-delta-2' });
    const bad = await detectAndWrite(client, opts('d17'));
    expect(bad.mode).toBe('incremental');
    expect(bad.read).toBe('whole');
    expect(bad.readDetail).toMatch(/^detection input delta: checksum mismatch/);
    // The whole read is written whole: no delta file is left.
    expect(fs.readdirSync(stateDir).filter((f) => f.startsWith('detection-input-delta-'))).toEqual([]);
    await expectSnapshotInputIsAFullRead(stateDir);
  });

  it('a detect process killed mid-incremental-run leaves a state from which the next run is correct', async () => {
    const script = path.join(dir, 'kill-me.mts');
    fs.writeFileSync(
      script,
      `import { loadConfig } from ${JSON.stringify(path.join(ROOT, 'src/config/index.ts'))};
import { Neo4jClient, detectAndWrite } from ${JSON.stringify(path.join(ROOT, 'src/db/index.ts'))};
const client = await Neo4jClient.connect(loadConfig());
await detectAndWrite(client, { runId: 'dk', seed: 7, releaseDate: ${RELEASE}, keepRuns: 0, stateDir: ${JSON.stringify(stateDir)},
  onProgress: (phase) => { if (phase.startsWith('write:')) { process.stdout.write('WRITING\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000); } } });
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('WRITING')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited ${code} before writing: ${err}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const killed = await runParams(client, 'dk');
    expect(killed.finished).toBe(false);
    expect(killed.params.mode).toBe('incremental');
    // The snapshot still names the last finished run, so the next run is incremental from it and correct.
    const res = await detectAndWrite(client, opts('d13'));
    expect(res.mode).toBe('incremental');
    const full = await detectAndWrite(client, opts('d13-full', { mode: 'full' }));
    expect(samePartition(await partition(client, 'd13'), await partition(client, 'd13-full'))).toBe(true);
    const n = await client.query("MATCH (k:Cluster)-[:IN_RUN]->(:LinkageRun {id: 'd13'}) RETURN count(k) AS n", {}, 'READ');
    expect(toNum(n.records[0]!.get('n'))).toBe(full.stats.clusters);
    // The killed run never finishes; once it is older than every kept run, pruning removes it and
    // whatever only it included, and leaves no cluster outside a run.
    const exported = await loadRunExport(client, { run: 'd13-full', minRecommendation: 'monitor' });
    expect(await pruneRuns(client, 1)).toContain('dk');
    expect(await count("MATCH (r:LinkageRun) RETURN count(r) AS n")).toBe(1);
    expect(await count('MATCH (k:Cluster) WHERE NOT (k)-[:IN_RUN]->() RETURN count(k) AS n')).toBe(0);
    expect(await count("MATCH ()-[x:MEMBER_OF|LINKED]->() WHERE x.runId <> 'd13-full' RETURN count(x) AS n")).toBe(0);
    expect(await loadRunExport(client, { run: 'd13-full', minRecommendation: 'monitor' })).toEqual(exported);
  }, 120_000);
});
