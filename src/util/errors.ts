/**
 * Named error classes. Tests assert on the class, never on the message.
 */

/** Base for every error ringscope raises on purpose. */
export class RingscopeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A configuration variable is missing or malformed. `variable` names it. */
export class ConfigError extends RingscopeError {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
  }
}

/** Neo4j or Redis cannot be reached. */
export class ServiceUnavailableError extends RingscopeError {}

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

/** An analyst query tried to write. */
export class WriteRefusedError extends RingscopeError {}

/** A named thing (run, cluster, query) does not exist. */
export class NotFoundError extends RingscopeError {}
