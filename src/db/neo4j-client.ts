import neo4j, { type Driver, type ManagedTransaction, type QueryResult, type RecordShape, type Session } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import { ConfigError, ServiceUnavailableError } from '../util/errors.js';

/**
 * The one Neo4j driver of a process, with the database always passed (saves a round trip per call)
 * and helpers that always close their sessions (unclosed sessions show up as
 * "Connection acquisition timed out").
 */
/**
 * How long the driver retries a transaction through transient errors and lost connections
 * (`maxTransactionRetryTime`): workers ride out a Neo4j restart this long (docs/pipeline.md).
 */
export const TX_RETRY_MS = 60_000;
/** The same for CLI commands: a user waits at most this long to hear that Neo4j was lost (docs/cli.md). */
export const CLI_RETRY_MS = 10_000;

/** Driver errors that mean the server is gone (not a bad query): after the retries, nothing more will work. */
function isConnectionLoss(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'ServiceUnavailable' || code === 'SessionExpired';
}

export class Neo4jClient {
  /** Set once a retried call found Neo4j gone: every later call fails at once instead of retrying again. */
  private lost: ServiceUnavailableError | undefined;

  private constructor(
    readonly driver: Driver,
    readonly database: string,
    private readonly uri: string,
  ) {}

  /**
   * Connect: getServerInfo() is awaited before the client is returned. By default this fails fast
   * (a CLI command should say at once that Neo4j is down). Workers pass `waitMs` so that a job
   * connecting while Neo4j restarts waits for it, as an already open client's transactions do
   * (`maxTransactionRetryTime`), instead of spending its attempts in seconds.
   */
  static async connect(config: Pick<Config, 'neo4j'>, options: { readonly waitMs?: number; readonly retryMs?: number } = {}): Promise<Neo4jClient> {
    const retryMs = options.retryMs ?? (options.waitMs ? TX_RETRY_MS : CLI_RETRY_MS);
    const driver = neo4j.driver(config.neo4j.uri, neo4j.auth.basic(config.neo4j.user, config.neo4j.password), {
      disableLosslessIntegers: false,
      maxTransactionRetryTime: retryMs,
      // A local or LAN server answers a TCP connect in milliseconds; the default 30 s per attempt
      // would multiply the retry time when the server is gone.
      connectionTimeout: 5_000,
      connectionAcquisitionTimeout: 120_000,
    });
    const deadline = Date.now() + (options.waitMs ?? 0);
    for (;;) {
      try {
        await driver.getServerInfo({ database: config.neo4j.database });
        return new Neo4jClient(driver, config.neo4j.database, config.neo4j.uri);
      } catch (err) {
        // Wrong credentials are the user's configuration, not an outage: no wait fixes them.
        if (String((err as { code?: unknown }).code ?? '').startsWith('Neo.ClientError.Security')) {
          await driver.close().catch(() => undefined);
          throw new ConfigError('NEO4J_PASSWORD', `Neo4j at ${config.neo4j.uri} refused user ${config.neo4j.user} (${(err as { code: string }).code})`, {
            hint: 'check NEO4J_USER and NEO4J_PASSWORD / NEO4J_PASSWORD_FILE',
          });
        }
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

  /** Fail fast once Neo4j was found gone; turn a connection loss into one ServiceUnavailableError. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    if (this.lost) throw this.lost;
    try {
      return await work();
    } catch (err) {
      if (!isConnectionLoss(err)) throw err;
      this.lost ??= new ServiceUnavailableError(`Neo4j at ${this.uri} was lost: ${(err as Error).message}`, {
        cause: err,
        hint: 'check that Neo4j runs (`npm run services:up` for the local one), then run the command again',
      });
      throw this.lost;
    }
  }

  session(mode: 'READ' | 'WRITE' = 'WRITE'): Session {
    if (this.lost) throw this.lost;
    return this.driver.session({
      database: this.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
    });
  }

  /** One auto-retried write transaction (idempotent work only: MERGE on keys). */
  write<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    return this.transaction('WRITE', work);
  }

  /** One auto-retried read transaction; writes inside are refused by the server. */
  read<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    return this.transaction('READ', work);
  }

  private transaction<T>(mode: 'READ' | 'WRITE', work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    return this.guard(async () => {
      const s = this.session(mode);
      try {
        return await (mode === 'READ' ? s.executeRead(work) : s.executeWrite(work));
      } finally {
        await s.close().catch(() => undefined);
      }
    });
  }

  /** A single parameterised query. */
  query<R extends RecordShape = RecordShape>(cypher: string, params: Record<string, unknown> = {}, mode: 'READ' | 'WRITE' = 'WRITE'): Promise<QueryResult<R>> {
    return this.guard(() =>
      this.driver.executeQuery<QueryResult<R>>(cypher, params, {
        database: this.database,
        routing: mode === 'READ' ? neo4j.routing.READ : neo4j.routing.WRITE,
      }),
    );
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
