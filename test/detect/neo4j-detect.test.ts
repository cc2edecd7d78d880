import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Neo4jClient } from '../../src/db/index.js';
import { toNum } from '../../src/db/index.js';
import { readLinkageInput } from '../../src/db/linkage-source.js';
import { detectAndWrite } from '../../src/db/index.js';
import { getCluster, listClusters, listRuns, readRunClusters, resolveRun } from '../../src/db/index.js';
import { RECOMMENDATIONS } from '../../src/graph/index.js';
import { canonical } from '../helpers/canonical-input.js';
import { NotFoundError } from '../../src/util/errors.js';
import { freshNeo4j } from '../helpers/services.js';
import { buildFixture } from './fixtures.js';
import { ingestInput } from '../helpers/ingest-input.js';

describe('ring detection against real Neo4j', () => {
  let client: Neo4jClient;
  const fixture = buildFixture();

  beforeAll(async () => {
    client = await freshNeo4j();
    await ingestInput(client, fixture.input, { dropId: 'fixture' });
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
    // The next drop carries their observations only, as an exporter's next day would.
    const next = buildFixture({ hydraRespawns: 5 });
    await ingestInput(client, next.input, { dropId: 'respawns', only: (a) => !fixture.input.accounts.has(a) });
    expect(canonical(await readLinkageInput(client))).toEqual(canonical(next.input));
    const res = await detectAndWrite(client, { seed: 3, runId: 'run-b', keepRuns: 0 });
    expect(res.previousRunId).toBe('run-a');
    const hydra = res.clusters.find((c) => c.members.includes('hy-000'))!;
    expect(hydra.id).toBe(hydraBefore.id);
    expect(hydra.lineage).toBe('grown');
    expect([...hydra.respawn].sort()).toEqual(['hy-100', 'hy-101', 'hy-102', 'hy-103', 'hy-104']);
    const org = res.clusters.find((c) => c.members.includes('org-000'))!;
    expect(org.lineage).toBe('unchanged');
    expect(org.respawn).toHaveLength(0);
    const q = await client.query(`MATCH (a:Account)-[m:MEMBER_OF {runId: 'run-b', respawn: true}]->(:Cluster) RETURN a.id AS id ORDER BY id`);
    expect(q.records.map((r) => r.get('id'))).toEqual(['hy-100', 'hy-101', 'hy-102', 'hy-103', 'hy-104']);
    // The earlier run stays queryable until retention prunes it.
    expect((await listRuns(client)).map((r) => r.id)).toEqual(['run-b', 'run-a']);
    expect((await resolveRun(client, 'latest')).id).toBe('run-b');
    const third = await detectAndWrite(client, { seed: 3, runId: 'run-c', keepRuns: 2 });
    expect(third.pruned).toEqual(['run-a']);
    const left = await client.query(`MATCH (k:Cluster) WHERE k.runId = 'run-a' RETURN count(k) AS n`);
    expect(toNum(left.records[0]!.get('n'))).toBe(0);
    const rels = await client.query(`MATCH ()-[x:MEMBER_OF|LINKED]->() WHERE x.runId = 'run-a' RETURN count(x) AS n`);
    expect(toNum(rels.records[0]!.get('n'))).toBe(0);
    expect(await readRunClusters(client, 'run-b')).not.toHaveLength(0);
    await expect(resolveRun(client, 'run-a')).rejects.toBeInstanceOf(NotFoundError);
  });
});
