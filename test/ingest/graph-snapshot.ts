import { createHash } from 'node:crypto';
import { neo4j, type Neo4jClient } from '../../src/db/index.js';

/** Canonical text of a Neo4j value: integers, floats and temporals stay distinguishable. */
function canon(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (neo4j.isInt(v)) return `${String(v)}i`;
  if (typeof v === 'number') return `${v}f`;
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  if (neo4j.isDateTime(v as never)) return `dt:${String(v)}`;
  if (typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export interface GraphSnapshot {
  readonly nodes: number;
  readonly rels: number;
  /** sha256 over every node's labels and properties and every relationship's ends, type and properties. */
  readonly checksum: string;
}

/**
 * Counts and a property checksum of the graph. `evidenceOnly` leaves out the ledger (Drop, DropFile,
 * IngestBatch), to compare the evidence two different ingests produced.
 */
export async function snapshot(client: Neo4jClient, evidenceOnly = false): Promise<GraphSnapshot> {
  const filter = evidenceOnly ? 'WHERE NOT n:Drop AND NOT n:IngestBatch AND NOT n:DropFile' : '';
  const nodes = await client.query(`MATCH (n) ${filter} RETURN labels(n) AS l, properties(n) AS p`, {}, 'READ');
  const rels = await client.query(
    `MATCH (a)-[r]->(b) RETURN type(r) AS t, properties(r) AS p, labels(a) AS la, properties(a) AS pa, labels(b) AS lb, properties(b) AS pb`,
    {},
    'READ',
  );
  const lines = [
    ...nodes.records.map((r) => `N ${canon(r.get('l'))} ${canon(r.get('p'))}`),
    ...rels.records.map((r) => `R ${canon(r.get('la'))}${keyOf(r.get('pa'))} -${r.get('t')}${canon(r.get('p'))}-> ${canon(r.get('lb'))}${keyOf(r.get('pb'))}`),
  ].sort();
  return { nodes: nodes.records.length, rels: rels.records.length, checksum: createHash('sha256').update(lines.join('\n')).digest('hex') };
}

function keyOf(p: Record<string, unknown>): string {
  return canon(p.id ?? p.address ?? p.cidr ?? p.sha256);
}
