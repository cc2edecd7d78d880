/** Helpers shared by the peer baselines: union-find and turning a partition into predictions. */
import type { Prediction } from '../evaluate/types.js';

/** Union-find over string ids with path halving and union by size. */
export class UnionFind {
  private readonly parent = new Map<string, string>();
  private readonly size = new Map<string, number>();

  find(x: string): string {
    if (!this.parent.has(x)) {
      this.parent.set(x, x);
      this.size.set(x, 1);
      return x;
    }
    let p = this.parent.get(x)!;
    while (p !== x) {
      const gp = this.parent.get(p)!;
      this.parent.set(x, gp);
      x = p;
      p = this.parent.get(x)!;
    }
    return x;
  }

  union(a: string, b: string): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.size.get(ra)! < this.size.get(rb)!) [ra, rb] = [rb, ra];
    this.parent.set(rb, ra);
    this.size.set(ra, this.size.get(ra)! + this.size.get(rb)!);
  }

  /** Every id seen, with its root. */
  *entries(): Generator<[string, string]> {
    for (const x of this.parent.keys()) yield [x, this.find(x)];
  }
}

/**
 * Predictions from a partition (account → opaque community key): every community with ≥ `minSize`
 * members becomes a cluster flagged `review`; smaller ones are left out (unflagged). Cluster ids are
 * `<prefix>:<n>`, numbered by each community's smallest account id so they are stable for a given input.
 */
export function partitionToPredictions(partition: Iterable<[string, string]>, prefix: string, minSize = 2): Map<string, Prediction> {
  const communities = new Map<string, string[]>();
  for (const [account, key] of partition) {
    const list = communities.get(key);
    if (list) list.push(account);
    else communities.set(key, [account]);
  }
  const kept = [...communities.values()].filter((m) => m.length >= minSize).map((m) => m.sort());
  kept.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
  const out = new Map<string, Prediction>();
  kept.forEach((members, i) => {
    for (const a of members) out.set(a, { clusterId: `${prefix}:${i + 1}`, recommendation: 'review' });
  });
  return out;
}
