import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Neo4jClient } from '../../src/db/index.js';
import { bindParams, formatRows, listCookbook, loadCookbookQuery, parseParamArgs, runCookbookQuery, type QueryRows } from '../../src/analyst/index.js';
import { InvalidParameterError, NotFoundError } from '../../src/util/errors.js';
import { freshNeo4j } from '../helpers/services.js';
import { HOSTILE_ACCOUNT, RUN1, RUN2, seedTwoRuns } from '../helpers/seed-run.js';

let client: Neo4jClient;
const exercised = new Set<string>();

beforeAll(async () => {
  client = await freshNeo4j();
  await seedTwoRuns(client);
});
afterAll(async () => {
  await client?.close();
});

async function run(name: string, params: Record<string, string> = {}): Promise<QueryRows> {
  exercised.add(name);
  return runCookbookQuery(client, name, params);
}

describe('the Cypher cookbook against real Neo4j', () => {
  it('top-clusters: latest run, strongest first; int limit and recommendation filter', async () => {
    const all = await run('top-clusters');
    expect(all.rows.map((r) => [r.run, r.cluster, r.recommendation, r.size])).toEqual([
      [RUN2, 'ring-a', 'enforce', 5],
      [RUN2, 'ring-b', 'review', 5],
      [RUN2, 'fam-c', 'monitor', 2],
    ]);
    expect((await run('top-clusters', { limit: '1' })).rows.map((r) => r.cluster)).toEqual(['ring-a']);
    expect((await run('top-clusters', { run: RUN1, minRecommendation: 'review' })).rows.map((r) => [r.cluster, r.size])).toEqual([
      ['ring-a', 4],
      ['ring-b', 3],
    ]);
  });

  it('cluster-members: each member with the identifiers it shares with other members', async () => {
    const { rows } = await run('cluster-members', { cluster: 'ring-a' });
    expect(rows.map((r) => r.account).sort()).toEqual(['a01', 'a02', 'a03', 'a04', 'a05']);
    const a01 = rows.find((r) => r.account === 'a01')!;
    const shared = Object.fromEntries(
      (a01.shared as Array<{ kind: string; key: string; sharedWith: number }>).map((s) => [`${s.kind}:${s.key}`, s.sharedWith]),
    );
    expect(shared).toEqual({
      'PaymentMethod:pm-A': 3,
      'IP:203.0.113.10': 2,
      'IP:100.64.0.1': 1,
      'IP:2001:db8:0:1::10': 1,
      'PromptFingerprint:fp-tpl-cot': 4,
      'Subnet:203.0.113.0/24': 4,
      'Subnet:100.64.0.0/24': 1,
      'Subnet:2001:0db8:0000:0001::/64': 1,
    });
    expect(rows.find((r) => r.account === 'a05')!.respawn).toBe(true);
    const hostile = await run('cluster-members', { cluster: 'ring-b' });
    expect(hostile.rows.map((r) => r.account)).toContain(HOSTILE_ACCOUNT);
  });

  it('evidence-path: shortest path between accounts, with and without LINKED edges', async () => {
    const linked = await run('evidence-path', { from: 'a01', to: 'b02' });
    expect(linked.rows).toHaveLength(1);
    expect(linked.rows[0]!.hops).toBe(5);
    const nodes = linked.rows[0]!.nodes as Array<{ kind: string; key: string }>;
    expect(nodes[0]).toEqual({ kind: 'Account', key: 'a01' });
    expect(nodes.at(-1)).toEqual({ kind: 'Account', key: 'b02' });
    expect(nodes).toContainEqual({ kind: 'IP', key: '192.0.2.50' });
    expect(linked.rows[0]!.relationships).toContain('LINKED');
    const idsOnly = await run('evidence-path', { from: 'a01', to: 'b02', viaLinked: 'false' });
    expect(idsOnly.rows[0]!.hops).toBe(6);
    expect(idsOnly.rows[0]!.relationships).not.toContain('LINKED');
    expect((await run('evidence-path', { from: 'a01', to: 'x03', viaLinked: 'false' })).rows[0]!.hops).toBe(2);
  });

  it('respawn-accounts: a05 joined the enforced ring-a since the previous run', async () => {
    const { rows } = await run('respawn-accounts');
    expect(rows.map((r) => [r.account, r.cluster, r.enforcedCluster, r.previousRun, r.respawnFlag])).toEqual([['a05', 'ring-a', 'ring-a', RUN1, true]]);
    expect((await run('respawn-accounts', { run: RUN1 })).rows).toEqual([]);
  });

  it('bridging-identifiers: the IP and subnet that link ring-a and ring-b', async () => {
    const { rows } = await run('bridging-identifiers');
    expect(rows.map((r) => [r.kind, r.key, r.clusterA, r.membersA, r.clusterB, r.membersB])).toEqual([
      ['IP', '192.0.2.50', 'ring-a', 1, 'ring-b', 1],
      ['Subnet', '192.0.2.0/24', 'ring-a', 1, 'ring-b', 1],
    ]);
    expect((await run('bridging-identifiers', { clusterA: 'fam-c' })).rows).toEqual([]);
    expect((await run('bridging-identifiers', { clusterA: 'ring-b', clusterB: 'ring-a', limit: '1' })).rows).toHaveLength(1);
  });

  it('cluster-history: ring-a across both runs', async () => {
    const { rows } = await run('cluster-history', { cluster: 'ring-a' });
    expect(rows.map((r) => [r.run, r.size, r.lineage, r.recommendation, r.respawns])).toEqual([
      [RUN1, 4, 'new', 'enforce', 0],
      [RUN2, 5, 'grown', 'enforce', 1],
    ]);
  });

  it('subnet-accounts and payment-accounts: the accounts behind one /24 and one card', async () => {
    const subnet = await run('subnet-accounts', { cidr: '203.0.113.0/24' });
    expect(subnet.rows.map((r) => r.account)).toEqual(['a03', 'a01', 'a02', 'a04', 'a05']);
    expect(subnet.rows[0]).toMatchObject({ ips: expect.arrayContaining(['203.0.113.10', '203.0.113.11']), requests: 6, cluster: 'ring-a' });
    const cgnat = await run('subnet-accounts', { cidr: '100.64.0.0/24' });
    expect(cgnat.rows.filter((r) => r.cluster === null)).toHaveLength(6);
    const card = await run('payment-accounts', { payment: 'pm-A' });
    expect(card.rows.map((r) => [r.account, r.cluster])).toEqual(['a01', 'a02', 'a03', 'a04'].map((a) => [a, 'ring-a']));
    expect(card.rows[0]!.firstSeen).toMatch(/^2025-12-01T00:00/);
  });

  it('a run that carries every cluster of the last one (an incremental run) reads as that run, lineage unchanged', async () => {
    // As the writer carries (src/db/linkage-writer.ts): the same Cluster nodes, one more IN_RUN each.
    await client.query(
      `CREATE (r3:LinkageRun {id: 'run-2026-01-03', startedAt: datetime('2026-01-03T02:00:00Z'), finishedAt: datetime('2026-01-03T02:01:00Z'),
                              seed: 42, params: '{}', stats: '{}'})
       WITH r3 MATCH (k:Cluster)-[:IN_RUN]->(:LinkageRun {id: $run2})
       CREATE (k)-[:IN_RUN {lineage: 'unchanged', previousId: k.id}]->(r3)`,
      { run2: RUN2 },
    );
    const top = await run('top-clusters');
    expect(top.rows.map((r) => [r.run, r.cluster, r.lineage, r.previousId])).toEqual([
      ['run-2026-01-03', 'ring-a', 'unchanged', 'ring-a'],
      ['run-2026-01-03', 'ring-b', 'unchanged', 'ring-b'],
      ['run-2026-01-03', 'fam-c', 'unchanged', 'fam-c'],
    ]);
    // a05 joined ring-a in RUN2; carried into the next run it is a member, not a respawn again.
    expect((await run('cluster-members', { cluster: 'ring-a' })).rows.find((r) => r.account === 'a05')!.respawn).toBe(false);
    expect((await run('respawn-accounts')).rows).toEqual([]);
    const history = await run('cluster-history', { cluster: 'ring-a' });
    expect(history.rows.map((r) => [r.run, r.size, r.lineage, r.respawns])).toEqual([
      [RUN1, 4, 'new', 0],
      [RUN2, 5, 'grown', 1],
      ['run-2026-01-03', 5, 'unchanged', 0],
    ]);
    // The carried clusters' LINKED edges (written by RUN2) are this run's; RUN1's are not.
    const linked = await run('evidence-path', { from: 'a01', to: 'b02' });
    expect(linked.rows[0]!.hops).toBe(5);
    expect(linked.rows[0]!.relationships).toContain('LINKED');
    await client.query("MATCH (:LinkageRun {id: 'run-2026-01-03'})<-[i:IN_RUN]-(:Cluster {id: 'ring-b'}) DELETE i");
    expect((await run('evidence-path', { from: 'a01', to: 'b02' })).rows[0]!.hops).toBe(6);
  });

  it('every cookbook file has a header and was exercised above', () => {
    const all = listCookbook();
    for (const q of all) {
      expect(q.summary.length, q.name).toBeGreaterThan(20);
      expect(q.cypher).not.toMatch(/^\/\//);
    }
    expect([...exercised].sort()).toEqual(all.map((q) => q.name));
  });
});

describe('cookbook parameters', () => {
  it('types params from the header (ints as neo4j Integers), applies defaults, rejects bad input', () => {
    const q = loadCookbookQuery('top-clusters');
    const p = bindParams(q, parseParamArgs(['limit=7']));
    expect(p.run).toBe('latest');
    expect((p.limit as { toNumber(): number }).toNumber()).toBe(7);
    expect(() => bindParams(q, { limit: '7.5' })).toThrow(InvalidParameterError);
    expect(() => bindParams(q, { nope: '1' })).toThrow(InvalidParameterError);
    expect(() => bindParams(loadCookbookQuery('cluster-members'), {})).toThrow(InvalidParameterError);
    expect(() => bindParams(loadCookbookQuery('evidence-path'), { from: 'a', to: 'b', viaLinked: 'yes' })).toThrow(InvalidParameterError);
    expect(() => parseParamArgs(['novalue'])).toThrow(InvalidParameterError);
    expect(() => loadCookbookQuery('../package')).toThrow(NotFoundError);
    expect(() => loadCookbookQuery('no-such-query')).toThrow(NotFoundError);
  });

  it('formats rows as a table (control characters escaped), JSON and CSV', () => {
    const rows: QueryRows = {
      columns: ['account', 'shared'],
      rows: [
        { account: 'evil\u001b[31m', shared: [{ k: 1 }] },
        { account: 'a,b', shared: null },
      ],
      truncated: false,
      limit: 10,
    };
    const table = formatRows(rows, 'table');
    expect(table).not.toContain('\u001b');
    expect(table).toContain('evil\\u001b[31m');
    expect(table).toContain('(2 rows)');
    expect(JSON.parse(formatRows(rows, 'json'))).toEqual({ columns: rows.columns, rows: rows.rows, truncated: false, limit: 10 });
    expect(parse(formatRows(rows, 'csv'), { columns: true })).toEqual([
      { account: 'evil\u001b[31m', shared: '[{"k":1}]' },
      { account: 'a,b', shared: '' },
    ]);
  });
});
