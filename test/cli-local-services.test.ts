import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { servicesFile } from '../src/config/local-services.js';
import { runCli } from './helpers/cli.js';

/**
 * Issue #19 item 1: the CLI, started from a plain shell (no NEO4J_* / REDIS_URL), finds the local
 * services of its instance through the state file scripts/services.mjs writes, and says so at
 * debug level; with none up, the error says how to start them.
 */
const instance = process.env.RINGSCOPE_INSTANCE ?? 'test';

/** A plain shell's environment: none of the variables the test wrapper set for the services. */
function plainShell(extra: Record<string, string>): NodeJS.ProcessEnv {
  const unset = Object.keys(process.env).filter((k) => k.startsWith('NEO4J_') || k === 'REDIS_URL' || k === 'RINGSCOPE_STATE_DIR');
  return { ...Object.fromEntries(unset.map((k) => [k, undefined])), ...extra };
}

const ringscope = (args: string[], env: NodeJS.ProcessEnv) => runCli(args, env);

describe('the CLI finds the local services without variables', () => {
  // With services supplied from outside (Docker, CI services) there are no local ones to find.
  it.skipIf(!fs.existsSync(servicesFile(instance)))('uses the test instance’s Neo4j and Redis and logs which at debug level', () => {
    const r = ringscope(['status', '--json'], plainShell({ RINGSCOPE_INSTANCE: instance, LOG_LEVEL: 'debug' }));
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout) as { queues: unknown };
    expect(status.queues).toBeDefined();
    const line = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; level: number; instance: string; neo4j: { uri: string; from: string }; redis: { url: string; from: string } })
      .find((l) => l.msg === 'services');
    expect(line).toMatchObject({
      level: 20,
      instance,
      neo4j: { uri: process.env.NEO4J_URI, from: 'local' },
      redis: { url: process.env.REDIS_URL, from: 'local' },
    });
  });

  it('says how to start the services when the instance has none up', () => {
    const r = ringscope(['clusters'], plainShell({ RINGSCOPE_INSTANCE: 'no-such-instance' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ringscope: ConfigError: NEO4J_URI: is required: it is unset and no local services of instance no-such-instance are up/);
    expect(r.stderr).toContain('(hint: start them with `node scripts/services.mjs up --instance no-such-instance`, or set NEO4J_URI)');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('lets an explicit variable win over the local services', () => {
    const r = ringscope(['clusters'], plainShell({ RINGSCOPE_INSTANCE: instance, NEO4J_URI: 'http://not-bolt', LOG_LEVEL: 'silent' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ConfigError: NEO4J_URI: must be a URL with scheme bolt/);
  });
});
