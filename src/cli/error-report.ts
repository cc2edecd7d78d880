import { CommanderError } from 'commander';
import { Neo4jError } from 'neo4j-driver';
import { isInputError, RingscopeError, ServiceUnavailableError, StorageError, WebhookDeliveryError } from '../util/errors.js';

/**
 * How the CLI reports a failure: one line on stderr (`ringscope: <Class>: <what> (hint: …)`), never
 * a stack, and an exit code that tells a script whose fault it was (docs/cli.md, "Exit codes").
 */
export const EXIT = Object.freeze({
  /** Something failed that is neither the user's input nor a service (a bug, or a failed ingest file). */
  failure: 1,
  /** The user's input: an option, a variable, a file, a query, a name that does not exist. */
  usage: 2,
  /** A service or the machine: Neo4j or Redis unreachable or lost, disk full, read-only target, a webhook receiver. */
  service: 3,
});

export interface ErrorReport {
  readonly line: string;
  readonly exitCode: number;
}

const SERVICE_ERRORS = [ServiceUnavailableError, StorageError, WebhookDeliveryError];

/** Node's system errors that are the machine's state rather than the user's input. */
const STORAGE_CODES: Record<string, string> = {
  ENOSPC: 'no space left on the device: free space on that file system, or choose another target',
  EDQUOT: 'disk quota exceeded: free space, or choose another target',
  EROFS: 'the file system is read-only: choose a writable target',
  EIO: 'input/output error on the device',
};
const PATH_CODES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied: choose a target you may write, or fix its permissions',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory, a file was expected',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'already exists',
};
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

function line(name: string, message: string, hint?: string): string {
  return oneLine(`ringscope: ${name}: ${message}${hint ? ` (hint: ${hint})` : ''}`);
}

/** The report of any error a command may throw. */
export function reportError(err: unknown): ErrorReport {
  if (err instanceof CommanderError) {
    // commander has already printed its own one-line message (unknown option, missing argument).
    return { line: '', exitCode: err.exitCode === 0 ? 0 : EXIT.usage };
  }
  if (err instanceof RingscopeError) {
    const code = isInputError(err) ? EXIT.usage : SERVICE_ERRORS.some((c) => err instanceof c) ? EXIT.service : EXIT.failure;
    const hint =
      err.hint ?? (err instanceof ServiceUnavailableError ? 'start the local services with `npm run services:up`, or set NEO4J_URI / REDIS_URL' : undefined);
    return { line: line(err.name, err.message, hint), exitCode: code };
  }
  if (err instanceof Neo4jError) {
    const code = err.code ?? '';
    if (code === 'ServiceUnavailable' || code === 'SessionExpired' || code.startsWith('Neo.TransientError')) {
      return {
        line: line('ServiceUnavailableError', `Neo4j: ${err.message}`, 'Neo4j was lost; check that it runs (`ringscope status`), then run the command again'),
        exitCode: EXIT.service,
      };
    }
    if (code.startsWith('Neo.ClientError')) {
      return { line: line('QueryError', `${code}: ${err.message}`), exitCode: EXIT.usage };
    }
    return { line: line('Neo4jError', `${code}: ${err.message}`), exitCode: EXIT.service };
  }
  const sys = err as NodeJS.ErrnoException;
  if (sys && typeof sys.code === 'string') {
    if (STORAGE_CODES[sys.code])
      return { line: line('StorageError', `${sys.path ?? 'a file'}: ${STORAGE_CODES[sys.code]} (${sys.code})`), exitCode: EXIT.service };
    if (PATH_CODES[sys.code] && sys.path) return { line: line('FileError', `${sys.path}: ${PATH_CODES[sys.code]} (${sys.code})`), exitCode: EXIT.usage };
    if (CONNECTION_CODES.has(sys.code)) {
      return {
        line: line('ServiceUnavailableError', `${sys.message}`, 'start the local services with `npm run services:up`, or set NEO4J_URI / REDIS_URL'),
        exitCode: EXIT.service,
      };
    }
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { line: line(e.name || 'Error', e.message, 'an unexpected error: please report it with the command that caused it'), exitCode: EXIT.failure };
}
