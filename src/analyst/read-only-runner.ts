import type { ManagedTransaction } from 'neo4j-driver';
import type { Neo4jClient } from '../db/index.js';
import { AdminCommandRefusedError, InvalidParameterError, QueryError, QueryTimeoutError, WriteRefusedError } from '../util/errors.js';
import { toPlain } from './plain-values.js';

export interface ReadOnlyOptions {
  /** Server-side transaction timeout. @defaultValue 60000 */
  readonly timeoutMs?: number;
  /** Rows returned; the stream stops at the cap (see QueryRows.truncated). @defaultValue 10000 */
  readonly maxRows?: number;
}

export const DEFAULTS: Required<ReadOnlyOptions> = { timeoutMs: 60_000, maxRows: 10_000 };

/** Highest accepted `maxRows` (`--limit`): rows are held in memory before they are formatted. */
export const MAX_ROWS_LIMIT = 1_000_000;

export interface QueryRows {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<Record<string, unknown>>;
  /** The query had more rows than `limit`: the stream was stopped there, the rest never read. */
  readonly truncated: boolean;
  /** The row cap the query ran with. */
  readonly limit: number;
}

/** Remove comments and string literals so that a keyword test sees only Cypher clauses. */
function stripLiterals(cypher: string): string {
  return cypher
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`[^`]*`/g, "''");
}

/**
 * Procedures a read query may CALL: schema look-ups and index queries. Everything else is refused,
 * including procedures Neo4j runs in READ mode that act on the server (db.awaitIndexes,
 * db.prepareForReplanning, db.stats.collect, ...) and every dbms.* procedure.
 */
const READ_PROCEDURES: ReadonlySet<string> = new Set([
  'db.labels',
  'db.relationshipTypes',
  'db.propertyKeys',
  'db.schema.visualization',
  'db.schema.nodeTypeProperties',
  'db.schema.relTypeProperties',
  'db.index.fulltext.queryNodes',
  'db.index.fulltext.queryRelationships',
  'db.index.vector.queryNodes',
  'db.index.vector.queryRelationships',
  'db.info',
  'db.ping',
]);

/** First clause a read query may start with. Admin commands (SHOW TRANSACTIONS, STOP DATABASE, GRANT...) start otherwise. */
const READ_START = /^(MATCH|OPTIONAL\s+(?:MATCH|CALL)|WITH|UNWIND|RETURN|CALL)\b/i;
/** Write clauses (and schema commands) a statement may start with: refused as writes. */
const WRITE_START = /^(CREATE|MERGE|DELETE|DETACH|NODETACH|SET|REMOVE|FOREACH|INSERT|DROP)\b/i;
/** `SHOW` commands that only list schema or callables; SHOW TRANSACTIONS / SETTINGS / USERS / DATABASES... are not allowed. */
const READ_SHOW =
  /^SHOW\s+(?:(?:ALL|RANGE|TEXT|POINT|LOOKUP|FULLTEXT|VECTOR|BTREE|UNIQUE|UNIQUENESS|NODE|RELATIONSHIP|REL|EXIST|EXISTENCE|PROPERTY|KEY|TYPE|BUILT\s+IN|USER\s+DEFINED)\s+)*(?:INDEX|INDEXES|CONSTRAINT|CONSTRAINTS|FUNCTION|FUNCTIONS|PROCEDURE|PROCEDURES)\b/i;
/** Words that only admin commands use, wherever they appear (not as a property `.x` or parameter `$x`). */
const ADMIN_WORDS: ReadonlyArray<[RegExp, string]> = [
  [/(?<![.$\w])TERMINATE\b/i, 'TERMINATE'],
  [/(?<![.$\w])(?:GRANT|DENY|REVOKE)\b/i, 'GRANT/DENY/REVOKE'],
  [/(?<![.$\w])(?:START|STOP)\s+DATABASE\b/i, 'START/STOP DATABASE'],
  [
    /(?<![.$\w])(?:CREATE|DROP|ALTER|RENAME)\s+(?:OR\s+REPLACE\s+)?(?:COMPOSITE\s+)?(?:DATABASE|ALIAS|USER|ROLE|SERVER)\b/i,
    'CREATE/DROP/ALTER DATABASE|ALIAS|USER|ROLE|SERVER',
  ],
  [/(?<![.$\w])USE\s+['A-Za-z_]/i, 'USE (another database)'],
];

/**
 * The text-level half of the read-only check (the server's plan type is the other half, see
 * runReadOnly): refuse anything that is not a plain read before it reaches the server. EXPLAIN
 * cannot take some admin commands at all (STOP DATABASE, GRANT: "Unsupported administration
 * command" on Community), and plans TERMINATE TRANSACTIONS and SHOW TRANSACTIONS as reads, so
 * these are refused by their words.
 */
export function checkReadOnlyText(cypher: string): void {
  const text = stripLiterals(cypher).trim();
  if (/\bLOAD\s+CSV\b/i.test(text)) throw new WriteRefusedError('LOAD CSV is not allowed in the read-only analyst runner');
  for (const [re, what] of ADMIN_WORDS) {
    if (re.test(text)) throw new AdminCommandRefusedError(`${what} is an admin command, not a read; refused by the read-only analyst runner`);
  }
  const show = /^SHOW\b/i.test(text);
  if (show && !READ_SHOW.test(text)) {
    throw new AdminCommandRefusedError('only SHOW INDEXES, CONSTRAINTS, FUNCTIONS and PROCEDURES are allowed in the read-only analyst runner');
  }
  if ((show ? text.slice(4) : text).match(/(?<![.$\w])SHOW\b/i))
    throw new AdminCommandRefusedError('a second SHOW command is not allowed in the read-only analyst runner');
  if (!show && WRITE_START.test(text)) throw new WriteRefusedError(`${text.split(/\s/, 1)[0]} writes; refused by the read-only analyst runner`);
  if (!show && !READ_START.test(text)) {
    throw new AdminCommandRefusedError(
      `a read query starts with MATCH, OPTIONAL MATCH, WITH, UNWIND, RETURN or CALL (got ${JSON.stringify(text.split(/\s/, 1)[0] ?? '')})`,
    );
  }
}

/** Every `CALL name` (not a `CALL {…}` / `CALL (…) {…}` subquery) must name an allow-listed read procedure. */
export function checkCalledProcedures(cypher: string): void {
  const text = stripLiterals(cypher);
  for (const m of text.matchAll(/(?<![.$\w])CALL\b\s*/gi)) {
    const rest = text.slice(m.index + m[0].length);
    if (rest.startsWith('{') || rest.startsWith('(')) continue; // a subquery: its clauses are part of the text checked
    const name = /^[A-Za-z_][\w]*(?:\s*\.\s*[A-Za-z_][\w]*)*/.exec(rest)?.[0].replace(/\s+/g, '');
    if (name === undefined || !READ_PROCEDURES.has(name)) {
      throw new AdminCommandRefusedError(`procedure ${name ?? '(quoted name)'} is not on the read allow-list (${[...READ_PROCEDURES].join(', ')})`);
    }
  }
}

function isRefusal(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'Neo.ClientError.Statement.AccessMode') return true;
  // CALL { … } IN TRANSACTIONS (batched writes) cannot run in an explicit read transaction.
  return typeof e?.message === 'string' && /IN TRANSACTIONS/i.test(e.message) && /implicit transaction/i.test(e.message);
}

/** The server's verdict on a statement (syntax, unknown procedure or function, parameter types). */
function isInvalid(err: unknown): err is { code: string; message: string } {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^Neo\.ClientError\.(Statement|Procedure|Schema)\./.test(code);
}

/** Plan type of a statement: 'r' read only, 'rw', 'w', 's' schema/admin (ResultSummary.queryType). */
async function planType(tx: ManagedTransaction, cypher: string, params: Record<string, unknown>): Promise<string> {
  const summary = await tx.run(cypher, params).summary();
  return summary.queryType;
}

/**
 * Run analyst Cypher with READ routing inside `session.executeRead`, refusing anything that is not a
 * plain read before it runs: the text check (checkReadOnlyText), then `EXPLAIN`, whose plan must be
 * of type 'r' (read only), then the procedure allow-list (checkCalledProcedures). Writes that get past both are still refused by the server (READ access
 * mode) and rolled back. Rows are streamed and the stream is stopped at `maxRows`, so memory holds
 * at most `maxRows` rows whatever the query returns.
 */
export async function runReadOnly(
  client: Neo4jClient,
  cypher: string,
  params: Record<string, unknown> = {},
  options: ReadOnlyOptions = {},
): Promise<QueryRows> {
  const o = { ...DEFAULTS, ...options };
  if (!Number.isInteger(o.maxRows) || o.maxRows < 1 || o.maxRows > MAX_ROWS_LIMIT) {
    throw new InvalidParameterError('limit', `must be a whole number from 1 to ${MAX_ROWS_LIMIT}`);
  }
  checkReadOnlyText(cypher);
  const session = client.session('READ');
  try {
    return await session.executeRead(
      async (tx) => {
        const type = await planType(tx, `EXPLAIN ${cypher}`, params);
        if (type === 'w' || type === 'rw') throw new WriteRefusedError(`the query plan writes (type ${type}); refused by the read-only analyst runner`);
        if (type !== 'r')
          throw new AdminCommandRefusedError(`the query plan is not a read (type ${type}: schema or admin); refused by the read-only analyst runner`);
        checkCalledProcedures(cypher);
        const result = tx.run(cypher, params);
        const columns = (await result.keys()).map(String);
        const rows: Array<Record<string, unknown>> = [];
        let truncated = false;
        // for-await pulls records in fetch-size batches as they are consumed; `break` cancels the
        // rest of the stream on the server (the driver discards it), so nothing past the cap is held.
        for await (const r of result) {
          if (rows.length === o.maxRows) {
            truncated = true;
            break;
          }
          rows.push(Object.fromEntries(columns.map((k) => [k, toPlain(r.get(k))])));
        }
        return { columns, rows, truncated, limit: o.maxRows };
      },
      { timeout: o.timeoutMs },
    );
  } catch (err) {
    if (isRefusal(err)) throw new WriteRefusedError(`write refused in the read-only runner: ${(err as Error).message}`, { cause: err });
    if (isInvalid(err)) throw new QueryError(err.code, err.message.split('\n', 1)[0]!, { cause: err });
    if (/^Neo\.ClientError\.Transaction\.TransactionTimedOut/.test(String((err as { code?: unknown })?.code)))
      throw new QueryTimeoutError(o.timeoutMs, { cause: err });
    throw err;
  } finally {
    await session.close();
  }
}
