/**
 * Disjoint sets over node numbers 0..n-1 (union by smaller index, path halving), for connected
 * components of the projected graph and of its sub-graphs.
 */
export interface UnionFind {
  find(x: number): number;
  /** Join the sets of a and b; the smaller root becomes the root. */
  union(a: number, b: number): void;
}

export function unionFind(n: number): UnionFind {
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  return {
    find,
    union(a, b) {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    },
  };
}
