import type { FileKind } from './file-kinds.js';
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
export type BatchParams =
  | { kind: 'accounts'; rows: Array<Record<string, unknown>> }
  | { kind: Exclude<FileKind, 'accounts'>; groups: AccountGroup[]; subnets?: Array<{ cidr: string; v: number; ips: string[] }> };

export function batchParams(kind: FileKind, rows: readonly Row[]): BatchParams {
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
  const groups: AccountGroup[] = [...byAccount.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([a, rels]) => ({ a, rels: [...rels.values()].sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0)) }));
  const out: BatchParams = { kind, groups };
  if (kind === 'ip_addresses') out.subnets = [...subnets.values()].map((s) => ({ cidr: s.cidr, v: s.v, ips: [...s.ips].sort() }));
  return out;
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
