import type { FileKind } from './file-kinds.js';
import type { SeenKeys } from './seen-keys.js';
import type { AccountRow, ActivityRow, IpRow, PaymentRow, PromptRow, Row } from './row-schemas.js';

/**
 * Turn a batch of validated rows into the Cypher parameters of one write (pure, no I/O).
 * Rows of the same (account, identifier) are pre-aggregated with the merge rules of the model
 * (firstSeen min, lastSeen max, counts summed), so each relationship is touched once per batch;
 * relationships are grouped by account so each account node is looked up once per batch.
 * Times stay epoch ms here; the repository turns numbers into Neo4j integers.
 */

export interface RelParam {
  k: string | number;
  fs?: number;
  ls?: number;
  /** observations (rows) */
  o?: number;
  /** count (prompts) or requests (IPs, activity) */
  n?: number;
  [extra: string]: unknown;
}
export interface AccountGroup {
  a: string;
  rels: RelParam[];
}
/** An identifier node's properties from the batch's rows, merged in row order (the repository writes each node once). */
export interface NodeParam {
  k: string | number;
  [prop: string]: unknown;
}
export type BatchParams =
  | { kind: 'accounts'; rows: Array<Record<string, unknown>> }
  | {
      kind: Exclude<FileKind, 'accounts'>;
      /** Relationships no other batch is known to touch, grouped by account. */
      groups: AccountGroup[];
      /** Relationships on keys or accounts other batches also touch, one per group, sorted by key: written last. */
      contended: AccountGroup[];
      /** Identifier nodes of `groups` and of `contended` (each key in exactly one list; none for activity). */
      nodes: NodeParam[];
      contendedNodes: NodeParam[];
      subnets?: Array<{ cidr: string; v: number; ips: string[] }>;
    };

/** Node properties carried by each relationship parameter, per kind (see relOf); the repository sends them per node. */
export const NODE_PROPS: Readonly<Record<Exclude<FileKind, 'accounts' | 'activity'>, readonly string[]>> = {
  payment_methods: ['bin', 'cc'],
  ip_addresses: ['v', 'asn', 'proxy'],
  prompt_fingerprints: ['fk', 'mk', 'cap'],
};

/**
 * @param seen keys and accounts of the file's earlier batches; updated with this batch's. When
 *   given, relationships that another transaction may also lock (an identifier shared by two of the
 *   batch's accounts or seen in an earlier batch, or an account seen in an earlier batch) go to
 *   `contended`. Neo4j holds a node's lock from the first relationship a transaction adds to it
 *   until commit, so writing those last, in key order, lets concurrent writers overlap on
 *   everything else instead of queueing behind a popular template for the whole transaction
 *   (measured: with 20% of rows on shared templates, two writers were no faster than one).
 */
export function batchParams(kind: FileKind, rows: readonly Row[], seen?: SeenKeys): BatchParams {
  if (kind === 'accounts') return { kind, rows: accountParams(rows as AccountRow[]) };
  const byAccount = new Map<string, Map<string | number, RelParam>>();
  const subnets = new Map<string, { cidr: string; v: number; ips: Set<string> }>();
  for (const row of rows as Array<PaymentRow | IpRow | PromptRow | ActivityRow>) {
    let rels = byAccount.get(row.accountId);
    if (!rels) byAccount.set(row.accountId, (rels = new Map()));
    const key = row.kind === 'activity' ? row.hour : row.key;
    const prev = rels.get(key);
    if (!prev) rels.set(key, relOf(row));
    else mergeRel(prev, row);
    if (row.kind === 'ip_addresses') {
      let s = subnets.get(row.subnet);
      if (!s) subnets.set(row.subnet, (s = { cidr: row.subnet, v: row.version, ips: new Set() }));
      s.ips.add(row.key);
    }
  }
  // Sorted keys give concurrent writers a common lock order, which makes deadlocks rarer.
  const sorted = [...byAccount.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const groups: AccountGroup[] = [];
  const contended: AccountGroup[] = [];
  // Activity keys are hours, shared by every account, but activity writes no relationship: only
  // the account node is locked, so only accounts can be contended there.
  const keyed = kind !== 'activity';
  const users = new Map<string | number, number>();
  if (seen && keyed) for (const [, rels] of sorted) for (const k of rels.keys()) users.set(k, (users.get(k) ?? 0) + 1);
  for (const [a, relMap] of sorted) {
    // Activity's hours must ascend (the repository merges sorted lists). Other kinds' order within an
    // account does not matter: the contended ones, whose lock order does, are sorted below.
    const rels = keyed ? [...relMap.values()] : [...relMap.values()].sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0));
    if (!seen) {
      groups.push({ a, rels });
      continue;
    }
    if (seen.has(`a\u0000${a}`)) {
      // Activity merges lists on the account node: one row per account per statement, or a later
      // row of the same statement would merge into a stale read of the list.
      if (keyed) for (const r of rels) contended.push({ a, rels: [r] });
      else contended.push({ a, rels });
      continue;
    }
    const mine: RelParam[] = [];
    for (const r of rels) {
      if (keyed && (users.get(r.k)! > 1 || seen.has(`k\u0000${r.k}`))) contended.push({ a, rels: [r] });
      else mine.push(r);
    }
    if (mine.length > 0) groups.push({ a, rels: mine });
  }
  if (seen) {
    for (const [a, relMap] of sorted) {
      seen.add(`a\u0000${a}`);
      if (keyed) for (const k of relMap.keys()) seen.add(`k\u0000${k}`);
    }
    contended.sort((x, y) => {
      if (!keyed) return x.a < y.a ? -1 : x.a > y.a ? 1 : 0;
      const p = x.rels[0]!.k;
      const q = y.rels[0]!.k;
      return p < q ? -1 : p > q ? 1 : x.a < y.a ? -1 : x.a > y.a ? 1 : 0;
    });
  }
  const out: BatchParams = {
    kind,
    groups,
    contended,
    nodes: keyed ? nodeParams(kind, groups, false) : [],
    contendedNodes: keyed ? nodeParams(kind, contended, true) : [],
  };
  if (kind === 'ip_addresses') out.subnets = [...subnets.values()].map((s) => ({ cidr: s.cidr, v: s.v, ips: [...s.ips].sort() }));
  return out;
}

/**
 * One node parameter per key of `groups`, its properties merged over the relationships in the order
 * the repository used to apply them row by row: a later non-null value wins (IP version: the last),
 * prompt markers are united. `sorted`: in key order, the lock order concurrent writers share (only
 * contended keys need it: sorting every batch's uncontended keys cost ~1.8 s of client CPU on a
 * 70k-account drop's prompt fingerprints).
 */
function nodeParams(kind: Exclude<FileKind, 'accounts'>, groups: readonly AccountGroup[], sorted: boolean): NodeParam[] {
  if (kind === 'activity') return [];
  const props = NODE_PROPS[kind];
  const byKey = new Map<string | number, NodeParam>();
  for (const g of groups) {
    for (const r of g.rels) {
      let n = byKey.get(r.k);
      if (!n) {
        byKey.set(r.k, (n = { k: r.k }));
        for (const p of props) n[p] = p === 'mk' ? [] : null;
      }
      for (const p of props) {
        const v = r[p];
        if (p === 'mk') {
          const had = n.mk as string[];
          const add = v as string[];
          if (add.length > 0) n.mk = had.length === 0 ? [...add] : [...new Set([...had, ...add])].sort();
        }
        else if (p === 'v' || (v !== null && v !== undefined)) n[p] = v;
      }
    }
  }
  const out = [...byKey.values()];
  return sorted ? out.sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0)) : out;
}

function relOf(row: PaymentRow | IpRow | PromptRow | ActivityRow): RelParam {
  switch (row.kind) {
    case 'payment_methods':
      return { k: row.key, fs: row.firstSeen, ls: row.lastSeen, o: 1, bin: row.cardBin ?? null, cc: row.cardCountry ?? null };
    case 'ip_addresses':
      return { k: row.key, fs: row.firstSeen, ls: row.lastSeen, o: 1, n: row.requests, v: row.version, asn: row.asn ?? null, proxy: row.isProxy ?? null };
    case 'prompt_fingerprints':
      return { k: row.key, fs: row.firstSeen, ls: row.lastSeen, o: 1, n: row.count, cap: row.capability ?? null, fk: row.fpKind ?? null, mk: row.markers };
    case 'activity':
      return { k: row.hour, n: row.requests };
  }
}

function mergeRel(p: RelParam, row: PaymentRow | IpRow | PromptRow | ActivityRow): void {
  if (row.kind === 'activity') {
    p.n = (p.n ?? 0) + row.requests;
    return;
  }
  p.fs = Math.min(p.fs!, row.firstSeen);
  p.ls = Math.max(p.ls!, row.lastSeen);
  p.o = (p.o ?? 0) + 1;
  if (row.kind === 'ip_addresses') {
    p.n = (p.n ?? 0) + row.requests;
    if (row.asn !== undefined) p.asn = row.asn;
    if (row.isProxy !== undefined) p.proxy = row.isProxy;
  } else if (row.kind === 'prompt_fingerprints') {
    p.n = (p.n ?? 0) + row.count;
    if (row.capability !== undefined) p.cap = row.capability;
    if (row.fpKind !== undefined) p.fk = row.fpKind;
    p.mk = [...new Set([...(p.mk as string[]), ...row.markers])].sort();
  } else {
    if (row.cardBin !== undefined) p.bin = row.cardBin;
    if (row.cardCountry !== undefined) p.cc = row.cardCountry;
  }
}

function accountParams(rows: readonly AccountRow[]): Array<Record<string, unknown>> {
  const byId = new Map<string, Record<string, unknown>>();
  for (const r of rows) {
    const p = byId.get(r.accountId);
    const next = {
      id: r.accountId,
      c: p ? Math.min(p.c as number, r.createdAt) : r.createdAt,
      ed: r.emailDomain ?? p?.ed ?? null,
      co: r.country ?? p?.co ?? null,
      ve: r.verified ?? p?.ve ?? null,
      pl: r.plan ?? p?.pl ?? null,
    };
    byId.set(r.accountId, next);
  }
  return [...byId.values()].sort((a, b) => ((a.id as string) < (b.id as string) ? -1 : 1));
}
