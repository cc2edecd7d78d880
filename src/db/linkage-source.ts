import type {
  AccountAttrs,
  ActivitySeries,
  Capability,
  FingerprintKind,
  IdentifierGroup,
  LinkageInput,
  Membership,
  PromptMarker,
  SoloPrompts,
} from '../graph/types.js';
import { toNum, type Neo4jClient } from './neo4j-client.js';
import neo4j from 'neo4j-driver';

/**
 * Reads the LinkageInput out of Neo4j (docs/neo4j-model.md) in pages: keyset pagination on each
 * label's unique key (`WHERE n.key > $after ORDER BY n.key LIMIT $page`, served by the unique
 * constraint's index), never one giant result. Each identifier page returns one row per
 * identifier with its members as parallel lists. Membership counts follow the loader's in-memory
 * reader: payments count observations, IPs and subnets requests, prompts `count`. Times and counts
 * come back as floats (exact below 2^53): a Neo4j integer decodes to a driver Integer object, one
 * per timestamp, count and active hour (~60M at 1M accounts), all garbage once converted, and garbage
 * collection was 31% of the CPU profile of a 1M-account detection.
 */
export interface LinkageSourceOptions {
  /** Nodes per page. @defaultValue 5000 */
  readonly pageSize: number;
  /** Called after each page with the phase and the rows read so far. @defaultValue undefined */
  readonly onProgress: ((phase: string, rows: number) => void) | undefined;
}

export const LINKAGE_SOURCE_DEFAULTS: LinkageSourceOptions = { pageSize: 5000, onProgress: undefined };

type Row = Record<string, unknown>;

const Q_ACCOUNTS = `
MATCH (a:Account) WHERE a.id > $after
WITH a ORDER BY a.id LIMIT $limit
RETURN a.id AS key, toFloat(a.createdAt.epochMillis) AS createdAt, a.emailDomain AS emailDomain, a.country AS country,
       a.verified AS verified, a.plan AS plan`;

const Q_ACTIVITY = `
MATCH (a:Account) WHERE a.id > $after
WITH a ORDER BY a.id LIMIT $limit
RETURN a.id AS key, [h IN coalesce(a.activeHours, []) | toFloat(h)] AS hours, [n IN coalesce(a.hourlyRequests, []) | toFloat(n)] AS requests`;

const membersOf = (rel: string, count: string): string => `
  MATCH (a:Account)-[r:${rel}]->(n)
  RETURN collect(a.id) AS ids, collect(toFloat(r.firstSeen.epochMillis)) AS fs, collect(toFloat(r.lastSeen.epochMillis)) AS ls,
         collect(toFloat(${count})) AS cs`;

const Q_PAYMENTS = `
MATCH (n:PaymentMethod) WHERE n.id > $after
WITH n ORDER BY n.id LIMIT $limit
CALL (n) {${membersOf('PAID_WITH', 'coalesce(r.observations, 1)')} }
RETURN n.id AS key, ids, fs, ls, cs`;

const Q_IPS = `
MATCH (n:IP) WHERE n.address > $after
WITH n ORDER BY n.address LIMIT $limit
CALL (n) {${membersOf('CONNECTED_FROM', 'coalesce(r.requests, r.observations, 1)')} }
RETURN n.address AS key, n.isProxy AS isProxy, n.asn AS asn, ids, fs, ls, cs`;

const Q_SUBNETS = `
MATCH (n:Subnet) WHERE n.cidr > $after
WITH n ORDER BY n.cidr LIMIT $limit
CALL (n) {
  MATCH (a:Account)-[r:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(n)
  WITH a, min(r.firstSeen) AS f, max(r.lastSeen) AS l, sum(coalesce(r.requests, r.observations, 1)) AS c
  RETURN collect(a.id) AS ids, collect(toFloat(f.epochMillis)) AS fs, collect(toFloat(l.epochMillis)) AS ls, collect(toFloat(c)) AS cs
}
RETURN n.cidr AS key, ids, fs, ls, cs`;

// Prompts are read from the account side. Almost every fingerprint is sent by one account only
// (99.6% of 924,205 in the 70k mixed scenario); such a one links nobody and only counts in its
// account's totals (SoloPrompts), so Neo4j sums those per account and kind instead of returning a row
// per fingerprint, and only the memberships of shared fingerprints travel one by one. COUNT {} on a
// single-hop pattern is answered from the node's degree. A page then costs one row per account
// (15M fingerprint rows became 1M account rows at 1M accounts).
const PROMPT_COUNT = 'coalesce(r.count, r.observations, 1)';
const Q_PROMPTS = `
MATCH (a:Account) WHERE a.id > $after
WITH a ORDER BY a.id LIMIT $limit
CALL (a) {
  OPTIONAL MATCH (a)-[r:SENT]->(p:PromptFingerprint) WHERE COUNT { (p)<-[:SENT]-() } = 1
  WITH p, CASE WHEN ${PROMPT_COUNT} < 1 THEN 1 ELSE ${PROMPT_COUNT} END AS c
  WITH p.kind AS kind, p.capability AS cap, size(coalesce(p.markers, [])) > 0 AS marked, count(p) AS n, sum(c) AS v
  WHERE n > 0
  RETURN collect([kind, cap, marked, n, v]) AS solo
}
CALL (a) {
  OPTIONAL MATCH (a)-[r:SENT]->(p:PromptFingerprint) WHERE COUNT { (p)<-[:SENT]-() } > 1
  WITH r, p WHERE p IS NOT NULL
  RETURN collect([p.id, toFloat(r.firstSeen.epochMillis), toFloat(r.lastSeen.epochMillis), toFloat(${PROMPT_COUNT}), p.capability, p.kind, p.markers]) AS shared
}
RETURN a.id AS key, solo, shared`;

/** Run one keyset-paginated query to the end, handing each page's rows to `onRow`. */
async function paged(client: Neo4jClient, cypher: string, pageSize: number, onRow: (r: Row) => void, onPage: (n: number) => void): Promise<void> {
  let after = '';
  let total = 0;
  for (;;) {
    const res = await client.query(cypher, { after, limit: neo4j.int(pageSize) }, 'READ');
    for (const rec of res.records) onRow(rec.toObject() as Row);
    total += res.records.length;
    onPage(total);
    if (res.records.length < pageSize) return;
    after = res.records[res.records.length - 1]!.get('key') as string;
  }
}

/**
 * Memberships of one identifier row. `intern` maps an account id to the one string already held for
 * it (the driver decodes a fresh string per occurrence): at 1M accounts with ~20 memberships each,
 * sharing them saves about a gigabyte of heap.
 */
function members(r: Row, intern: (id: string) => string): Membership[] {
  const ids = r.ids as string[];
  const fs = r.fs as unknown[];
  const ls = r.ls as unknown[];
  const cs = r.cs as unknown[];
  const out: Membership[] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    out[i] = { account: intern(ids[i]!), firstSeen: toNum(fs[i]), lastSeen: toNum(ls[i]), count: Math.max(1, toNum(cs[i])) };
  }
  return out;
}

const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

/** Read everything detection needs, page by page. */
export async function readLinkageInput(client: Neo4jClient, options: Partial<LinkageSourceOptions> = {}): Promise<LinkageInput> {
  const o = { ...LINKAGE_SOURCE_DEFAULTS, ...options };
  const progress = (phase: string) => (n: number) => o.onProgress?.(phase, n);
  const accounts = new Map<string, AccountAttrs>();
  await paged(
    client,
    Q_ACCOUNTS,
    o.pageSize,
    (r) => {
      const a: { -readonly [K in keyof AccountAttrs]: AccountAttrs[K] } = { id: r.key as string };
      if (r.createdAt !== null && r.createdAt !== undefined) a.createdAt = toNum(r.createdAt);
      if (r.emailDomain != null) a.emailDomain = String(r.emailDomain);
      if (r.country != null) a.country = String(r.country);
      if (r.verified != null) a.verified = Boolean(r.verified);
      if (r.plan != null) a.plan = String(r.plan);
      accounts.set(a.id, a);
    },
    progress('accounts'),
  );

  const intern = (id: string): string => accounts.get(id)?.id ?? id;

  // Two lanes of queries at once: prompts (most of the rows) beside everything else. Each paged
  // query runs single-threaded in Neo4j and decodes single-threaded here, so one lane leaves a core
  // idle. Each kind keeps its own list, concatenated in a fixed order, so the input is the same.
  const payments: IdentifierGroup[] = [];
  const ips: IdentifierGroup[] = [];
  const subnets: IdentifierGroup[] = [];
  const activity = new Map<string, ActivitySeries>();
  const soloPrompts = new Map<string, SoloPrompts>();
  const sharedPrompts = new Map<string, { -readonly [K in keyof IdentifierGroup]: IdentifierGroup[K] } & { members: Membership[] }>();
  const promptLane = paged(
    client,
    Q_PROMPTS,
    o.pageSize,
    (r) => {
      const account = intern(r.key as string);
      const solo = r.solo as unknown[][];
      if (solo.length > 0) {
        const s: { -readonly [K in keyof SoloPrompts]: SoloPrompts[K] } = { fingerprints: {}, volume: {}, markedVolume: 0 };
        for (const [kind, cap, marked, n, v] of solo) {
          const k = (str(kind) || 'template') as FingerprintKind;
          const c = (str(cap) || 'other') as Capability;
          s.fingerprints[k] = (s.fingerprints[k] ?? 0) + toNum(n);
          if (k === 'scaffold') {
            s.scaffoldVolume = (s.scaffoldVolume ?? 0) + toNum(v);
            continue;
          }
          s.volume[c] = (s.volume[c] ?? 0) + toNum(v);
          if (marked === true) s.markedVolume += toNum(v);
        }
        soloPrompts.set(account, s);
      }
      for (const [key, fs, ls, c, cap, kind, markers] of r.shared as unknown[][]) {
        let g = sharedPrompts.get(key as string);
        if (!g) {
          g = { kind: 'prompt', key: key as string, members: [] };
          const capability = str(cap);
          if (capability) g.capability = capability as Capability;
          const k = str(kind);
          if (k) g.fpKind = k as FingerprintKind;
          if (Array.isArray(markers) && markers.length) g.markers = markers.map(String) as PromptMarker[];
          sharedPrompts.set(key as string, g);
        }
        g.members.push({ account, firstSeen: toNum(fs), lastSeen: toNum(ls), count: Math.max(1, toNum(c)) });
      }
    },
    progress('prompts'),
  );
  const otherLane = (async () => {
    await paged(
      client,
      Q_PAYMENTS,
      o.pageSize,
      (r) => {
        payments.push({ kind: 'payment', key: r.key as string, members: members(r, intern) });
      },
      progress('payments'),
    );
    await paged(
      client,
      Q_IPS,
      o.pageSize,
      (r) => {
        const g: { -readonly [K in keyof IdentifierGroup]: IdentifierGroup[K] } = { kind: 'ip', key: r.key as string, members: members(r, intern) };
        if (r.isProxy != null) g.isProxy = Boolean(r.isProxy);
        if (r.asn != null) g.asn = String(r.asn);
        ips.push(g);
      },
      progress('ips'),
    );
    await paged(
      client,
      Q_SUBNETS,
      o.pageSize,
      (r) => {
        subnets.push({ kind: 'subnet', key: r.key as string, members: members(r, intern) });
      },
      progress('subnets'),
    );
    await paged(
      client,
      Q_ACTIVITY,
      o.pageSize,
      (r) => {
        const hs = r.hours as unknown[];
        if (hs.length === 0) return;
        const rq = r.requests as unknown[];
        const order = hs.map((_, i) => i).sort((x, y) => toNum(hs[x]) - toNum(hs[y]));
        activity.set(intern(r.key as string), {
          hours: Int32Array.from(order, (i) => toNum(hs[i])),
          requests: Float64Array.from(order, (i) => toNum(rq[i])),
        });
      },
      progress('activity'),
    );
  })();
  // Both lanes settle before either error is raised: no query is left running behind a rejection.
  const [a, b] = await Promise.allSettled([promptLane, otherLane]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  // Key order, as the other kinds come (keyset pages); members in account order.
  const prompts = [...sharedPrompts.values()].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  const identifiers: IdentifierGroup[] = [...payments, ...ips, ...subnets, ...prompts];
  return { accounts, identifiers, activity, soloPrompts };
}
