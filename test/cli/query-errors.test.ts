import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/** Errors of `ringscope query` against the real test Neo4j: one line, no stack frames, exit 2 (the user's query). */
describe('query errors on the CLI', () => {
  it.each([
    [['query', '--cypher', 'CALL db.noSuchProcedure()'], /^ringscope: (QueryError|AdminCommandRefusedError): /],
    [['query', '--cypher', 'MATCH (n RETURN n'], /^ringscope: QueryError: /],
    [['query', '--cypher', 'SHOW TRANSACTIONS YIELD transactionId AS t TERMINATE TRANSACTIONS t'], /^ringscope: AdminCommandRefusedError: /],
  ])('%j', (args, line) => {
    const r = runCli(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(line);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
