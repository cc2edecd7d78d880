// Neo4j's LOAD CSV with the same MERGE semantics as ringscope ingest (src/db/ingest-repository.ts):
// the baseline of the ingest benchmark (bench-ingest.mjs) and of the per-statement profile
// (profile-ingest-dbhits.mjs).

/** The drop's file of each kind, in dependency order. */
export const FILES = {
  accounts: 'accounts.csv',
  payment_methods: 'payment_methods.csv',
  ip_addresses: 'ip_addresses.csv',
  prompt_fingerprints: 'prompt_fingerprints.csv',
  activity: 'activity.csv',
};

const SEEN_CREATE = 'x.firstSeen = datetime(row.first_seen), x.lastSeen = datetime(row.last_seen), x.observations = 1';
const SEEN_MATCH = `
      x.firstSeen = CASE WHEN x.firstSeen IS NULL OR datetime(row.first_seen) < x.firstSeen THEN datetime(row.first_seen) ELSE x.firstSeen END,
      x.lastSeen = CASE WHEN x.lastSeen IS NULL OR datetime(row.last_seen) > x.lastSeen THEN datetime(row.last_seen) ELSE x.lastSeen END,
      x.observations = coalesce(x.observations, 0) + 1`;
/** A LOAD CSV body run as Neo4j's own batched loader. */
export const inTx = (body) => `LOAD CSV WITH HEADERS FROM $url AS row\nCALL (row) {\n${body}\n} IN TRANSACTIONS OF 10000 ROWS`;
/** Per file kind, the body of a LOAD CSV statement (`row` is the CSV row) with the MERGE semantics of ringscope ingest. */
export const LOAD_CSV_BODIES = {
  accounts: `
  MERGE (a:Account {id: row.account_id})
  WITH a, row, datetime(row.created_at) AS c
  SET a.createdAt = CASE WHEN a.createdAt IS NULL OR c < a.createdAt THEN c ELSE a.createdAt END,
      a.emailDomain = coalesce(row.email_domain, a.emailDomain),
      a.country = coalesce(row.country, a.country),
      a.verified = coalesce(toBoolean(row.verified), a.verified),
      a.plan = coalesce(row.plan, a.plan)`,
  payment_methods: `
  MERGE (a:Account {id: row.account_id})
  MERGE (p:PaymentMethod {id: row.payment_fingerprint})
  SET p.cardBin = coalesce(row.card_bin, p.cardBin), p.cardCountry = coalesce(row.card_country, p.cardCountry)
  MERGE (a)-[x:PAID_WITH]->(p)
  ON CREATE SET ${SEEN_CREATE}
  ON MATCH SET ${SEEN_MATCH}`,
  // The subnet as src/loaders/ip.ts computes it: /24 for IPv4, the first four hextets /64 for IPv6
  // (the generator writes canonical addresses without zero hextets, so no compression applies).
  ip_addresses: `
  MERGE (a:Account {id: row.account_id})
  MERGE (ip:IP {address: row.ip})
  WITH a, ip, row, CASE WHEN row.ip CONTAINS ':' THEN 6 ELSE 4 END AS v
  SET ip.version = v, ip.asn = coalesce(row.asn, ip.asn), ip.isProxy = coalesce(toBoolean(row.is_proxy), ip.isProxy)
  MERGE (a)-[x:CONNECTED_FROM]->(ip)
  ON CREATE SET x.requests = toInteger(row.requests), ${SEEN_CREATE}
  ON MATCH SET x.requests = coalesce(x.requests, 0) + toInteger(row.requests), ${SEEN_MATCH}
  WITH ip, v, CASE WHEN v = 6 THEN reduce(s = '', h IN split(row.ip, ':')[0..4] | s + h + ':') + ':/64'
                ELSE reduce(s = '', o IN split(row.ip, '.')[0..3] | s + o + '.') + '0/24' END AS cidr
  MERGE (n:Subnet {cidr: cidr})
  SET n.version = v
  MERGE (ip)-[:IN_SUBNET]->(n)`,
  prompt_fingerprints: `
  MERGE (a:Account {id: row.account_id})
  WITH a, row, CASE WHEN row.markers IS NULL THEN [] ELSE split(row.markers, ';') END AS mk
  MERGE (p:PromptFingerprint {id: row.fingerprint})
  ON CREATE SET p.kind = coalesce(row.kind, 'template'), p.markers = CASE WHEN size(mk) > 0 THEN [m IN ['cot', 'rubric'] WHERE m IN mk] END,
      p.capability = row.capability
  ON MATCH SET p.kind = coalesce(row.kind, p.kind, 'template'),
      p.markers = CASE WHEN size(mk) > 0 THEN [m IN ['cot', 'rubric'] WHERE m IN mk OR m IN coalesce(p.markers, [])] ELSE p.markers END,
      p.capability = coalesce(row.capability, p.capability)
  MERGE (a)-[x:SENT]->(p)
  ON CREATE SET x.count = toInteger(row.count), ${SEEN_CREATE}
  ON MATCH SET x.count = coalesce(x.count, 0) + toInteger(row.count), ${SEEN_MATCH}`,
  // Hourly activity as ringscope stores it: ascending epoch hours on the account, requests summed per hour.
  activity: `
  MERGE (a:Account {id: row.account_id})
  WITH a, datetime(row.hour).epochMillis / 3600000 AS h, toInteger(row.requests) AS n
  WITH a, h, n, coalesce(a.activeHours, []) AS oh, coalesce(a.hourlyRequests, []) AS orq
  WITH a, h, n, oh, orq, [i IN range(0, size(oh) - 1) WHERE oh[i] < h] AS lo, [i IN range(0, size(oh) - 1) WHERE oh[i] > h] AS hi,
       reduce(s = 0, i IN range(0, size(oh) - 1) | s + CASE WHEN oh[i] = h THEN orq[i] ELSE 0 END) AS same
  SET a.activeHours = [i IN lo | oh[i]] + [h] + [i IN hi | oh[i]],
      a.hourlyRequests = [i IN lo | orq[i]] + [n + same] + [i IN hi | orq[i]]`,
};
