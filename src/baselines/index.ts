/**
 * Peer baselines, scored by the same `evaluate` as ringscope. Each is a pure function over a
 * LinkageInput returning account → {clusterId, recommendation}; every cluster of ≥ 2 accounts is
 * flagged `review` (baselines have no score to grade by), singletons are left unflagged.
 */
import type { Prediction } from '../evaluate/types.js';
import type { LinkageInput } from '../graph/types.js';
import { louvainPlain } from './louvain-plain.js';
import { p2pRule } from './p2p-rule.js';
import { paymentComponents } from './payment-cc.js';

export { paymentComponents } from './payment-cc.js';
export { p2pRule, P2P_DEFAULTS, type P2pRuleOptions } from './p2p-rule.js';
export { louvainPlain, LOUVAIN_PLAIN_DEFAULTS, type LouvainPlainOptions } from './louvain-plain.js';
export { UnionFind, partitionToPredictions } from './clusters.js';

export const BASELINES: ReadonlyMap<string, (input: LinkageInput, opts?: { seed?: number }) => Map<string, Prediction>> = new Map([
  ['payment-cc', (i: LinkageInput) => paymentComponents(i)],
  ['p2p-rule', (i: LinkageInput) => p2pRule(i)],
  ['louvain-plain', (i: LinkageInput, o?: { seed?: number }) => louvainPlain(i, { seed: o?.seed })],
]);
