import { createHash } from 'node:crypto';
import type { Neo4jClient } from './neo4j-client.js';

/**
 * An order-independent digest of the ingested graph: per node label and relationship type, the
 * count and a digest of every entity's key and properties (relationships by their end nodes' keys).
 * Two stores with the same digest hold the same accounts, identifiers, relationships and property
 * values, whatever order they were written in. Ledger nodes (Drop, IngestBatch) are left out: their
 * ids and times differ between runs by design.
 */
export interface GraphDigest {
  readonly nodes: Readonly<Record<string, { readonly count: number; readonly digest: string }>>;
  readonly relationships: Readonly<Record<string, { readonly count: number; readonly digest: string }>>;
}

/** The key property of each node label of the ingest model (docs/neo4j-model.md). */
const NODE_KEYS: Readonly<Record<string, string>> = {
  Account: 'id',
  PaymentMethod: 'id',
  IP: 'address',
  Subnet: 'cidr',
  PromptFingerprint: 'id',
};
/** Relationship type → [start label, end label]. */
const REL_ENDS: Readonly<Record<string, readonly [string, string]>> = {
  PAID_WITH: ['Account', 'PaymentMethod'],
  CONNECTED_FROM: ['Account', 'IP'],
  SENT: ['Account', 'PromptFingerprint'],
  IN_SUBNET: ['IP', 'Subnet'],
};

// One string per entity, built in Neo4j (lists joined, temporal values in ISO form) so only text crosses Bolt.
const SORTED_KEYS = (v: string): string => `COLLECT { UNWIND keys(${v}) AS k RETURN k ORDER BY k }`;
const PROPS = (v: string): string =>
  `reduce(s = '', k IN ks | s + '|' + k + '=' + CASE WHEN valueType(${v}[k]) STARTS WITH 'LIST' ` +
  `THEN reduce(t = '', e IN ${v}[k] | t + toString(e) + ',') ELSE toString(${v}[k]) END)`;

export async function graphDigest(client: Neo4jClient): Promise<GraphDigest> {
  const nodes: Record<string, { count: number; digest: string }> = {};
  for (const [label, key] of Object.entries(NODE_KEYS)) {
    nodes[label] = await digestOf(client, `MATCH (n:${label}) WITH n, ${SORTED_KEYS('n')} AS ks RETURN n.${key} + ${PROPS('n')} AS line`);
  }
  const relationships: Record<string, { count: number; digest: string }> = {};
  for (const [type, [from, to]] of Object.entries(REL_ENDS)) {
    relationships[type] = await digestOf(
      client,
      `MATCH (a:${from})-[x:${type}]->(b:${to}) WITH a, b, x, ${SORTED_KEYS('x')} AS ks ` +
        `RETURN a.${NODE_KEYS[from]} + '>' + b.${NODE_KEYS[to]} + ${PROPS('x')} AS line`,
    );
  }
  return { nodes, relationships };
}

/** Count and sum (mod 2^64, so order does not matter) of the sha256 prefixes of each line. */
async function digestOf(client: Neo4jClient, query: string): Promise<{ count: number; digest: string }> {
  const s = client.session('READ');
  let count = 0;
  let sum = 0n;
  try {
    await new Promise<void>((resolve, reject) => {
      s.run(query).subscribe({
        onNext: (rec) => {
          const h = createHash('sha256')
            .update(String(rec.get('line')))
            .digest();
          sum = (sum + h.readBigUInt64BE(0)) & 0xffffffffffffffffn;
          count++;
        },
        onCompleted: () => resolve(),
        onError: reject,
      });
    });
  } finally {
    await s.close();
  }
  return { count, digest: sum.toString(16).padStart(16, '0') };
}
