import { loadConfig, type Config } from '../../src/config/index.js';
import { Neo4jClient } from '../../src/db/index.js';

/** Config for the test services (started by npm test / the global setup). */
export function testConfig(overrides: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({ ...process.env, LOG_LEVEL: 'silent', ...overrides });
}

function assertTestInstance(): void {
  if (!process.env.RINGSCOPE_INSTANCE || process.env.RINGSCOPE_INSTANCE === 'dev') {
    throw new Error('refusing to wipe a database outside a test instance');
  }
}

/** Connect to the test Neo4j and delete everything in it (constraints and indexes stay). */
export async function freshNeo4j(config: Config = testConfig()): Promise<Neo4jClient> {
  assertTestInstance();
  const client = await Neo4jClient.connect(config);
  // Relationships first, in bounded transactions: detaching 10,000 nodes of a few hundred
  // relationships each in one transaction can exceed a small heap's transaction memory pool.
  const s = client.session();
  try {
    await s.run('MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS');
    await s.run('MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS');
  } finally {
    await s.close();
  }
  return client;
}
