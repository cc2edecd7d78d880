/**
 * Peer baseline (b): the rule from Neo4j's P2P fraud example (neo4j-graph-examples, "fraud detection
 * with P2P"): link two accounts when they share a card or IP used by at most `maxDegree` accounts and
 * share more than `moreThan` identifiers in all, then take weakly connected components.
 * The example's devices have no equivalent in a drop; cards and IPs are its identifiers here.
 */
import type { Prediction } from '../evaluate/types.js';
import type { IdentifierKind, LinkageInput } from '../graph/types.js';
import { partitionToPredictions, UnionFind } from './clusters.js';

export interface P2pRuleOptions {
  /** A shared identifier opens a candidate link only if at most this many accounts use it. @defaultValue 10 */
  readonly maxDegree?: number;
  /** The pair must share more than this many identifiers (of `kinds`, any degree). @defaultValue 2 */
  readonly moreThan?: number;
  /** Identifier kinds the rule looks at. @defaultValue ['payment', 'ip'] */
  readonly kinds?: readonly IdentifierKind[];
}

export const P2P_DEFAULTS = { maxDegree: 10, moreThan: 2, kinds: ['payment', 'ip'] } as const satisfies Required<P2pRuleOptions>;

export function p2pRule(input: LinkageInput, options: P2pRuleOptions = {}): Map<string, Prediction> {
  const opts = { ...P2P_DEFAULTS, ...options };
  const kinds = new Set<IdentifierKind>(opts.kinds);
  // Each account's identifiers (as indices into input.identifiers), for counting what a pair shares.
  const ids = new Map<string, Set<number>>();
  input.identifiers.forEach((g, i) => {
    if (!kinds.has(g.kind) || g.members.length < 2) return;
    for (const m of g.members) {
      let s = ids.get(m.account);
      if (!s) ids.set(m.account, (s = new Set()));
      s.add(i);
    }
  });
  const uf = new UnionFind();
  const tried = new Set<string>();
  for (const g of input.identifiers) {
    if (!kinds.has(g.kind) || g.members.length < 2 || g.members.length > opts.maxDegree) continue;
    for (let i = 0; i < g.members.length; i++) {
      for (let j = i + 1; j < g.members.length; j++) {
        const a = g.members[i]!.account;
        const b = g.members[j]!.account;
        const key = a < b ? `${a}\0${b}` : `${b}\0${a}`;
        if (tried.has(key)) continue;
        tried.add(key);
        const sa = ids.get(a)!;
        const sb = ids.get(b)!;
        let shared = 0;
        const [small, big] = sa.size <= sb.size ? [sa, sb] : [sb, sa];
        for (const x of small) if (big.has(x)) shared++;
        if (shared > opts.moreThan) uf.union(a, b);
      }
    }
  }
  return partitionToPredictions(uf.entries(), 'p2p-rule');
}
