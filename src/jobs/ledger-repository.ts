import type { Neo4jClient } from '../db/index.js';

/**
 * Read-only look-ups of the drop ledger (docs/neo4j-model.md) that the pipeline needs to decide
 * what to enqueue. Writes to the ledger belong to the loaders (finalizeDrop); runs belong to the
 * run repository (src/db/run-repository.ts).
 */
export async function ingestedDrops(client: Neo4jClient, sha256s: readonly string[]): Promise<Set<string>> {
  if (sha256s.length === 0) return new Set();
  const res = await client.query('MATCH (d:Drop) WHERE d.sha256 IN $shas RETURN d.sha256 AS sha', { shas: [...sha256s] }, 'READ');
  return new Set(res.records.map((r) => String(r.get('sha'))));
}
