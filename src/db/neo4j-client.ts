import neo4j, { type Driver, type ManagedTransaction, type QueryResult, type RecordShape, type Session } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import { ServiceUnavailableError } from '../util/errors.js';

/**
 * The one Neo4j driver of a process, with the database always passed (saves a round trip per call)
 * and helpers that always close their sessions (unclosed sessions show up as
 * "Connection acquisition timed out").
 */
/** How long the driver retries a transaction through transient errors (a Neo4j restart included). */
export const TX_RETRY_MS = 60_000;

export class Neo4jClient {
  private constructor(
    readonly driver: Driver,
    readonly database: string,
  ) {}

  /**
   * Connect: getServerInfo() is awaited before the client is returned. By default this fails fast
   * (a CLI command should say at once that Neo4j is down). Workers pass `waitMs` so that a job
   * connecting while Neo4j restarts waits for it, as an already open client's transactions do
   * (`maxTransactionRetryTime`), instead of spending its attempts in seconds.
   */
  static async connect(config: Pick<Config, 'neo4j'>, options: { readonly waitMs?: number } = {}): Promise<Neo4jClient> {
    const driver = neo4j.driver(config.neo4j.uri, neo4j.auth.basic(config.neo4j.user, config.neo4j.password), {
      disableLosslessIntegers: false,
      maxTransactionRetryTime: TX_RETRY_MS,
      connectionAcquisitionTimeout: 120_000,
    });
    const deadline = Date.now() + (options.waitMs ?? 0);
    for (;;) {
      try {
        await driver.getServerInfo({ database: config.neo4j.database });
        return new Neo4jClient(driver, config.neo4j.database);
      } catch (err) {
        if (Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        await driver.close().catch(() => undefined);
        throw new ServiceUnavailableError(`Neo4j at ${config.neo4j.uri} is unavailable: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
  }

  session(mode: 'READ' | 'WRITE' = 'WRITE'): Session {
    return this.driver.session({
      database: this.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
    });
  }

  /** One auto-retried write transaction (idempotent work only: MERGE on keys). */
  async write<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const s = this.session('WRITE');
    try {
      return await s.executeWrite(work);
    } finally {
      await s.close();
    }
  }

  /** One auto-retried read transaction; writes inside are refused by the server. */
  async read<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const s = this.session('READ');
    try {
      return await s.executeRead(work);
    } finally {
      await s.close();
    }
  }

  /** A single parameterised query. */
  query<R extends RecordShape = RecordShape>(
    cypher: string,
    params: Record<string, unknown> = {},
    mode: 'READ' | 'WRITE' = 'WRITE',
  ): Promise<QueryResult<R>> {
    return this.driver.executeQuery<QueryResult<R>>(cypher, params, {
      database: this.database,
      routing: mode === 'READ' ? neo4j.routing.READ : neo4j.routing.WRITE,
    });
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}

/** Convert a neo4j Integer (or number / bigint / null) to a JS number. */
export function toNum(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (neo4j.isInt(v)) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

export { neo4j };
