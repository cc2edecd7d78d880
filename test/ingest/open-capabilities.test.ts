import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toNum, type Neo4jClient } from '../../src/db/index.js';
import { ingestDrop } from '../../src/loaders/index.js';
import { cli } from '../helpers/cli.js';
import { freshNeo4j } from '../helpers/services.js';

/**
 * Issue #19 item 2: a drop with a provider's own capability labels loads with every row kept and the
 * labels stored lower-cased; targeted share follows RINGSCOPE_TARGET_CAPABILITIES, recorded in the
 * run's params. (Validation alone: test/loaders/capability-labels.test.ts.)
 */
const T = '2026-01-05T00:00:00Z';

describe('a drop with a provider’s own labels, ingested and detected', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-caps-'));
  const drop = path.join(dir, 'drop');
  let client: Neo4jClient;
  const RING = Array.from({ length: 8 }, (_, i) => `ring-${i}`);
  // Unrelated accounts around the ring (an identifier every account uses would be no evidence).
  const OTHERS = Array.from({ length: 60 }, (_, i) => `user-${i}`);
  let promptRows = 0;

  beforeAll(async () => {
    fs.mkdirSync(drop);
    const accounts = ['account_id,created_at', ...RING.map((a, i) => `${a},2026-01-01T0${i}:00:00Z`), ...OTHERS.map((a) => `${a},2025-06-01T00:00:00Z`)];
    // One shared card and two shared templates make the ring a cluster; per account, prompt volume
    // 10 on `Long-Horizon-Planning`, 6 on `math`, 4 on `coding` (20 in all).
    const payments = [
      'account_id,payment_fingerprint,first_seen,last_seen',
      ...RING.map((a) => `${a},card-1,${T},${T}`),
      ...OTHERS.map((a) => `${a},card-${a},${T},${T}`),
    ];
    const prompts = [
      'account_id,fingerprint,first_seen,last_seen,count,capability,kind',
      ...OTHERS.map((a) => `${a},own-${a},${T},${T},3,Translation,minhash`),
    ];
    for (const a of RING) {
      prompts.push(
        `${a},tpl-plan,${T},${T},10,Long-Horizon-Planning,template`,
        `${a},tpl-math,${T},${T},6,math,template`,
        `${a},own-${a},${T},${T},4,coding,minhash`,
      );
    }
    promptRows = prompts.length - 1;
    fs.writeFileSync(path.join(drop, 'accounts.csv'), accounts.join('\n') + '\n');
    fs.writeFileSync(path.join(drop, 'payment_methods.csv'), payments.join('\n') + '\n');
    fs.writeFileSync(path.join(drop, 'prompt_fingerprints.csv'), prompts.join('\n') + '\n');
    client = await freshNeo4j();
  });
  afterAll(async () => {
    await client?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads every row and stores the labels lower-cased', async () => {
    const s = await ingestDrop(client, drop, { stateDir: path.join(dir, 'state') });
    const f = s.files.find((x) => x.file === 'prompt_fingerprints.csv')!;
    expect(f).toMatchObject({ status: 'ok', rows: promptRows, rejects: 0 });
    const r = await client.query('MATCH (p:PromptFingerprint) RETURN p.capability AS c, count(*) AS n ORDER BY c');
    expect(r.records.map((x) => [x.get('c'), toNum(x.get('n'))])).toEqual([
      ['coding', 8],
      ['long-horizon-planning', 1],
      ['math', 1],
      ['translation', OTHERS.length],
    ]);
  });

  it('counts targeted share over the configured labels and records them in the run params', async () => {
    const share = async (runId: string, targets: string | undefined): Promise<{ share: number; params: { targetCapabilities: string[] } }> => {
      await cli(['detect', '--run-id', runId, '--keep-runs', '0', '--json'], { RINGSCOPE_TARGET_CAPABILITIES: targets });
      const k = await client.query('MATCH (k:Cluster {runId: $runId}) RETURN k.features AS f, k.size AS n', { runId });
      expect(k.records.map((x) => toNum(x.get('n')))).toEqual([RING.length]);
      const run = await client.query('MATCH (r:LinkageRun {id: $runId}) RETURN r.params AS p', { runId });
      return {
        share: (JSON.parse(k.records[0]!.get('f') as string) as { targetCapabilityShare: number }).targetCapabilityShare,
        params: JSON.parse(run.records[0]!.get('p') as string) as { targetCapabilities: string[] },
      };
    };
    const byDefault = await share('caps-default', undefined);
    expect(byDefault.share).toBeCloseTo(4 / 20, 6);
    expect(byDefault.params.targetCapabilities).toEqual(['coding', 'agentic', 'cyber', 'reasoning']);
    const configured = await share('caps-configured', 'long-horizon-planning,Math');
    expect(configured.share).toBeCloseTo(16 / 20, 6);
    expect(configured.params.targetCapabilities).toEqual(['long-horizon-planning', 'math']);
  });
});
