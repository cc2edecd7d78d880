import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { BulkGraph, validateRow } from '../../src/loaders/index.js';
import { ConfigError } from '../../src/util/errors.js';

/**
 * Issue #19 item 2, without services: any provider's capability label is valid (normalised), in the
 * validation that ingest and bulk load share; the targeted set is configuration. The drop loaded
 * and detected end to end: test/ingest/open-capabilities.test.ts.
 */
const T = '2026-01-05T00:00:00Z';
const fp = (capability: string | undefined) => ({ account_id: 'a', fingerprint: 'f', first_seen: T, last_seen: T, capability });

describe('capability labels (validation, shared by ingest and bulk load)', () => {
  it('accepts any label of 1–64 characters, trimmed and lower-cased', () => {
    for (const [given, stored] of [
      ['analysis', 'analysis'],
      ['Long-Horizon-Planning', 'long-horizon-planning'],
      [' Math ', 'math'],
      ['x'.repeat(64), 'x'.repeat(64)],
      ['traducción', 'traducción'],
    ] as const) {
      expect(validateRow('prompt_fingerprints', fp(given))).toMatchObject({ ok: true, row: { capability: stored } });
    }
    expect(validateRow('prompt_fingerprints', fp(undefined))).toMatchObject({ ok: true, row: { key: 'f' } });
  });

  it('rejects a label too long or with control characters, naming the field', () => {
    for (const bad of ['x'.repeat(65), 'cod\u0007ing', 'a\u0085b', ' '.repeat(3)]) {
      expect(validateRow('prompt_fingerprints', fp(bad)), JSON.stringify(bad)).toMatchObject({ ok: false, field: 'capability' });
    }
  });

  it('bulk load keeps every label as the transactional path stores it', () => {
    const g = new BulkGraph();
    for (const [key, cap] of [
      ['p1', 'Analysis'],
      ['p2', 'coding'],
      ['p3', 'translation'],
      ['p1', 'math'],
    ] as const) {
      const r = validateRow('prompt_fingerprints', { ...fp(cap), fingerprint: key });
      if (!r.ok) throw new Error(r.reason);
      g.add(r.row);
    }
    // The last given label wins, as the transactional ingest's SET does.
    expect([0, 1, 2].map((p) => g.capabilityOf(p))).toEqual(['math', 'coding', 'translation']);
  });

  it('configures the targeted set from RINGSCOPE_TARGET_CAPABILITIES', () => {
    const base = { NEO4J_URI: 'bolt://127.0.0.1:7687', NEO4J_PASSWORD: 'pw', REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(loadConfig(base).targetCapabilities).toEqual(['coding', 'agentic', 'cyber', 'reasoning']);
    expect(loadConfig({ ...base, RINGSCOPE_TARGET_CAPABILITIES: ' Long-Horizon-Planning ,math,MATH' }).targetCapabilities).toEqual([
      'long-horizon-planning',
      'math',
    ]);
    expect(() => loadConfig({ ...base, RINGSCOPE_TARGET_CAPABILITIES: 'coding,,math' })).toThrow(ConfigError);
  });
});
