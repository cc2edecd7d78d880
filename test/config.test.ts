import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { ConfigError } from '../src/util/errors.js';

const base = { NEO4J_URI: 'bolt://127.0.0.1:7687', NEO4J_PASSWORD: 'pw', REDIS_URL: 'redis://127.0.0.1:6379' };
/** A project root with no local services: discovery finds nothing there. */
const empty = { root: fs.mkdtempSync(path.join(os.tmpdir(), 'rs-config-')) };

describe('config', () => {
  it('validates into a frozen object with defaults', () => {
    const c = loadConfig(base);
    expect(c.neo4j.database).toBe('neo4j');
    expect(c.maxRejectRatio).toBe(0.01);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.neo4j)).toBe(true);
  });

  it.each([
    [{ ...base, NEO4J_URI: 'http://x' }, 'NEO4J_URI'],
    [{ ...base, NEO4J_URI: undefined }, 'NEO4J_URI'],
    [{ ...base, REDIS_URL: 'nope' }, 'REDIS_URL'],
    [{ ...base, RINGSCOPE_MAX_REJECT_RATIO: '2' }, 'RINGSCOPE_MAX_REJECT_RATIO'],
    [{ ...base, NEO4J_PASSWORD: undefined }, 'NEO4J_PASSWORD'],
    [{ ...base, NEO4J_PASSWORD: undefined, NEO4J_PASSWORD_FILE: '/nonexistent/pw' }, 'NEO4J_PASSWORD_FILE'],
  ])('names the bad variable (%#)', (env, variable) => {
    let caught: unknown;
    try {
      loadConfig(env as NodeJS.ProcessEnv, empty);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(variable);
    expect((caught as Error).message.split('\n')).toHaveLength(1);
  });

  describe('local services (issue #19)', () => {
    /** A project root whose instance `inst` has a services.json naming these pids. */
    function root(inst: string, pids: { neo4j?: number; redis?: number }): string {
      const r = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-local-'));
      const dir = path.join(r, '.ringscope', inst);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'neo4j-password'), 'local-secret\n');
      const state = {
        instance: inst,
        neo4j: { uri: 'bolt://127.0.0.1:31111', user: 'neo4j', database: 'neo4j', passwordFile: path.join(dir, 'neo4j-password'), pid: pids.neo4j },
        redis: { url: 'redis://127.0.0.1:41111', pid: pids.redis },
      };
      fs.writeFileSync(path.join(dir, 'services.json'), JSON.stringify(state));
      return r;
    }
    const gone = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has exited

    it('uses the instance’s running services when NEO4J_URI and REDIS_URL are unset', () => {
      const c = loadConfig({ RINGSCOPE_INSTANCE: 'ci-x' }, { root: root('ci-x', { neo4j: process.pid, redis: process.pid }) });
      expect(c.neo4j).toEqual({ uri: 'bolt://127.0.0.1:31111', user: 'neo4j', password: 'local-secret', database: 'neo4j' });
      expect(c.redis.url).toBe('redis://127.0.0.1:41111');
      expect(c.services).toEqual({ neo4j: 'local', redis: 'local' });
      expect(c.instance).toBe('ci-x');
      expect(c.stateDir).toMatch(/\.ringscope[/\\]ci-x$/);
    });

    it('lets explicit variables win, service by service', () => {
      const r = root('dev', { neo4j: process.pid, redis: process.pid });
      const c = loadConfig({ NEO4J_URI: 'bolt://db.example:7687', NEO4J_PASSWORD: 'remote' }, { root: r });
      expect(c.neo4j).toMatchObject({ uri: 'bolt://db.example:7687', password: 'remote' });
      expect(c.redis.url).toBe('redis://127.0.0.1:41111');
      expect(c.services).toEqual({ neo4j: 'environment', redis: 'local' });
      expect(c.instance).toBe('dev');
      // A remote Neo4j is never paired with the local password file.
      expect(() => loadConfig({ NEO4J_URI: 'bolt://db.example:7687' }, { root: r })).toThrow(ConfigError);
    });

    it('says how to start the services when none are up (stale file or none)', () => {
      for (const [r, inst, hint] of [
        [root('dev', { neo4j: gone, redis: gone }), 'dev', 'npm run services:up'],
        [empty.root, 'dev', 'npm run services:up'],
        [empty.root, 'h-other', 'node scripts/services.mjs up --instance h-other'],
      ] as const) {
        let caught: unknown;
        try {
          loadConfig({ RINGSCOPE_INSTANCE: inst }, { root: r });
        } catch (err) {
          caught = err;
        }
        expect(caught).toBeInstanceOf(ConfigError);
        expect((caught as ConfigError).variable).toBe('NEO4J_URI');
        expect((caught as ConfigError).hint).toContain(hint);
      }
    });
  });
});
