import type { LinkageInput } from '../../src/graph/types.js';
import { neo4j, type Neo4jClient } from '../../src/db/index.js';

/**
 * Test helper: writes a LinkageInput into Neo4j following docs/neo4j-model.md, with plain Cypher
 * (UNWIND batches, integers as neo4j.int, times as DateTime). Subnet groups are not written: they
 * are implied by IPs ((:IP)-[:IN_SUBNET]->(:Subnet), /24 of the dotted address).
 */
const SCHEMA = [
  'CREATE CONSTRAINT account_id IF NOT EXISTS FOR (n:Account) REQUIRE n.id IS UNIQUE',
  'CREATE CONSTRAINT payment_method_id IF NOT EXISTS FOR (n:PaymentMethod) REQUIRE n.id IS UNIQUE',
  'CREATE CONSTRAINT ip_address IF NOT EXISTS FOR (n:IP) REQUIRE n.address IS UNIQUE',
  'CREATE CONSTRAINT subnet_cidr IF NOT EXISTS FOR (n:Subnet) REQUIRE n.cidr IS UNIQUE',
  'CREATE CONSTRAINT prompt_fingerprint_id IF NOT EXISTS FOR (n:PromptFingerprint) REQUIRE n.id IS UNIQUE',
];

async function batches(client: Neo4jClient, cypher: string, rows: unknown[], size = 5000): Promise<void> {
  for (let i = 0; i < rows.length; i += size) {
    const slice = rows.slice(i, i + size);
    await client.write((tx) => tx.run(cypher, { rows: slice }));
  }
}

export async function writeLinkageInput(client: Neo4jClient, input: LinkageInput): Promise<void> {
  for (const s of SCHEMA) await client.query(s);
  await client.query('CALL db.awaitIndexes(120)');
  const int = (x: number) => neo4j.int(Math.round(x));
  await batches(
    client,
    `UNWIND $rows AS r MERGE (a:Account {id: r.id})
     SET a.createdAt = CASE WHEN r.createdAt IS NULL THEN null ELSE datetime({epochMillis: r.createdAt}) END,
         a.emailDomain = r.emailDomain, a.country = r.country, a.verified = r.verified, a.plan = r.plan`,
    [...input.accounts.values()].map((a) => ({
      id: a.id,
      createdAt: a.createdAt === undefined ? null : int(a.createdAt),
      emailDomain: a.emailDomain ?? null,
      country: a.country ?? null,
      verified: a.verified ?? null,
      plan: a.plan ?? null,
    })),
  );
  const rows = (kind: string) =>
    input.identifiers
      .filter((g) => g.kind === kind)
      .flatMap((g) =>
        g.members.map((m) => ({
          key: g.key,
          account: m.account,
          f: int(m.firstSeen),
          l: int(m.lastSeen),
          c: int(m.count),
          isProxy: g.isProxy ?? null,
          subnet: kind === 'ip' ? `${g.key.split('.').slice(0, 3).join('.')}.0/24` : null,
          capability: g.capability ?? null,
          fpKind: g.fpKind ?? null,
          markers: g.markers ? [...g.markers] : [],
        })),
      );
  await batches(
    client,
    `UNWIND $rows AS r MERGE (a:Account {id: r.account}) MERGE (p:PaymentMethod {id: r.key})
     MERGE (a)-[x:PAID_WITH]->(p)
     SET x.firstSeen = datetime({epochMillis: r.f}), x.lastSeen = datetime({epochMillis: r.l}), x.observations = r.c`,
    rows('payment'),
  );
  await batches(
    client,
    `UNWIND $rows AS r MERGE (a:Account {id: r.account})
     MERGE (i:IP {address: r.key}) SET i.version = 4, i.isProxy = r.isProxy
     MERGE (s:Subnet {cidr: r.subnet}) SET s.version = 4
     MERGE (i)-[:IN_SUBNET]->(s)
     MERGE (a)-[x:CONNECTED_FROM]->(i)
     SET x.firstSeen = datetime({epochMillis: r.f}), x.lastSeen = datetime({epochMillis: r.l}), x.requests = r.c, x.observations = 1`,
    rows('ip'),
  );
  await batches(
    client,
    `UNWIND $rows AS r MERGE (a:Account {id: r.account})
     MERGE (p:PromptFingerprint {id: r.key}) SET p.capability = r.capability, p.kind = r.fpKind, p.markers = r.markers
     MERGE (a)-[x:SENT]->(p)
     SET x.firstSeen = datetime({epochMillis: r.f}), x.lastSeen = datetime({epochMillis: r.l}), x.count = r.c, x.observations = 1`,
    rows('prompt'),
  );
  const act: Array<{ account: string; hours: unknown[]; requests: unknown[] }> = [];
  for (const [account, s] of input.activity) act.push({ account, hours: [...s.hours].map(int), requests: [...s.requests].map(int) });
  await batches(
    client,
    `UNWIND $rows AS r MERGE (a:Account {id: r.account})
     SET a.activeHours = r.hours, a.hourlyRequests = r.requests`,
    act,
    2000,
  );
}
