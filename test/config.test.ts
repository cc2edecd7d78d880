import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { ConfigError } from '../src/util/errors.js';

const base = { NEO4J_URI: 'bolt://127.0.0.1:7687', NEO4J_PASSWORD: 'pw', REDIS_URL: 'redis://127.0.0.1:6379' };

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
      loadConfig(env as NodeJS.ProcessEnv);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(variable);
    expect((caught as Error).message.split('\n')).toHaveLength(1);
  });
});
