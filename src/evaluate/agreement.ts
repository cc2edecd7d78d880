/**
 * How two clusterings of the same accounts agree (the nightly benchmark compares a chain of
 * incremental runs with a full run on the same data). Pure and exact: both measures come from the
 * contingency table of the two assignments (Hubert & Arabie 1985, "Comparing partitions"), so no
 * pair is enumerated or sampled.
 *
 * - `agreement`: co-membership pairs, |P_a ∩ P_b| / |P_a ∪ P_b|, where P_x is the set of account
 *   pairs in one cluster of x. Pairs apart in both are left out: over a million accounts they are
 *   almost all pairs and would put any two clusterings near 1. 1 when neither has a pair.
 * - `rand`: the Rand index over every pair of the accounts (apart-in-both pairs count as agreeing).
 *
 * An account absent from an assignment is a singleton there.
 */

export interface PairAgreement {
  /** Accounts compared (in either assignment or in `universe`). */
  readonly accounts: number;
  readonly pairsA: number;
  readonly pairsB: number;
  readonly pairsBoth: number;
  /** |P_a ∩ P_b| / |P_a ∪ P_b| (1 when both are empty). */
  readonly agreement: number;
  /** Share of all account pairs on which a and b agree (together in both or apart in both). */
  readonly rand: number;
}

const pairs = (n: number): number => (n * (n - 1)) / 2;

/** Compare two account → cluster assignments; `universe` adds accounts that are singletons in both. */
export function pairAgreement(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>, universe: Iterable<string> = []): PairAgreement {
  const accounts = new Set<string>(universe);
  for (const k of a.keys()) accounts.add(k);
  for (const k of b.keys()) accounts.add(k);
  const sizeA = new Map<string, number>();
  const sizeB = new Map<string, number>();
  const cell = new Map<string, number>();
  for (const acct of accounts) {
    const ca = a.get(acct);
    const cb = b.get(acct);
    if (ca !== undefined) sizeA.set(ca, (sizeA.get(ca) ?? 0) + 1);
    if (cb !== undefined) sizeB.set(cb, (sizeB.get(cb) ?? 0) + 1);
    if (ca !== undefined && cb !== undefined) {
      // JSON keeps any two cluster ids apart, whatever characters they hold.
      const k = JSON.stringify([ca, cb]);
      cell.set(k, (cell.get(k) ?? 0) + 1);
    }
  }
  let pairsA = 0;
  let pairsB = 0;
  let pairsBoth = 0;
  for (const n of sizeA.values()) pairsA += pairs(n);
  for (const n of sizeB.values()) pairsB += pairs(n);
  for (const n of cell.values()) pairsBoth += pairs(n);
  const union = pairsA + pairsB - pairsBoth;
  const all = pairs(accounts.size);
  return {
    accounts: accounts.size,
    pairsA,
    pairsB,
    pairsBoth,
    agreement: union === 0 ? 1 : pairsBoth / union,
    rand: all === 0 ? 1 : 1 - (pairsA + pairsB - 2 * pairsBoth) / all,
  };
}

export interface IdCluster {
  readonly id: string;
  readonly members: readonly string[];
}

export interface KeptIds {
  /** Clusters of the earlier run none of whose members the night touched. */
  readonly untouched: number;
  /** Of those, clusters whose id the later run still has, holding all their members (it may have gained newcomers). */
  readonly kept: number;
  /** Of those, clusters the later run has with the same id and exactly the same members. */
  readonly unchanged: number;
  /** kept / untouched (1 when nothing was untouched). */
  readonly share: number;
}

/** Did the clusters a night did not touch keep their ids from one run to the next? */
export function keptIds(before: readonly IdCluster[], after: readonly IdCluster[], touched: ReadonlySet<string>): KeptIds {
  const byId = new Map<string, ReadonlySet<string>>();
  for (const c of after) byId.set(c.id, new Set(c.members));
  let untouched = 0;
  let kept = 0;
  let unchanged = 0;
  for (const c of before) {
    if (c.members.some((m) => touched.has(m))) continue;
    untouched++;
    const now = byId.get(c.id);
    if (!now || !c.members.every((m) => now.has(m))) continue;
    kept++;
    if (now.size === c.members.length) unchanged++;
  }
  return { untouched, kept, unchanged, share: untouched === 0 ? 1 : kept / untouched };
}
