import { CommanderError } from 'commander';
import { Neo4jError } from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import { EXIT, reportError } from '../../src/cli/error-report.js';
import { InvalidFileError, NotFoundError, ServiceUnavailableError, StorageError } from '../../src/util/errors.js';

/** The CLI's error report (src/cli/error-report.ts): one line, the class, the target, a hint, and whose fault it was. */
function sysError(code: string, path?: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: something, open '${path}'`), { code, ...(path ? { path } : {}) });
}

describe('reportError', () => {
  it('input errors exit 2 and keep their class and message', () => {
    const r = reportError(new InvalidFileError('accounts.csv', 'bad header', 1, 'account_id'));
    expect(r.exitCode).toBe(EXIT.usage);
    expect(r.line).toBe('ringscope: InvalidFileError: accounts.csv:1:account_id: bad header');
    expect(reportError(new NotFoundError('cluster x not found')).exitCode).toBe(EXIT.usage);
  });

  it('service errors exit 3 with a hint on how to start the services', () => {
    const r = reportError(new ServiceUnavailableError('Neo4j at bolt://h:1 is unavailable'));
    expect(r.exitCode).toBe(EXIT.service);
    expect(r.line).toMatch(/\(hint: start the local services with `npm run services:up`/);
  });

  it('disk full and read-only targets are service failures that name the path', () => {
    const full = reportError(sysError('ENOSPC', '/exports/ring.csv'));
    expect(full.exitCode).toBe(EXIT.service);
    expect(full.line).toBe(
      'ringscope: StorageError: /exports/ring.csv: no space left on the device: free space on that file system, or choose another target (ENOSPC)',
    );
    expect(reportError(sysError('EROFS', '/ro/x.csv')).line).toMatch(/^ringscope: StorageError: \/ro\/x\.csv: the file system is read-only/);
    expect(reportError(new StorageError('--out ring.csv', 'EROFS', 'read-only')).exitCode).toBe(EXIT.service);
  });

  it("a write refused for the chosen path's permissions is the user's, like a raw EACCES", () => {
    const refused = new StorageError('--out /srv/ring.csv', 'EACCES', 'writing ring.csv failed; the previous file(s) are unchanged');
    expect(reportError(refused).exitCode).toBe(EXIT.usage);
    expect(reportError(sysError('EACCES', '/srv/ring.csv')).exitCode).toBe(EXIT.usage);
    expect(reportError(new StorageError('--out /srv/ring.csv', 'ENOSPC', 'full')).exitCode).toBe(EXIT.service);
  });

  it("a missing input file is the user's", () => {
    const r = reportError(sysError('ENOENT', 'drop/accounts.csv'));
    expect(r.exitCode).toBe(EXIT.usage);
    expect(r.line).toBe('ringscope: FileError: drop/accounts.csv: no such file or directory (ENOENT)');
  });

  it("Neo4j: a refused query is the user's, a lost server is a service failure", () => {
    const q = reportError(new Neo4jError('There is no procedure with the name `db.nope`', 'Neo.ClientError.Procedure.ProcedureNotFound', '', ''));
    expect(q.exitCode).toBe(EXIT.usage);
    expect(q.line).toMatch(/^ringscope: QueryError: Neo\.ClientError\.Procedure\.ProcedureNotFound: There is no procedure/);
    expect(reportError(new Neo4jError('connection lost', 'ServiceUnavailable', '', '')).exitCode).toBe(EXIT.service);
  });

  it('an unexpected error is one line, exit 1, never a stack', () => {
    const e = new TypeError('x is not a function\n    at foo (bar.js:1:1)');
    const r = reportError(e);
    expect(r.exitCode).toBe(EXIT.failure);
    expect(r.line.split('\n')).toHaveLength(1);
    expect(r.line).toMatch(/^ringscope: TypeError: x is not a function at foo/);
  });

  it("commander's own errors (already printed) exit 2, help exits 0", () => {
    expect(reportError(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"))).toEqual({ line: '', exitCode: 2 });
    expect(reportError(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)')).exitCode).toBe(0);
  });
});
