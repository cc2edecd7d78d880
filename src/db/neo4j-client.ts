import neo4j, { type Driver, type ManagedTransaction, type QueryResult, type RecordShape, type Session } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import { ServiceUnavailableError } from '../util/errors.js';

/**
 * The one Neo4j driver of a process, with the database always passed (saves a round trip per call)
 * and helpers that always close their sessions (unclosed sessions show up as
 * "Connection acquisition timed out").
 */
export class Neo4jClient {
  private constructor(
    readonly driver: Driver,
    readonly database: string,
  ) {}

  /** Connect and fail fast: getServerInfo() is awaited before the client is returned. */
  static async connect(config: Pick<Config, 'neo4j'>): Promise<Neo4jClient> {
    const driver = neo4j.driver(config.neo4j.uri, neo4j.auth.basic(config.neo4j.user, config.neo4j.password), {
      disableLosslessIntegers: false,
      maxTransactionRetryTime: 60_000,
      connectionAcquisitionTimeout: 120_000,
    });
    try {
      await driver.getServerInfo({ database: config.neo4j.database });
    } catch (err) {
      await driver.close().catch(() => undefined);
      throw new ServiceUnavailableError(`Neo4j at ${config.neo4j.uri} is unavailable: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return new Neo4jClient(driver, config.neo4j.database);
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
