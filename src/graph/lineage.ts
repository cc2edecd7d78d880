import { fnv1a32 as hashString } from '../util/hash.js';
import type { Recommendation } from './scoring.js';

/**
 * Stable cluster identity across runs. A new cluster keeps the id of the previous cluster it
 * overlaps most, by Jaccard over members, when that is at least `minJaccard` (greedy one-to-one
 * matching, best pairs first, as in cluster-tracking work such as Greene et al. 2010, "Tracking the
 * evolution of communities in dynamic social networks"). Lineage is read from which previous
 * clusters hold at least `minShare` of their members in the new one. Accounts that join a cluster
 * descending from one recommended `enforce` are respawns: the hydra pattern of replacing banned
 * accounts.
 */
export interface LineageOptions {
  /** @defaultValue 0.3 */
  readonly minJaccard: number;
  /** A previous cluster is an ancestor of a new one holding at least this share of its members. @defaultValue 0.2 */
  readonly minShare: number;
  /** Salt for new ids (the run id), so a new id never collides with an earlier run's. @defaultValue '' */
  readonly salt: string;
}

export const LINEAGE_DEFAULTS: LineageOptions = { minJaccard: 0.3, minShare: 0.2, salt: '' };

export type LineageStatus = 'new' | 'grown' | 'shrunk' | 'split' | 'merged' | 'unchanged';

export interface PreviousCluster {
  readonly id: string;
  readonly members: readonly string[];
  readonly recommendation: Recommendation;
}

export interface CurrentCluster {
  readonly key: string;
  readonly members: readonly string[];
}

export interface Lineage {
  readonly key: string;
  readonly id: string;
  readonly lineage: LineageStatus;
  /** The previous cluster this one continues or came from, if any. */
  readonly previousId: string | undefined;
  /** Members that joined a cluster descending from an `enforce` cluster. */
  readonly respawn: readonly string[];
}

/** A new cluster id: 64 bits of two FNV-1a hashes. */
export function newClusterId(salt: string, key: string): string {
  const s = `${salt}/${key}`;
  return `c${hashString(s).toString(16).padStart(8, '0')}${hashString(s, 0x050c5d1f).toString(16).padStart(8, '0')}`;
}

export function assignLineage(previous: readonly PreviousCluster[], current: readonly CurrentCluster[], options: Partial<LineageOptions> = {}): Lineage[] {
  const o = { ...LINEAGE_DEFAULTS, ...options };
  const prevOf = new Map<string, number>();
  previous.forEach((p, j) => p.members.forEach((a) => prevOf.set(a, j)));
  const overlaps = current.map((c) => {
    const m = new Map<number, number>();
    for (const a of c.members) {
      const j = prevOf.get(a);
      if (j !== undefined) m.set(j, (m.get(j) ?? 0) + 1);
    }
    return m;
  });
  const candidates: Array<{ i: number; j: number; jac: number }> = [];
  overlaps.forEach((m, i) => {
    for (const [j, ov] of m) {
      const jac = ov / (current[i]!.members.length + previous[j]!.members.length - ov);
      if (jac >= o.minJaccard) candidates.push({ i, j, jac });
    }
  });
  candidates.sort(
    (x, y) =>
      y.jac - x.jac ||
      (previous[x.j]!.id < previous[y.j]!.id ? -1 : previous[x.j]!.id > previous[y.j]!.id ? 1 : 0) ||
      (current[x.i]!.key < current[y.i]!.key ? -1 : 1),
  );
  const matchOf = new Map<number, number>();
  const taken = new Set<number>();
  for (const c of candidates) {
    if (matchOf.has(c.i) || taken.has(c.j)) continue;
    matchOf.set(c.i, c.j);
    taken.add(c.j);
  }
  const children = new Map<number, number>();
  const ancestors = overlaps.map((m) => {
    const list: number[] = [];
    for (const [j, ov] of m) if (ov / previous[j]!.members.length >= o.minShare) list.push(j);
    return list;
  });
  for (const list of ancestors) for (const j of list) children.set(j, (children.get(j) ?? 0) + 1);

  const used = new Set<string>([...matchOf.values()].map((j) => previous[j]!.id));
  return current.map((c, i) => {
    const matched = matchOf.get(i);
    const anc = ancestors[i]!;
    let id: string;
    if (matched !== undefined) id = previous[matched]!.id;
    else {
      id = newClusterId(o.salt, c.key);
      for (let k = 2; used.has(id); k++) id = newClusterId(o.salt, `${c.key}#${k}`);
    }
    used.add(id);
    const from = matched ?? (anc.length === 1 ? anc[0] : undefined);
    let lineage: LineageStatus;
    if (anc.length >= 2) lineage = 'merged';
    else if (from === undefined) lineage = 'new';
    else if ((children.get(from) ?? 0) >= 2) lineage = 'split';
    else {
      const p = previous[from]!;
      const same = p.members.length === c.members.length && c.members.every((a) => prevOf.get(a) === from);
      lineage = same ? 'unchanged' : c.members.length >= p.members.length ? 'grown' : 'shrunk';
    }
    const enforced = [...new Set([...anc, ...(matched !== undefined ? [matched] : [])])].filter((j) => previous[j]!.recommendation === 'enforce');
    const respawn = enforced.length
      ? c.members.filter((a) => {
          const j = prevOf.get(a);
          return j === undefined || !enforced.includes(j);
        })
      : [];
    const previousId =
      from !== undefined
        ? previous[from]!.id
        : anc.length
          ? previous[anc.slice().sort((x, y) => (overlaps[i]!.get(y) ?? 0) - (overlaps[i]!.get(x) ?? 0))[0]!]!.id
          : undefined;
    return { key: c.key, id, lineage, previousId, respawn };
  });
}
