import fs from 'node:fs';
import path from 'node:path';

// Empty a benchmark instance's Neo4j database (the bench scripts refuse the dev instance).
// Relationships go first, in small transactions: hub nodes (shared IPs, popular templates) hold
// thousands each, and detaching them in one transaction per node would be one huge transaction.
export async function wipe(client) {
  const s = client.session();
  try {
    await s.run('MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 5000 ROWS');
    await s.run('MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 5000 ROWS');
  } finally {
    await s.close();
  }
}

/**
 * Empty an instance's database by deleting its store with Neo4j stopped (a Cypher wipe of a large
 * graph takes minutes and leaves a fragmented store that slows the next load), then start Neo4j
 * again. It must come back on `uri`: the caller's clients keep their address.
 */
export async function resetStore(services, instance, uri) {
  await services.stopNeo4j(instance);
  const data = path.join(services.stateDir(instance), 'neo4j', 'data');
  fs.rmSync(path.join(data, 'databases', 'neo4j'), { recursive: true, force: true });
  fs.rmSync(path.join(data, 'transactions', 'neo4j'), { recursive: true, force: true });
  const up = await services.startNeo4j(instance);
  if (up.uri !== uri) throw new Error(`Neo4j came back on ${up.uri}, not ${uri}`);
}
