import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { Neo4jClient } from '../src/db/index.js';
import { testConfig } from './helpers/services.js';
import { Redis } from 'ioredis';

describe('real services started by the project', () => {
  it('Neo4j 5.26 answers over Bolt with authentication on', async () => {
    const client = await Neo4jClient.connect(testConfig());
    try {
      const info = await client.driver.getServerInfo();
      expect(info.agent).toMatch(/^Neo4j\/5\.26\./);
      const r = await client.query('RETURN 1 + 1 AS two');
      expect(r.records[0]!.get('two').toNumber()).toBe(2);
    } finally {
      await client.close();
    }
    await expect(Neo4jClient.connect(testConfig({ NEO4J_PASSWORD: 'wrong-password' }))).rejects.toThrow();
  });

  it('keeps the generated Neo4j password in a 0600 file', () => {
    const file = process.env.NEO4J_PASSWORD_FILE;
    if (!file) return; // an externally provided Neo4j (Docker) has no local password file
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(path.basename(file)).toBe('neo4j-password');
  });

  it('Redis runs with maxmemory-policy noeviction', async () => {
    const redis = new Redis(testConfig().redis.url);
    try {
      const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
      expect(policy).toBe('noeviction');
    } finally {
      redis.disconnect();
    }
  });
});
