/**
 * Peer baseline (a): connected components over shared payment methods. Two accounts land in one
 * cluster when a chain of shared cards links them; no degree cap, no other evidence.
 */
import type { Prediction } from '../evaluate/types.js';
import type { LinkageInput } from '../graph/types.js';
import { partitionToPredictions, UnionFind } from './clusters.js';

export function paymentComponents(input: LinkageInput): Map<string, Prediction> {
  const uf = new UnionFind();
  for (const g of input.identifiers) {
    if (g.kind !== 'payment' || g.members.length < 2) continue;
    const first = g.members[0]!.account;
    for (const m of g.members) uf.union(first, m.account);
  }
  return partitionToPredictions(uf.entries(), 'payment-cc');
}
