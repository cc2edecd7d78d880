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
import type { InputDelta } from '../graph/input-patch.js';
import { toNum, type Neo4jClient } from './neo4j-client.js';
import { BATCH_FILE, DROP_FILES } from './ingest-repository.js';
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

// Every query comes in two heads over one tail: a keyset page of the label's keys (the full read) or
// a list of keys (the delta read of an incremental run, readLinkageDelta). One tail, so both read
// the same rows the same way.
const page = (label: string, key: string, v = 'n'): string => `MATCH (${v}:${label}) WHERE ${v}.${key} > $after
WITH ${v} ORDER BY ${v}.${key} LIMIT $limit`;
const keyed = (label: string, key: string, v = 'n'): string => `UNWIND $keys AS wanted
MATCH (${v}:${label} {${key}: wanted})`;

const ACCOUNTS_TAIL = `
RETURN a.id AS key, toFloat(a.createdAt.epochMillis) AS createdAt, a.emailDomain AS emailDomain, a.country AS country,
       a.verified AS verified, a.plan AS plan`;

const ACTIVITY_TAIL = `
RETURN a.id AS key, [h IN coalesce(a.activeHours, []) | toFloat(h)] AS hours, [n IN coalesce(a.hourlyRequests, []) | toFloat(n)] AS requests`;

const membersOf = (rel: string, count: string): string => `
  MATCH (a:Account)-[r:${rel}]->(n)
  RETURN collect(a.id) AS ids, collect(toFloat(r.firstSeen.epochMillis)) AS fs, collect(toFloat(r.lastSeen.epochMillis)) AS ls,
         collect(toFloat(${count})) AS cs`;

const PAYMENTS_TAIL = `
CALL (n) {${membersOf('PAID_WITH', 'coalesce(r.observations, 1)')} }
RETURN n.id AS key, ids, fs, ls, cs`;

const IPS_TAIL = `
CALL (n) {${membersOf('CONNECTED_FROM', 'coalesce(r.requests, r.observations, 1)')} }
RETURN n.address AS key, n.isProxy AS isProxy, n.asn AS asn, ids, fs, ls, cs`;

const SUBNETS_TAIL = `
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
const PROMPTS_TAIL = `
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

// A shared fingerprint from its own side (the delta read): its members in account order, as the
// account-side pages above deliver them, with the same counts.
const PROMPT_GROUP_TAIL = `
CALL (n) {
  MATCH (a:Account)-[r:SENT]->(n)
  WITH a, r ORDER BY a.id
  RETURN collect(a.id) AS ids, collect(toFloat(r.firstSeen.epochMillis)) AS fs, collect(toFloat(r.lastSeen.epochMillis)) AS ls,
         collect(toFloat(${PROMPT_COUNT})) AS cs
}
RETURN n.id AS key, n.capability AS cap, n.kind AS kind, n.markers AS markers, ids, fs, ls, cs`;

const Q_ACCOUNTS = `${page('Account', 'id', 'a')}${ACCOUNTS_TAIL}`;
const Q_ACTIVITY = `${page('Account', 'id', 'a')}${ACTIVITY_TAIL}`;
const Q_PAYMENTS = `${page('PaymentMethod', 'id')}${PAYMENTS_TAIL}`;
const Q_IPS = `${page('IP', 'address')}${IPS_TAIL}`;
const Q_SUBNETS = `${page('Subnet', 'cidr')}${SUBNETS_TAIL}`;
const Q_PROMPTS = `${page('Account', 'id', 'a')}${PROMPTS_TAIL}`;

// The delta read's statements (readLinkageDelta): the same tails over a list of keys, and what the
// touched accounts hold.
const D_ACCOUNTS = `${keyed('Account', 'id', 'a')}${ACCOUNTS_TAIL}`;
const D_ACTIVITY = `${keyed('Account', 'id', 'a')}${ACTIVITY_TAIL}`;
const D_PAYMENTS = `${keyed('PaymentMethod', 'id')}${PAYMENTS_TAIL}`;
const D_IPS = `${keyed('IP', 'address')}${IPS_TAIL}`;
const D_SUBNETS = `${keyed('Subnet', 'cidr')}${SUBNETS_TAIL}`;
const D_PROMPT_GROUPS = `${keyed('PromptFingerprint', 'id')}${PROMPT_GROUP_TAIL}`;
const D_PROMPT_TOTALS = `${keyed('Account', 'id', 'a')}${PROMPTS_TAIL}`;
const HELD_PAYMENTS = `${keyed('Account', 'id', 'a')}-[:PAID_WITH]->(n:PaymentMethod) RETURN DISTINCT n.id AS k`;
const HELD_IPS = `${keyed('Account', 'id', 'a')}-[:CONNECTED_FROM]->(n:IP) RETURN DISTINCT n.address AS k`;
const HELD_SUBNETS = `${keyed('Account', 'id', 'a')}-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(n:Subnet) RETURN DISTINCT n.cidr AS k`;
const HELD_SHARED_PROMPTS = `${keyed('Account', 'id', 'a')}-[:SENT]->(n:PromptFingerprint) WHERE COUNT { (n)<-[:SENT]-() } > 1 RETURN DISTINCT n.id AS k`;
// Ingest batches of files no known drop holds (readTouchedAccounts).
const BATCHES_SINCE = `MATCH (b:IngestBatch) WHERE NOT ${BATCH_FILE} IN $files`;
const Q_BATCHES_SINCE = `${BATCHES_SINCE} RETURN count(b) AS batches, sum(CASE WHEN b.accounts IS NULL THEN 1 ELSE 0 END) AS unlisted`;
const Q_ACCOUNTS_SINCE = `${BATCHES_SINCE} UNWIND b.accounts AS a RETURN DISTINCT a`;

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

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type SharedPrompt = Mutable<IdentifierGroup> & { members: Membership[] };

/** A prompt fingerprint's group with the attributes the store holds (absent ones left out). */
function promptGroup(key: string, cap: unknown, kind: unknown, markers: unknown, list: Membership[]): SharedPrompt {
  const g: SharedPrompt = { kind: 'prompt', key, members: list };
  const capability = str(cap);
  if (capability) g.capability = capability as Capability;
  const k = str(kind);
  if (k) g.fpKind = k as FingerprintKind;
  if (Array.isArray(markers) && markers.length) g.markers = markers.map(String) as PromptMarker[];
  return g;
}

/** Row decoders, one per tail: the full read and the delta read build the same objects from the same rows. */
const decode = {
  account(r: Row): AccountAttrs {
    const a: Mutable<AccountAttrs> = { id: r.key as string };
    if (r.createdAt !== null && r.createdAt !== undefined) a.createdAt = toNum(r.createdAt);
    if (r.emailDomain != null) a.emailDomain = String(r.emailDomain);
    if (r.country != null) a.country = String(r.country);
    if (r.verified != null) a.verified = Boolean(r.verified);
    if (r.plan != null) a.plan = String(r.plan);
    return a;
  },
  /** An account's prompt row: its solo totals (undefined: none) and its memberships of shared fingerprints, added to `shared`. */
  prompts(r: Row, account: string, shared: Map<string, SharedPrompt>, keep: (key: string) => boolean = () => true): SoloPrompts | undefined {
    const solo = r.solo as unknown[][];
    let out: Mutable<SoloPrompts> | undefined;
    if (solo.length > 0) {
      const s: Mutable<SoloPrompts> = { fingerprints: {}, volume: {}, markedVolume: 0 };
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
      out = s;
    }
    for (const [key, fs, ls, c, cap, kind, markers] of r.shared as unknown[][]) {
      if (!keep(key as string)) continue;
      let g = shared.get(key as string);
      if (!g) {
        g = promptGroup(key as string, cap, kind, markers, []);
        shared.set(key as string, g);
      }
      g.members.push({ account, firstSeen: toNum(fs), lastSeen: toNum(ls), count: Math.max(1, toNum(c)) });
    }
    return out;
  },
  /** A shared fingerprint's row from its own side (PROMPT_GROUP_TAIL). */
  promptGroup(r: Row, intern: (id: string) => string): IdentifierGroup {
    return promptGroup(r.key as string, r.cap, r.kind, r.markers, members(r, intern));
  },
  payment(r: Row, intern: (id: string) => string): IdentifierGroup {
    return { kind: 'payment', key: r.key as string, members: members(r, intern) };
  },
  ip(r: Row, intern: (id: string) => string): IdentifierGroup {
    const g: Mutable<IdentifierGroup> = { kind: 'ip', key: r.key as string, members: members(r, intern) };
    if (r.isProxy != null) g.isProxy = Boolean(r.isProxy);
    if (r.asn != null) g.asn = String(r.asn);
    return g;
  },
  subnet(r: Row, intern: (id: string) => string): IdentifierGroup {
    return { kind: 'subnet', key: r.key as string, members: members(r, intern) };
  },
  /** Undefined for an account without active hours (it has no series). */
  activity(r: Row): ActivitySeries | undefined {
    const hs = r.hours as unknown[];
    if (hs.length === 0) return undefined;
    const rq = r.requests as unknown[];
    const order = hs.map((_, i) => i).sort((x, y) => toNum(hs[x]) - toNum(hs[y]));
    return { hours: Int32Array.from(order, (i) => toNum(hs[i])), requests: Float64Array.from(order, (i) => toNum(rq[i])) };
  },
};

/** Shared prompt groups in key order (as the other kinds come from keyset pages); members in account order. */
function sortedPrompts(shared: ReadonlyMap<string, SharedPrompt>): IdentifierGroup[] {
  return [...shared.values()].sort((x, y) => byKey(x.key, y.key));
}

const byKey = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** Read everything detection needs, page by page. */
export async function readLinkageInput(client: Neo4jClient, options: Partial<LinkageSourceOptions> = {}): Promise<LinkageInput> {
  const o = { ...LINKAGE_SOURCE_DEFAULTS, ...options };
  const progress = (phase: string) => (n: number) => o.onProgress?.(phase, n);
  const accounts = new Map<string, AccountAttrs>();
  await paged(client, Q_ACCOUNTS, o.pageSize, (r) => accounts.set(r.key as string, decode.account(r)), progress('accounts'));

  const intern = (id: string): string => accounts.get(id)?.id ?? id;

  // Two lanes of queries at once: prompts (most of the rows) beside everything else. Each paged
  // query runs single-threaded in Neo4j and decodes single-threaded here, so one lane leaves a core
  // idle. Each kind keeps its own list, concatenated in a fixed order, so the input is the same.
  const payments: IdentifierGroup[] = [];
  const ips: IdentifierGroup[] = [];
  const subnets: IdentifierGroup[] = [];
  const activity = new Map<string, ActivitySeries>();
  const soloPrompts = new Map<string, SoloPrompts>();
  const sharedPrompts = new Map<string, SharedPrompt>();
  const promptLane = paged(
    client,
    Q_PROMPTS,
    o.pageSize,
    (r) => {
      const account = intern(r.key as string);
      const solo = decode.prompts(r, account, sharedPrompts);
      if (solo) soloPrompts.set(account, solo);
    },
    progress('prompts'),
  );
  const otherLane = (async () => {
    await paged(client, Q_PAYMENTS, o.pageSize, (r) => payments.push(decode.payment(r, intern)), progress('payments'));
    await paged(client, Q_IPS, o.pageSize, (r) => ips.push(decode.ip(r, intern)), progress('ips'));
    await paged(client, Q_SUBNETS, o.pageSize, (r) => subnets.push(decode.subnet(r, intern)), progress('subnets'));
    await paged(
      client,
      Q_ACTIVITY,
      o.pageSize,
      (r) => {
        const series = decode.activity(r);
        if (series) activity.set(intern(r.key as string), series);
      },
      progress('activity'),
    );
  })();
  // Both lanes settle before either error is raised: no query is left running behind a rejection.
  const [a, b] = await Promise.allSettled([promptLane, otherLane]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  const identifiers: IdentifierGroup[] = [...payments, ...ips, ...subnets, ...sortedPrompts(sharedPrompts)];
  return { accounts, identifiers, activity, soloPrompts };
}

/**
 * The accounts written by ingest batches of files that no drop of `known` (ledger entries
 * `id@sha256`) holds, from the IngestBatch markers (`accounts`, docs/neo4j-model.md). Markers are
 * keyed by file content, so a file a known drop already loaded adds nothing. `complete` is false
 * when such a marker holds no account list (a bulk load's, or one written before markers listed
 * their accounts): the delta is then unknown and the run must read the whole graph. A known drop
 * recorded without file checksums (an old ledger entry) leaves its batches counted as new: more is
 * read again than needed, never less.
 */
export async function readTouchedAccounts(client: Neo4jClient, known: readonly string[]): Promise<{ accounts: string[]; complete: boolean; batches: number }> {
  const files = await client.query(`${DROP_FILES} RETURN files`, { drops: [...known] }, 'READ');
  const params = { files: (files.records[0]?.get('files') as string[] | undefined) ?? [] };
  const tally = await client.query(Q_BATCHES_SINCE, params, 'READ');
  const batches = toNum(tally.records[0]?.get('batches'));
  const complete = toNum(tally.records[0]?.get('unlisted')) === 0;
  if (!complete || batches === 0) return { accounts: [], complete, batches };
  const res = await client.query(Q_ACCOUNTS_SINCE, params, 'READ');
  return { accounts: res.records.map((r) => String(r.get('a'))).sort(byKey), complete, batches };
}

/** Run a keyed query over `keys` in pages, handing each row to `onRow`. */
async function keyedPages(client: Neo4jClient, cypher: string, keys: readonly string[], pageSize: number, onRow: (r: Row) => void): Promise<void> {
  for (let i = 0; i < keys.length; i += pageSize) {
    const res = await client.query(cypher, { keys: keys.slice(i, i + pageSize) }, 'READ');
    for (const rec of res.records) onRow(rec.toObject() as Row);
  }
}

/** Distinct keys a query returns (as `k`) over pages of `keys`, sorted. */
async function keysOf(client: Neo4jClient, cypher: string, keys: readonly string[], pageSize: number): Promise<string[]> {
  const out = new Set<string>();
  await keyedPages(client, cypher, keys, pageSize, (r) => out.add(String(r.k)));
  return [...out].sort(byKey);
}

/**
 * What an incremental run reads instead of the whole graph (docs/incremental.md, "The delta"): for
 * the touched accounts, their attributes and activity; every payment method, IP, subnet and shared
 * prompt fingerprint they hold, each with all its members (a new member changes the group); and
 * the prompt totals of the holders of those fingerprints that were sent by one account before
 * (`wasShared` false: a fingerprint one of them sent alone is now shared). src/graph/input-patch.ts (InputDelta) puts it into the previous run's input.
 * `touched`: sorted account ids (readTouchedAccounts).
 */
export async function readLinkageDelta(
  client: Neo4jClient,
  touched: readonly string[],
  options: Partial<LinkageSourceOptions> & { readonly wasShared: (fingerprint: string) => boolean },
): Promise<InputDelta> {
  const o = { ...LINKAGE_SOURCE_DEFAULTS, ...options };
  // Account ids are interned to the attribute rows' strings, so those are read first.
  const accounts = new Map<string, AccountAttrs>();
  await keyedPages(client, D_ACCOUNTS, touched, o.pageSize, (r) => accounts.set(r.key as string, decode.account(r)));
  const intern = (id: string): string => accounts.get(id)?.id ?? id;
  // The other reads are independent of each other: they run at once, each on its own session, so
  // Neo4j works on one while the client decodes another's rows. Each result is put together in
  // the same order as a one-at-a-time read would (the groups of each kind sorted by key).
  const groups = async (held: string, cypher: string, row: (r: Row, intern: (id: string) => string) => IdentifierGroup): Promise<IdentifierGroup[]> => {
    const keys = await keysOf(client, held, touched, o.pageSize);
    const out: IdentifierGroup[] = [];
    await keyedPages(client, cypher, keys, o.pageSize, (r) => out.push(row(r, intern)));
    return out.sort((x, y) => byKey(x.key, y.key));
  };
  const readActivity = async (): Promise<Map<string, ActivitySeries>> => {
    const activity = new Map<string, ActivitySeries>();
    await keyedPages(client, D_ACTIVITY, touched, o.pageSize, (r) => {
      const series = decode.activity(r);
      if (series) activity.set(intern(r.key as string), series);
    });
    o.onProgress?.('delta:accounts', touched.length);
    return activity;
  };
  // Shared fingerprints the touched accounts sent, each read whole from its own side. A holder's
  // solo totals change only when a fingerprint it sent alone became shared (`wasShared` false):
  // those holders' totals are read again with the touched accounts'.
  const readPrompts = async (): Promise<{ shared: IdentifierGroup[]; promptAccounts: string[]; soloPrompts: Map<string, SoloPrompts> }> => {
    const prompts = await keysOf(client, HELD_SHARED_PROMPTS, touched, o.pageSize);
    const shared: IdentifierGroup[] = [];
    await keyedPages(client, D_PROMPT_GROUPS, prompts, o.pageSize, (r) => shared.push(decode.promptGroup(r, intern)));
    shared.sort((x, y) => byKey(x.key, y.key));
    const holders = new Set(touched);
    for (const g of shared) if (!o.wasShared(g.key)) for (const m of g.members) holders.add(m.account);
    const promptAccounts = [...holders].sort(byKey);
    const soloPrompts = new Map<string, SoloPrompts>();
    const ignored = new Map<string, SharedPrompt>();
    await keyedPages(client, D_PROMPT_TOTALS, promptAccounts, o.pageSize, (r) => {
      const account = intern(r.key as string);
      const solo = decode.prompts(r, account, ignored, () => false);
      if (solo) soloPrompts.set(account, solo);
    });
    o.onProgress?.('delta:prompts', promptAccounts.length);
    return { shared, promptAccounts, soloPrompts };
  };
  const readNetworks = async (): Promise<[IdentifierGroup[], IdentifierGroup[], IdentifierGroup[]]> => {
    const out = await Promise.all([groups(HELD_PAYMENTS, D_PAYMENTS, decode.payment), groups(HELD_IPS, D_IPS, decode.ip), groups(HELD_SUBNETS, D_SUBNETS, decode.subnet)]);
    o.onProgress?.('delta:identifiers', out[0].length + out[1].length + out[2].length);
    return out;
  };
  const [activity, [payments, ips, subnets], { shared, promptAccounts, soloPrompts }] = await Promise.all([readActivity(), readNetworks(), readPrompts()]);
  return { accounts, activity, promptAccounts, soloPrompts, identifiers: [...payments, ...ips, ...subnets, ...shared] };
}
