import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Neo4jClient } from '../../src/db/index.js';
import { toNum } from '../../src/db/index.js';
import { readLinkageInput } from '../../src/db/linkage-source.js';
import { detectAndWrite } from '../../src/db/linkage-pipeline.js';
import { getCluster, listClusters, listRuns, readRunClusters, resolveRunId } from '../../src/db/linkage-writer.js';
import { project, EVIDENCE_SLOTS, RECOMMENDATIONS, type LinkageInput } from '../../src/graph/index.js';
import { canonical } from '../helpers/canonical-input.js';
import { NotFoundError } from '../../src/util/errors.js';
import { freshNeo4j } from '../helpers/services.js';
import { buildFixture, T0 } from './fixtures.js';
import { writeLinkageInput } from './load-input.js';

const DAY = 86_400_000;

describe('ring detection against real Neo4j', () => {
  let client: Neo4jClient;
  const fixture = buildFixture();

  beforeAll(async () => {
    client = await freshNeo4j();
    await writeLinkageInput(client, fixture.input);
  });
  afterAll(async () => {
    await client?.close();
  });

  it('reads back exactly the input it was given, in small keyset pages', async () => {
    const pages: Record<string, number> = {};
    const read = await readLinkageInput(client, { pageSize: 25, onProgress: (phase) => (pages[phase] = (pages[phase] ?? 0) + 1) });
    expect(canonical(read)).toEqual(canonical(fixture.input));
    expect(read.soloPrompts!.size).toBeGreaterThan(0);
    // 204 accounts in pages of 25 means many round trips, not one giant result.
    expect(pages.accounts).toBeGreaterThanOrEqual(Math.ceil(fixture.input.accounts.size / 25));
  });

  it('writes clusters, memberships and explained links that Cypher can query back', async () => {
    const res = await detectAndWrite(client, { seed: 3, runId: 'run-a', keepRuns: 0 });
    expect(res.previousRunId).toBeUndefined();
    const q = await client.query(
      `MATCH (a:Account)-[m:MEMBER_OF {runId: 'run-a'}]->(k:Cluster)-[:IN_RUN]->(r:LinkageRun {id: 'run-a'})
       RETURN a.id AS account, k.recommendation AS rec, k.id AS cluster, k.size AS size, r.finishedAt IS NOT NULL AS finished`,
    );
    const recOf = new Map(q.records.map((r) => [r.get('account') as string, r.get('rec') as string]));
    expect(q.records.every((r) => r.get('finished') === true)).toBe(true);
    const role = (r: string) => [...fixture.roles].filter(([, x]) => x === r).map(([a]) => a);
    // Known answers: both rings flagged, whole; the organisation, family, benchmark company and CGNAT users are not enforced.
    for (const a of [...role('hydra'), ...role('careful')]) expect(recOf.get(a)).toBe('enforce');
    for (const a of [...role('org'), ...role('family'), ...role('benchmark'), ...role('cgnat'), ...role('background')])
      expect(recOf.get(a) ?? 'none').not.toBe('enforce');
    for (const a of [...role('org'), ...role('family'), ...role('cgnat'), ...role('background')]) expect(['monitor', 'none']).toContain(recOf.get(a) ?? 'none');
    const hydraClusters = new Set(q.records.filter((r) => fixture.roles.get(r.get('account')) === 'hydra').map((r) => r.get('cluster')));
    expect(hydraClusters.size).toBe(1);

    // LINKED carries per-kind evidence an analyst can read.
    const hydraId = [...hydraClusters][0] as string;
    const links = await client.query(
      `MATCH (k:Cluster {uid: $uid})<-[:MEMBER_OF {runId: 'run-a'}]-(a:Account)-[l:LINKED {runId: 'run-a'}]->(b:Account)
       RETURN l.weight AS w, l.evidence AS ev`,
      { uid: `run-a/${hydraId}` },
    );
    expect(links.records.length).toBeGreaterThanOrEqual(23); // at least a spanning tree of 24 accounts
    const ev = JSON.parse(links.records[0]!.get('ev') as string) as Record<string, number>;
    expect(Object.keys(ev).sort()).toEqual(['ip', 'payment', 'prompt', 'subnet', 'sync']);
    const w = toNum(links.records[0]!.get('w'));
    expect(Math.abs(Object.values(ev).reduce((s, x) => s + x, 0) - w)).toBeLessThan(0.05);

    const listed = await listClusters(client, 'run-a', 'review');
    expect(listed.length).toBeGreaterThanOrEqual(2);
    expect(listed.every((c) => c.recommendation !== 'monitor')).toBe(true);
    const detail = await getCluster(client, 'run-a', hydraId);
    expect(detail.members).toHaveLength(24);
    expect(detail.reasons.length).toBeGreaterThanOrEqual(3);
    expect(detail.reasons.every((r) => /\d/.test(r))).toBe(true);
    const contributions = detail.features.contributions as Array<{ feature: string; reason: string }>;
    expect(contributions.find((c) => c.feature === 'sharedPayments')?.reason).toMatch(/^24 accounts share 4 payment methods$/);
    expect(detail.weakestLink).toBeGreaterThan(0);
    await expect(getCluster(client, 'run-a', 'no-such-cluster')).rejects.toBeInstanceOf(NotFoundError);

    // Each MEMBER_OF carries the member's own verdict, never above its cluster's.
    const mv = await client.query(
      `MATCH (a:Account)-[m:MEMBER_OF {runId: 'run-a'}]->(k:Cluster) RETURN a.id AS id, m.recommendation AS rec, m.reasons AS reasons, m.kinds AS kinds, k.recommendation AS crec`,
    );
    const expected = new Map(res.clusters.flatMap((c) => c.members.map((m, i) => [m, c.memberVerdicts[i]!] as const)));
    expect(mv.records.length).toBe(expected.size);
    for (const r of mv.records) {
      const v = expected.get(r.get('id') as string)!;
      expect(r.get('rec')).toBe(v.recommendation);
      expect(RECOMMENDATIONS.indexOf(r.get('rec'))).toBeLessThanOrEqual(RECOMMENDATIONS.indexOf(r.get('crec')));
      expect(r.get('reasons')).toEqual(v.reasons);
      expect(r.get('kinds')).toEqual(v.kinds);
    }
    const m0 = detail.members.find((m) => m.id === 'hy-000')!;
    expect(m0.recommendation).toBe('enforce');
    expect(m0.kinds.length).toBeGreaterThanOrEqual(2);
    expect(m0.attachment!.links).toBeGreaterThan(0);
    expect(m0.attachment!.strongestLink).toBeGreaterThanOrEqual(m0.attachment!.weakestLink);
  });

  it('keeps cluster ids across runs, records lineage, flags respawned accounts, and prunes old runs', async () => {
    const before = await readRunClusters(client, 'run-a');
    const hydraBefore = before.find((c) => c.members.includes('hy-000'))!;
    // Five replacement accounts join the ring after a ban wave.
    const next = buildFixture({ hydraRespawns: 5 });
    await writeLinkageInput(client, next.input);
    const res = await detectAndWrite(client, { seed: 3, runId: 'run-b', keepRuns: 0 });
    expect(res.previousRunId).toBe('run-a');
    const hydra = res.clusters.find((c) => c.members.includes('hy-000'))!;
    expect(hydra.id).toBe(hydraBefore.id);
    expect(hydra.lineage).toBe('grown');
    expect([...hydra.respawn].sort()).toEqual(['hy-100', 'hy-101', 'hy-102', 'hy-103', 'hy-104']);
    const org = res.clusters.find((c) => c.members.includes('org-000'))!;
    expect(org.lineage).toBe('unchanged');
    expect(org.respawn).toHaveLength(0);
    const q = await client.query(
      `MATCH (a:Account)-[m:MEMBER_OF {runId: 'run-b', respawn: true}]->(:Cluster) RETURN a.id AS id ORDER BY id`,
    );
    expect(q.records.map((r) => r.get('id'))).toEqual(['hy-100', 'hy-101', 'hy-102', 'hy-103', 'hy-104']);
    // The earlier run stays queryable until retention prunes it.
    expect((await listRuns(client)).map((r) => r.id)).toEqual(['run-b', 'run-a']);
    expect(await resolveRunId(client, 'latest')).toBe('run-b');
    const third = await detectAndWrite(client, { seed: 3, runId: 'run-c', keepRuns: 2 });
    expect(third.pruned).toEqual(['run-a']);
    const left = await client.query(`MATCH (k:Cluster) WHERE k.runId = 'run-a' RETURN count(k) AS n`);
    expect(toNum(left.records[0]!.get('n'))).toBe(0);
    const rels = await client.query(`MATCH ()-[x:MEMBER_OF|LINKED]->() WHERE x.runId = 'run-a' RETURN count(x) AS n`);
    expect(toNum(rels.records[0]!.get('n'))).toBe(0);
    expect(await readRunClusters(client, 'run-b')).not.toHaveLength(0);
    await expect(resolveRunId(client, 'run-a')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('discounts identifiers by degree and by time apart, on data read from Neo4j', async () => {
    const c2 = await freshNeo4j();
    await c2.close();
    const accounts = new Map<string, { id: string }>();
    for (let i = 0; i < 200; i++) accounts.set(`x-${String(i).padStart(3, '0')}`, { id: `x-${String(i).padStart(3, '0')}` });
    const span = (f: number, days = 5) => ({ firstSeen: f, lastSeen: f + days * DAY, count: 1 });
    const input: LinkageInput = {
      accounts,
      identifiers: [
        // Pair sharing a card of degree 2, overlapping in time.
        { kind: 'payment', key: 'p-pair', members: [{ account: 'x-000', ...span(T0) }, { account: 'x-001', ...span(T0 + DAY) }] },
        // The same, but used 120 days apart.
        { kind: 'payment', key: 'p-apart', members: [{ account: 'x-002', ...span(T0) }, { account: 'x-003', ...span(T0 + 120 * DAY) }] },
        // A card shared by 12 accounts at the same time.
        { kind: 'payment', key: 'p-twelve', members: Array.from({ length: 12 }, (_, i) => ({ account: `x-${String(10 + i).padStart(3, '0')}`, ...span(T0) })) },
      ],
      activity: new Map(),
    };
    await writeLinkageInput(client, input);
    const read = await readLinkageInput(client, { pageSize: 50 });
    const g = project(read, { minEdgeWeight: 0 });
    const weightOf = (a: string, b: string): number => {
      const ia = g.accounts.indexOf(a);
      const ib = g.accounts.indexOf(b);
      for (let e = 0; e < g.edgeCount; e++) if ((g.src[e] === ia && g.dst[e] === ib) || (g.src[e] === ib && g.dst[e] === ia)) return g.weight[e]!;
      return 0;
    };
    const pair = weightOf('x-000', 'x-001');
    const apart = weightOf('x-002', 'x-003');
    const twelve = weightOf('x-010', 'x-011');
    expect(pair).toBeGreaterThan(0);
    expect(twelve).toBeGreaterThan(0);
    expect(twelve).toBeLessThan(pair - 2); // log2(12/2) ≈ 2.6 bits less
    expect(apart).toBeLessThan(pair * 0.5);
    expect(g.evidence[0 * EVIDENCE_SLOTS]).toBeGreaterThanOrEqual(0);
  });
});
