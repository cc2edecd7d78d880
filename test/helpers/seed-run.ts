import { neo4j, type Neo4jClient } from '../../src/db/index.js';

/**
 * A small, realistic graph following docs/neo4j-model.md, with two linkage runs, for the export,
 * analyst and report tests (until ingest + detection can produce one end to end).
 *
 * - ring-a: a proxy-reseller fleet (shared cards, a /24, an IPv6 /64, one templated CoT prompt);
 *   enforce in both runs; a05 joins in run 2 (respawn).
 * - ring-b: review; grows in run 2 and gains a member with a hostile id.
 * - fam-c: a family sharing one card, monitor (run 2 only).
 * - 100.64.0.1: a CGNAT address used by a01, a02 and six bystanders (must not become an indicator).
 * - 192.0.2.50: used by a05 and b01, bridging ring-a and ring-b.
 */
export const HOSTILE_ACCOUNT = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
export const HOSTILE_PROMPT = `fp-"quoted",comma'\nnewline`;

export const RUN1 = 'run-2026-01-01';
export const RUN2 = 'run-2026-01-02';

interface Use {
  a: string;
  k: string;
}

const ringA = ['a01', 'a02', 'a03', 'a04', 'a05'];
const ringB = ['b01', 'b02', 'b03', 'b04', HOSTILE_ACCOUNT];
const bystanders = ['x01', 'x02', 'x03', 'x04', 'x05', 'x06'];

const payments: Use[] = [
  ...['a01', 'a02', 'a03', 'a04'].map((a) => ({ a, k: 'pm-A' })),
  { a: 'a04', k: 'pm-A2' },
  { a: 'a05', k: 'pm-A2' },
  ...['b01', 'b02', 'b03'].map((a) => ({ a, k: 'pm-B' })),
  { a: 'm01', k: 'pm-fam' },
  { a: 'm02', k: 'pm-fam' },
  ...bystanders.map((a, i) => ({ a, k: `pm-x${i}` })),
];
const ips: Use[] = [
  ...['a01', 'a02', 'a03'].map((a) => ({ a, k: '203.0.113.10' })),
  ...['a03', 'a04', 'a05'].map((a) => ({ a, k: '203.0.113.11' })),
  { a: 'a01', k: '2001:db8:0:1::10' },
  { a: 'a05', k: '2001:db8:0:1::10' },
  ...['b01', 'b02', 'b03', 'b04', HOSTILE_ACCOUNT].map((a) => ({ a, k: '198.51.100.7' })),
  { a: 'a05', k: '192.0.2.50' },
  { a: 'b01', k: '192.0.2.50' },
  ...['a01', 'a02', ...bystanders].map((a) => ({ a, k: '100.64.0.1' })),
  { a: 'm01', k: '198.18.5.5' },
  { a: 'm02', k: '198.18.5.5' },
];
const prompts: Use[] = [
  ...ringA.map((a) => ({ a, k: 'fp-tpl-cot' })),
  ...['b01', 'b02', 'b03', 'b04', HOSTILE_ACCOUNT].map((a) => ({ a, k: HOSTILE_PROMPT })),
  ...['b01', 'b02'].map((a) => ({ a, k: 'fp-b-rubric' })),
  ...['m01', 'x01'].map((a) => ({ a, k: 'fp-popular-tool' })),
];

function subnetOf(ip: string): { cidr: string; version: number } {
  if (ip.includes(':')) return { cidr: '2001:0db8:0000:0001::/64', version: 6 };
  return { cidr: `${ip.split('.').slice(0, 3).join('.')}.0/24`, version: 4 };
}

interface ClusterSpec {
  id: string;
  score: number;
  recommendation: string;
  lineage: string;
  previousId: string | null;
  weakestLink: number;
  reasons: string[];
  members: Array<{ a: string; respawn: boolean }>;
  links: Array<[string, string, number]>;
}

function chain(ids: string[], w: number): Array<[string, string, number]> {
  return ids.slice(1).map((b, i) => [ids[i]!, b, w - i * 0.05]);
}

const REASONS_A = [
  'shared payment fingerprint pm-A across 4 accounts',
  'templated chain-of-thought prompts (coding)',
  'synchronised hourly activity',
  'proxy /24 203.0.113.0/24',
];
const REASONS_B = ['one templated rubric prompt across the cluster', 'shared reseller IP 198.51.100.7'];

export const RUNS: Record<string, { startedAt: string; finishedAt: string; clusters: ClusterSpec[] }> = {
  [RUN1]: {
    startedAt: '2026-01-01T02:00:00Z',
    finishedAt: '2026-01-01T02:05:00Z',
    clusters: [
      {
        id: 'ring-a',
        score: 0.91,
        recommendation: 'enforce',
        lineage: 'new',
        previousId: null,
        weakestLink: 0.55,
        reasons: REASONS_A,
        members: ringA.slice(0, 4).map((a) => ({ a, respawn: false })),
        links: chain(ringA.slice(0, 4), 0.9),
      },
      {
        id: 'ring-b',
        score: 0.62,
        recommendation: 'review',
        lineage: 'new',
        previousId: null,
        weakestLink: 0.41,
        reasons: REASONS_B,
        members: ringB.slice(0, 3).map((a) => ({ a, respawn: false })),
        links: chain(ringB.slice(0, 3), 0.7),
      },
    ],
  },
  [RUN2]: {
    startedAt: '2026-01-02T02:00:00Z',
    finishedAt: '2026-01-02T02:06:00Z',
    clusters: [
      {
        id: 'ring-a',
        score: 0.94,
        recommendation: 'enforce',
        lineage: 'grown',
        previousId: 'ring-a',
        weakestLink: 0.52,
        reasons: REASONS_A,
        members: ringA.map((a) => ({ a, respawn: a === 'a05' })),
        links: chain(ringA, 0.9),
      },
      {
        id: 'ring-b',
        score: 0.66,
        recommendation: 'review',
        lineage: 'grown',
        previousId: 'ring-b',
        weakestLink: 0.4,
        reasons: REASONS_B,
        members: ringB.map((a) => ({ a, respawn: false })),
        links: chain(ringB, 0.7),
      },
      {
        id: 'fam-c',
        score: 0.2,
        recommendation: 'monitor',
        lineage: 'new',
        previousId: null,
        weakestLink: 0.3,
        reasons: ['shared card pm-fam'],
        members: [
          { a: 'm01', respawn: false },
          { a: 'm02', respawn: false },
        ],
        links: [['m01', 'm02', 0.3]],
      },
    ],
  },
};

export const ALL_ACCOUNTS = [...new Set([...ringA, ...ringB, 'm01', 'm02', ...bystanders])];

/** Write the evidence and both runs (the database should be fresh: see freshNeo4j). */
export async function seedTwoRuns(client: Neo4jClient): Promise<void> {
  const base = Date.UTC(2025, 11, 1);
  await client.write(async (tx) => {
    await tx.run(
      `UNWIND $accounts AS a
       MERGE (x:Account {id: a.id})
       SET x.createdAt = datetime({epochMillis: a.createdAt}), x.emailDomain = a.domain, x.country = a.country, x.verified = false, x.plan = 'payg'`,
      {
        accounts: ALL_ACCOUNTS.map((id, i) => ({
          id,
          createdAt: neo4j.int(base + i * 3_600_000),
          domain: id.startsWith('x') ? 'gmail.com' : 'mailinator.example',
          country: i % 2 ? 'SG' : 'US',
        })),
      },
    );
    const rel = { firstSeen: neo4j.int(base), lastSeen: neo4j.int(base + 86_400_000), n: neo4j.int(3) };
    await tx.run(
      `UNWIND $rows AS r MATCH (a:Account {id: r.a}) MERGE (p:PaymentMethod {id: r.k}) SET p.cardBin = '411111', p.cardCountry = 'US'
       MERGE (a)-[e:PAID_WITH]->(p) SET e.firstSeen = datetime({epochMillis: $f}), e.lastSeen = datetime({epochMillis: $l}), e.observations = $n`,
      { rows: payments, f: rel.firstSeen, l: rel.lastSeen, n: rel.n },
    );
    await tx.run(
      `UNWIND $rows AS r MATCH (a:Account {id: r.a})
       MERGE (ip:IP {address: r.k}) SET ip.version = r.version, ip.asn = r.asn, ip.isProxy = r.proxy
       MERGE (s:Subnet {cidr: r.cidr}) SET s.version = r.version
       MERGE (ip)-[:IN_SUBNET]->(s)
       MERGE (a)-[e:CONNECTED_FROM]->(ip) SET e.firstSeen = datetime({epochMillis: $f}), e.lastSeen = datetime({epochMillis: $l}), e.observations = $n, e.requests = $n`,
      {
        rows: ips.map((u) => {
          const s = subnetOf(u.k);
          return { ...u, cidr: s.cidr, version: neo4j.int(s.version), asn: u.k.startsWith('100.64') ? 'AS64500' : 'AS64511', proxy: !u.k.startsWith('100.64') };
        }),
        f: rel.firstSeen,
        l: rel.lastSeen,
        n: rel.n,
      },
    );
    await tx.run(
      `UNWIND $rows AS r MATCH (a:Account {id: r.a})
       MERGE (p:PromptFingerprint {id: r.k}) SET p.capability = r.cap, p.kind = 'template', p.markers = r.markers
       MERGE (a)-[e:SENT]->(p) SET e.firstSeen = datetime({epochMillis: $f}), e.lastSeen = datetime({epochMillis: $l}), e.count = $n, e.observations = $n`,
      {
        rows: prompts.map((u) => ({
          ...u,
          cap: u.k === 'fp-popular-tool' ? 'writing' : 'coding',
          markers: u.k === 'fp-tpl-cot' ? ['cot'] : u.k === 'fp-b-rubric' ? ['rubric'] : [],
        })),
        f: rel.firstSeen,
        l: rel.lastSeen,
        n: rel.n,
      },
    );
    await tx.run(
      `UNWIND $rows AS r MATCH (a:Account {id: r.a})
       SET a.activeHours = r.h, a.hourlyRequests = [h IN r.h | $n]`,
      { rows: ringA.map((a) => ({ a, h: [0, 1, 2].map((d) => neo4j.int(Math.floor(base / 3_600_000) + d)) })), n: neo4j.int(26) },
    );
    for (const [runId, spec] of Object.entries(RUNS)) {
      await tx.run(
        `MERGE (r:LinkageRun {id: $runId}) SET r.startedAt = datetime($s), r.finishedAt = datetime($f), r.seed = $seed, r.params = '{}', r.stats = '{}'
         WITH r UNWIND $clusters AS c
         MERGE (k:Cluster {uid: $runId + '/' + c.id})
         SET k.id = c.id, k.runId = $runId, k.score = c.score, k.recommendation = c.recommendation, k.size = c.size,
             k.reasons = c.reasons, k.features = '{}', k.lineage = c.lineage, k.previousId = c.previousId, k.weakestLink = c.weakestLink
         MERGE (k)-[:IN_RUN]->(r)
         WITH k, c UNWIND c.members AS m
         MATCH (a:Account {id: m.a})
         MERGE (a)-[e:MEMBER_OF {runId: $runId}]->(k) SET e.respawn = m.respawn`,
        {
          runId,
          s: spec.startedAt,
          f: spec.finishedAt,
          seed: neo4j.int(42),
          clusters: spec.clusters.map((c) => ({ ...c, size: neo4j.int(c.members.length) })),
        },
      );
      await tx.run(
        `UNWIND $links AS l MATCH (a:Account {id: l[0]}), (b:Account {id: l[1]})
         MERGE (a)-[e:LINKED {runId: $runId}]->(b) SET e.weight = l[2], e.evidence = l[3], e.cluster = l[4]`,
        {
          runId,
          links: spec.clusters.flatMap((c) => c.links.map(([a, b, w]) => [a, b, w, JSON.stringify({ payment: w * 0.5, ip: w * 0.3, prompt: w * 0.2 }), c.id])),
        },
      );
    }
  });
}
