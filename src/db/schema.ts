import { LedgerConflictError } from '../util/errors.js';
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
  // One Drop per id (a drop id is a fact about the past). It replaces the plain index `drop_id` of
  // earlier versions: Neo4j refuses a constraint while an index on the same property exists.
  'DROP INDEX drop_id IF EXISTS',
  'CREATE CONSTRAINT drop_id_unique IF NOT EXISTS FOR (n:Drop) REQUIRE n.id IS UNIQUE',
  'CREATE CONSTRAINT drop_file_key IF NOT EXISTS FOR (n:DropFile) REQUIRE n.key IS UNIQUE',
  'CREATE CONSTRAINT ingest_batch_id IF NOT EXISTS FOR (n:IngestBatch) REQUIRE n.id IS UNIQUE',
  'CREATE CONSTRAINT linkage_run_id IF NOT EXISTS FOR (n:LinkageRun) REQUIRE n.id IS UNIQUE',
  'CREATE CONSTRAINT cluster_uid IF NOT EXISTS FOR (n:Cluster) REQUIRE n.uid IS UNIQUE',
  'CREATE INDEX cluster_id IF NOT EXISTS FOR (n:Cluster) ON (n.id)',
];

const schemaReady = new WeakSet<Neo4jClient>();

/**
 * Create constraints and indexes (once per client per process) and wait until they are online.
 * Duplicate Drop ids left by a version before ids were unique stop it with LedgerConflictError.
 */
export async function ensureSchema(client: Neo4jClient): Promise<void> {
  if (schemaReady.has(client)) return;
  for (const s of SCHEMA_STATEMENTS) {
    try {
      await client.query(s);
    } catch (err) {
      if ((err as { code?: string }).code !== 'Neo.DatabaseError.Schema.ConstraintCreationFailed' || !s.includes('drop_id_unique')) throw err;
      const dup = await client.query('MATCH (d:Drop) WITH d.id AS id, count(*) AS n WHERE n > 1 RETURN collect(id) AS ids', {}, 'READ');
      throw new LedgerConflictError(
        (dup.records[0]?.get('ids') as string[] | undefined) ?? [],
        'an earlier version loaded edited content under one id; keep one Drop node per id (see docs/neo4j-model.md, Ledger) and ingest again',
      );
    }
  }
  await client.query('CALL db.awaitIndexes(300)');
  schemaReady.add(client);
}
