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
