export { Neo4jClient, toNum, neo4j } from './neo4j-client.js';
