import type { Neo4jClient } from '../db/index.js';
import { WriteRefusedError } from '../util/errors.js';
import { toPlain } from './plain-values.js';

export interface ReadOnlyOptions {
  /** Server-side transaction timeout. @defaultValue 60000 */
  readonly timeoutMs?: number;
  /** Rows kept (the rest is counted, not returned). @defaultValue 10000 */
  readonly maxRows?: number;
}

export const DEFAULTS: Required<ReadOnlyOptions> = { timeoutMs: 60_000, maxRows: 10_000 };

export interface QueryRows {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<Record<string, unknown>>;
  /** Rows beyond maxRows that were dropped. */
  readonly dropped: number;
}

/** Remove comments and string literals so that a keyword test sees only Cypher clauses. */
function stripLiterals(cypher: string): string {
  return cypher
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`[^`]*`/g, "''");
}

/**
 * LOAD CSV reads files and URLs from the server, which a read transaction allows: refuse it up
 * front. Every actual write (CREATE, MERGE, SET, DELETE, REMOVE, schema changes, write procedures)
 * is refused by the server because the transaction runs in READ access mode; that is the guarantee,
 * not this keyword check.
 */
function refuseLoadCsv(cypher: string): void {
  if (/\bLOAD\s+CSV\b/i.test(stripLiterals(cypher))) throw new WriteRefusedError('LOAD CSV is not allowed in the read-only analyst runner');
}

function isRefusal(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'Neo.ClientError.Statement.AccessMode') return true;
  // CALL { … } IN TRANSACTIONS (batched writes) cannot run in an explicit read transaction.
  return typeof e?.message === 'string' && /IN TRANSACTIONS/i.test(e.message) && /implicit transaction/i.test(e.message);
}

/**
 * Run analyst Cypher with READ routing inside `session.executeRead`. Writes are refused with
 * WriteRefusedError and leave the database unchanged (the server rolls the transaction back).
 */
export async function runReadOnly(
  client: Neo4jClient,
  cypher: string,
  params: Record<string, unknown> = {},
  options: ReadOnlyOptions = {},
): Promise<QueryRows> {
  const o = { ...DEFAULTS, ...options };
  refuseLoadCsv(cypher);
  const session = client.session('READ');
  try {
    return await session.executeRead(
      async (tx) => {
        const result = tx.run(cypher, params);
        const columns = (await result.keys()).map(String);
        const { records } = await result;
        const rows = records.slice(0, o.maxRows).map((r) => Object.fromEntries(columns.map((k) => [k, toPlain(r.get(k))])));
        return { columns, rows, dropped: Math.max(0, records.length - o.maxRows) };
      },
      { timeout: o.timeoutMs },
    );
  } catch (err) {
    if (isRefusal(err)) throw new WriteRefusedError(`write refused in the read-only runner: ${(err as Error).message}`, { cause: err });
    throw err;
  } finally {
    await session.close();
  }
}
