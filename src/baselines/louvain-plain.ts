/**
 * Peer baseline (c): plain Louvain (graphology-communities-louvain, seeded) on the unweighted
 * account–account projection: two accounts are linked when they share any identifier, every link
 * weighs 1, popular identifiers count as much as rare ones. This is the projection ringscope's
 * degree-discounted weighting (FRAUDAR's 1/log(degree + 5), Splink's term-frequency adjustment) is
 * measured against.
 *
 * Pair cap: an identifier used by n ≤ `cliqueMax` accounts links all n(n−1)/2 pairs; a bigger one
 * (a CGNAT IP, a popular tool prompt) links each member to `sampleLinks` random co-members instead,
 * so the projection stays O(n) per identifier rather than quadratic.
 */
import { UndirectedGraph } from 'graphology';
import louvainImport from 'graphology-communities-louvain';
import type { Prediction } from '../evaluate/types.js';
import { Rng } from '../generator/prng.js';
import type { IdentifierKind, LinkageInput } from '../graph/types.js';
import { partitionToPredictions } from './clusters.js';

const louvain = louvainImport as unknown as typeof louvainImport.default;

export interface LouvainPlainOptions {
  /** Seed for Louvain's RNG and the pair sampling. @defaultValue 1 */
  readonly seed?: number;
  /** Largest identifier whose members are all linked pairwise. @defaultValue 50 */
  readonly cliqueMax?: number;
  /** Links per member for identifiers larger than cliqueMax. @defaultValue 5 */
  readonly sampleLinks?: number;
  /** Identifier kinds projected. @defaultValue all four: payment, ip, subnet, prompt */
  readonly kinds?: readonly IdentifierKind[];
  /** Louvain resolution. @defaultValue 1 */
  readonly resolution?: number;
}

export const LOUVAIN_PLAIN_DEFAULTS = {
  seed: 1,
  cliqueMax: 50,
  sampleLinks: 5,
  kinds: ['payment', 'ip', 'subnet', 'prompt'],
  resolution: 1,
} as const satisfies Required<LouvainPlainOptions>;

export function louvainPlain(input: LinkageInput, options: LouvainPlainOptions = {}): Map<string, Prediction> {
  const opts = { ...LOUVAIN_PLAIN_DEFAULTS, ...options };
  const kinds = new Set<IdentifierKind>(opts.kinds);
  const rng = Rng.for(opts.seed, 'louvain-plain');
  const graph = new UndirectedGraph();
  const link = (a: string, b: string): void => {
    if (a === b) return;
    graph.mergeNode(a);
    graph.mergeNode(b);
    if (!graph.hasEdge(a, b)) graph.addEdge(a, b);
  };
  for (const g of input.identifiers) {
    const n = g.members.length;
    if (!kinds.has(g.kind) || n < 2) continue;
    if (n <= opts.cliqueMax) {
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) link(g.members[i]!.account, g.members[j]!.account);
    } else {
      for (let i = 0; i < n; i++) for (let k = 0; k < opts.sampleLinks; k++) link(g.members[i]!.account, g.members[rng.int(n)]!.account);
    }
  }
  if (graph.order === 0) return new Map();
  const communities = louvain(graph, { rng: () => rng.next(), resolution: opts.resolution, getEdgeWeight: null });
  return partitionToPredictions(
    Object.entries(communities).map(([a, c]) => [a, String(c)]),
    'louvain-plain',
  );
}
