/**
 * Named error classes. Tests assert on the class, never on the message.
 */

/** Base for every error ringscope raises on purpose. `hint` says what to do about it (the CLI prints it). */
export class RingscopeError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options);
    this.name = new.target.name;
    this.hint = options?.hint;
  }
}

/** A configuration variable is missing or malformed. `variable` names it. */
export class ConfigError extends RingscopeError {
  constructor(
    readonly variable: string,
    reason: string,
    options?: { hint?: string },
  ) {
    super(`${variable}: ${reason}`, options);
  }
}

/** Neo4j or Redis cannot be reached, or was lost mid-command. */
export class ServiceUnavailableError extends RingscopeError {}

/**
 * A file could not be written or read for a reason of the machine, not of the input (disk full,
 * read-only file system, permissions). `path` is the target the user named (e.g. `--out`).
 */
export class StorageError extends RingscopeError {
  constructor(
    readonly path: string,
    readonly code: string,
    reason: string,
    options?: { cause?: unknown; hint?: string },
  ) {
    super(`${path}: ${reason} (${code})`, options);
  }
}

/** One input row failed validation. Carries the location an exporter needs to fix it. */
export class InvalidRowError extends RingscopeError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${field}: ${reason}`);
  }
}

/** A whole input file is unusable (bad header, corrupt gzip, too many rejects...). Nothing of it is committed. */
export class InvalidFileError extends RingscopeError {
  constructor(
    readonly file: string,
    reason: string,
    readonly line?: number,
    readonly field?: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}${field ? `:${field}` : ''}: ${reason}`);
  }
}

/** A drop directory is unusable (missing, path traversal, symlink escaping the drop...). */
export class InvalidDropError extends RingscopeError {}

/**
 * A drop id that is in the ledger (or whose files started loading) came back with other content.
 * An ingested drop is a fact about the past: nothing was written. `files` names each file that
 * differs (`name (changed|added|removed)`); `hint` says how to load it as a new drop.
 */
export class EditedDropError extends InvalidDropError {
  constructor(
    readonly dropId: string,
    readonly files: readonly string[],
  ) {
    super(`drop ${dropId} was already ingested with other content: ${files.join(', ')}; nothing was written`, {
      hint: 'to load this content as a new drop, give it a new id (--drop-id <new id>)',
    });
  }
}

/** The ledger itself is inconsistent (two Drop nodes with one id, left by a version before ids were unique). */
export class LedgerConflictError extends RingscopeError {
  constructor(
    readonly dropIds: readonly string[],
    hint: string,
  ) {
    super(`drop ledger has more than one Drop node for id ${dropIds.join(', ')}`, { hint });
  }
}

/** An analyst query tried to write. */
export class WriteRefusedError extends RingscopeError {}

/**
 * An analyst query is not a plain read: an admin command (TERMINATE, SHOW TRANSACTIONS, STOP
 * DATABASE, GRANT...), a procedure outside the read allow-list, or a plan the server does not
 * classify as read-only. Nothing was run. See SECURITY.md.
 */
export class AdminCommandRefusedError extends RingscopeError {
  constructor(message: string) {
    super(message, { hint: 'the analyst runner runs reads only (MATCH/WITH/UNWIND/RETURN, read procedures); see SECURITY.md' });
  }
}

/** The server rejected an analyst query as invalid (syntax, unknown function, wrong parameter). `code` is Neo4j's. */
export class QueryError extends RingscopeError {
  constructor(
    readonly code: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${reason}`, { ...options, hint: 'fix the Cypher (see docs/cookbook.md); nothing was run' });
  }
}

/** A named thing (run, cluster, query) does not exist. */
export class NotFoundError extends RingscopeError {}

/** A detection state (snapshot) that cannot be used: bad magic, other format version, checksum mismatch, truncated. */
export class StateFormatError extends RingscopeError {}

/** A query parameter or command option is missing, unknown or of the wrong type. `parameter` names it. */
export class InvalidParameterError extends RingscopeError {
  constructor(
    readonly parameter: string,
    reason: string,
  ) {
    super(`${parameter}: ${reason}`);
  }
}

/** A webhook receiver refused or failed a delivery. `status` is the HTTP status (0: no response). */
export class WebhookDeliveryError extends RingscopeError {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(`webhook delivery failed (${status || 'no response'}): ${reason}`);
  }
}

/** A pipeline job failed for good (after its retries, or at once for bad input). `jobId` and `queue` name it. */
export class JobFailedError extends RingscopeError {
  constructor(
    readonly queue: string,
    readonly jobId: string,
    readonly reason: string,
  ) {
    super(`${queue} job ${jobId} failed: ${reason}`);
  }
}

/** An analyst query ran past the runner's server-side timeout and was stopped by the server. */
export class QueryTimeoutError extends RingscopeError {
  constructor(
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`query stopped by the server after its ${timeoutMs} ms timeout`, {
      ...options,
      hint: 'the query is too expensive; narrow it (a label, an index look-up, a LIMIT early) and run it again',
    });
  }
}

/** Neo4j's offline importer refused or failed (database running, destination not empty...). Nothing was loaded. */
export class BulkImportError extends RingscopeError {}

/** A truth file has no account with a positive (ring) label. `found` lists its labels with their counts. */
export class NoPositiveLabelError extends RingscopeError {
  constructor(
    readonly positiveLabels: readonly string[],
    readonly found: ReadonlyArray<readonly [label: string, accounts: number]>,
  ) {
    super(`no truth account is labelled ${positiveLabels.join(' or ')}; labels found: ${found.map(([l, n]) => `${l} (${n})`).join(', ')}`, {
      hint: 'name the ring label(s) with --positive-label',
    });
  }
}

/**
 * Errors of the user's input, not of the world: no retry can fix them, so a job that throws one
 * fails at once (src/jobs/failure.ts) and the CLI exits 2 (src/cli/error-report.ts).
 */
const INPUT_ERRORS = [
  ConfigError,
  InvalidParameterError,
  InvalidDropError,
  InvalidFileError,
  InvalidRowError,
  NotFoundError,
  WriteRefusedError,
  AdminCommandRefusedError,
  QueryError,
  QueryTimeoutError,
  BulkImportError,
  NoPositiveLabelError,
];

/**
 * A failed write whose cause is the path the user chose (no permission, no such folder), not the
 * machine's state (disk full, read-only file system): it is the user's input like a raw EACCES.
 */
const PATH_STORAGE_CODES = new Set(['EACCES', 'EPERM', 'ENOENT', 'ENOTDIR', 'EISDIR']);

export function isInputError(err: unknown): boolean {
  if (err instanceof StorageError) return PATH_STORAGE_CODES.has(err.code);
  return INPUT_ERRORS.some((cls) => err instanceof cls);
}
