import path from 'node:path';
import type { AccountAttrs, ActivitySeries, IdentifierGroup, IdentifierKind, LinkageInput, Membership } from '../graph/types.js';
import { openDrop } from './drop.js';
import type { ReadOptions } from './record-reader.js';
import type { Row } from './row-schemas.js';
import { validateFile, validatedRows } from './validated-rows.js';

export interface LinkageInputOptions extends ReadOptions {
  /** A file whose reject ratio exceeds this throws InvalidFileError. @defaultValue 0.01 */
  readonly maxRejectRatio?: number;
  /** When set, rejects go to `<rejectsDir>/<file>.rejects.txt`. @defaultValue undefined (not written) */
  readonly rejectsDir?: string;
}

export const LINKAGE_INPUT_DEFAULTS = { maxRejectRatio: 0.01 } as const;

interface MutableMembership {
  account: string;
  firstSeen: number;
  lastSeen: number;
  count: number;
}
interface Group {
  kind: IdentifierKind;
  key: string;
  members: Map<string, MutableMembership>;
  extra: { -readonly [K in 'isProxy' | 'asn' | 'capability' | 'fpKind' | 'markers']?: IdentifierGroup[K] };
}

/**
 * Build the in-memory linkage input straight from a drop's files, with the same validation and
 * reject-ratio policy as ingest (rows are validated once more in a second pass, so a failing file
 * contributes nothing). Same merge rules as Neo4j: firstSeen = min, lastSeen = max, counts summed.
 * Membership counts: payments count observations (rows), IPs and subnets count requests, prompts
 * count `count`. Holds the whole drop in memory: meant for baselines and experiments.
 */
export async function readDropAsLinkageInput(dropDir: string, options: LinkageInputOptions = {}): Promise<LinkageInput> {
  const opts = { ...LINKAGE_INPUT_DEFAULTS, ...options };
  const drop = await openDrop(dropDir);
  const accounts = new Map<string, AccountAttrs>();
  const groups = new Map<string, Group>();
  const activity = new Map<string, Map<number, number>>();

  const touch = (id: string): void => {
    if (!accounts.has(id)) accounts.set(id, { id });
  };
  const member = (kind: IdentifierKind, key: string, r: { accountId: string; firstSeen: number; lastSeen: number }, count: number): Group => {
    const gk = `${kind}\0${key}`;
    let g = groups.get(gk);
    if (!g) groups.set(gk, (g = { kind, key, members: new Map(), extra: {} }));
    const m = g.members.get(r.accountId);
    if (!m) g.members.set(r.accountId, { account: r.accountId, firstSeen: r.firstSeen, lastSeen: r.lastSeen, count });
    else {
      m.firstSeen = Math.min(m.firstSeen, r.firstSeen);
      m.lastSeen = Math.max(m.lastSeen, r.lastSeen);
      m.count += count;
    }
    return g;
  };
  const apply = (row: Row): void => {
    switch (row.kind) {
      case 'accounts': {
        const prev = accounts.get(row.accountId);
        const { kind: _k, accountId, ...attrs } = row;
        accounts.set(accountId, {
          ...prev,
          ...attrs,
          id: accountId,
          createdAt: prev?.createdAt !== undefined ? Math.min(prev.createdAt, row.createdAt) : row.createdAt,
        });
        return;
      }
      case 'payment_methods':
        touch(row.accountId);
        member('payment', row.key, row, 1);
        return;
      case 'ip_addresses': {
        touch(row.accountId);
        const g = member('ip', row.key, row, row.requests);
        if (row.isProxy !== undefined) g.extra.isProxy = row.isProxy;
        if (row.asn !== undefined) g.extra.asn = row.asn;
        member('subnet', row.subnet, row, row.requests);
        return;
      }
      case 'prompt_fingerprints': {
        touch(row.accountId);
        const g = member('prompt', row.key, row, row.count);
        if (row.capability !== undefined) g.extra.capability = row.capability;
        if (row.fpKind !== undefined) g.extra.fpKind = row.fpKind;
        else g.extra.fpKind ??= 'template';
        if (row.markers.length > 0) g.extra.markers = [...new Set([...(g.extra.markers ?? []), ...row.markers])].sort();
        return;
      }
      case 'activity': {
        touch(row.accountId);
        let m = activity.get(row.accountId);
        if (!m) activity.set(row.accountId, (m = new Map()));
        m.set(row.hour, (m.get(row.hour) ?? 0) + row.requests);
        return;
      }
    }
  };

  for (const file of drop.files) {
    // Pass 1 enforces the reject-ratio policy before anything of the file is used.
    await validateFile(file, {
      ...opts,
      rejectsPath: opts.rejectsDir ? path.join(opts.rejectsDir, `${file.name}.rejects.txt`) : undefined,
    });
    for await (const item of validatedRows(file, opts)) if ('row' in item) apply(item.row);
  }

  const identifiers: IdentifierGroup[] = [];
  for (const g of groups.values()) {
    // Zero-request memberships still prove use; the contract says a membership count is ≥ 1.
    const members: Membership[] = [...g.members.values()].map((m) => ({ ...m, count: Math.max(1, m.count) }));
    identifiers.push({ kind: g.kind, key: g.key, members, ...g.extra });
  }
  const series = new Map<string, ActivitySeries>();
  for (const [acc, hours] of activity) {
    const sorted = [...hours.entries()].sort((a, b) => a[0] - b[0]);
    series.set(acc, { hours: Int32Array.from(sorted, (e) => e[0]), requests: Float64Array.from(sorted, (e) => e[1]) });
  }
  return { accounts, identifiers, activity: series };
}
