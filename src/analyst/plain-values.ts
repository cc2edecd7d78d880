import { neo4j } from '../db/index.js';

/**
 * Neo4j driver values to plain JSON-safe values: integers to numbers (or decimal strings beyond
 * 2^53, so no precision is silently lost), temporals to ISO strings, nodes/relationships/paths to
 * small objects. Analysts read these as tables, JSON or CSV.
 */
export function toPlain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (neo4j.isInt(v)) {
    const i = v as unknown as { inSafeRange(): boolean; toNumber(): number; toString(): string };
    return i.inSafeRange() ? i.toNumber() : i.toString();
  }
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(toPlain);
  if (typeof v !== 'object') return v;
  if (
    neo4j.isDateTime(v as never) ||
    neo4j.isDate(v as never) ||
    neo4j.isLocalDateTime(v as never) ||
    neo4j.isTime(v as never) ||
    neo4j.isLocalTime(v as never) ||
    neo4j.isDuration(v as never)
  ) {
    return String(v);
  }
  if (neo4j.isNode(v as never)) {
    const n = v as { labels: string[]; properties: Record<string, unknown> };
    return { labels: n.labels, properties: toPlain(n.properties) };
  }
  if (neo4j.isRelationship(v as never)) {
    const r = v as { type: string; properties: Record<string, unknown> };
    return { type: r.type, properties: toPlain(r.properties) };
  }
  if (neo4j.isPath(v as never)) {
    const p = v as { start: unknown; segments: Array<{ relationship: unknown; end: unknown }> };
    return { start: toPlain(p.start), segments: p.segments.map((s) => ({ relationship: toPlain(s.relationship), end: toPlain(s.end) })) };
  }
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toPlain(x)]));
}
