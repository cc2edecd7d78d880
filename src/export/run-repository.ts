import type { Neo4jClient } from '../db/index.js';
import { NotFoundError } from '../util/errors.js';
import type { RunInfo } from './schema.js';

/** Neo4j DateTime (or ISO string / null) to an ISO-8601 UTC string. */
export function isoTime(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return new Date(v).toISOString();
  if (typeof (v as { toStandardDate?: unknown }).toStandardDate === 'function') {
    return (v as { toStandardDate(): Date }).toStandardDate().toISOString();
  }
  return new Date(String(v)).toISOString();
}

/**
 * Resolve `latest` (the run that started last; ties broken by id) or a run id to its LinkageRun.
 * Throws NotFoundError when there is no such run.
 */
export async function resolveRun(client: Neo4jClient, run = 'latest'): Promise<RunInfo> {
  const res = await client.query(
    `MATCH (r:LinkageRun)
     WHERE $run = 'latest' OR r.id = $run
     RETURN r.id AS id, r.startedAt AS startedAt, r.finishedAt AS finishedAt
     ORDER BY r.startedAt DESC, r.id DESC LIMIT 1`,
    { run },
    'READ',
  );
  const rec = res.records[0];
  if (!rec) throw new NotFoundError(run === 'latest' ? 'no linkage run in the database' : `linkage run ${run} not found`);
  return { id: String(rec.get('id')), startedAt: isoTime(rec.get('startedAt')), finishedAt: isoTime(rec.get('finishedAt')) };
}

/** Code-unit string order: locale-independent, so exports sort the same on every machine. */
export function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
