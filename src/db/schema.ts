import type { Neo4jClient } from './neo4j-client.js';

/**
 * The graph's constraints and indexes (docs/neo4j-model.md): the one list that ingest, bulk load,
 * detection write-back and the tests create. All `IF NOT EXISTS`, so running them again is harmless.
 */
export const SCHEMA_STATEMENTS: readonly string[] = [
  'CREATE CONSTRAINT account_id IF NOT EXISTS FOR (n:Account) REQUIRE n.id IS UNIQUE',
  'CREATE CONSTRAINT payment_method_id IF NOT EXISTS FOR (n:PaymentMethod) REQUIRE n.id IS UNIQUE',
  'CREATE CONSTRAINT ip_address IF NOT EXISTS FOR (n:IP) REQUIRE n.address IS UNIQUE',
  'CREATE CONSTRAINT subnet_cidr IF NOT EXISTS FOR (n:Subnet) REQUIRE n.cidr IS UNIQUE',
  'CREATE CONSTRAINT prompt_fingerprint_id IF NOT EXISTS FOR (n:PromptFingerprint) REQUIRE n.id IS UNIQUE',
  'CREATE CONSTRAINT drop_sha256 IF NOT EXISTS FOR (n:Drop) REQUIRE n.sha256 IS UNIQUE',
  'CREATE CONSTRAINT ingest_batch_id IF NOT EXISTS FOR (n:IngestBatch) REQUIRE n.id IS UNIQUE',
  'CREATE CONSTRAINT linkage_run_id IF NOT EXISTS FOR (n:LinkageRun) REQUIRE n.id IS UNIQUE',
  'CREATE CONSTRAINT cluster_uid IF NOT EXISTS FOR (n:Cluster) REQUIRE n.uid IS UNIQUE',
  'CREATE INDEX drop_id IF NOT EXISTS FOR (n:Drop) ON (n.id)',
  'CREATE INDEX cluster_id IF NOT EXISTS FOR (n:Cluster) ON (n.id)',
];

const schemaReady = new WeakSet<Neo4jClient>();

/** Create constraints and indexes (once per client per process) and wait until they are online. */
export async function ensureSchema(client: Neo4jClient): Promise<void> {
  if (schemaReady.has(client)) return;
  for (const s of SCHEMA_STATEMENTS) await client.query(s);
  await client.query('CALL db.awaitIndexes(300)');
  schemaReady.add(client);
}
