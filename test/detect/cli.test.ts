import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Neo4jClient } from '../../src/db/index.js';
import { cli } from '../helpers/cli.js';
import { freshNeo4j } from '../helpers/services.js';
import { buildFixture } from './fixtures.js';
import { ingestInput } from '../helpers/ingest-input.js';

describe('ringscope detect / clusters / explain', () => {
  let client: Neo4jClient;
  beforeAll(async () => {
    client = await freshNeo4j();
    await ingestInput(client, buildFixture().input);
  });
  afterAll(async () => {
    await client?.close();
  });

  it('detects, lists and explains a run', async () => {
    const d = await cli(['detect', '--seed', '3', '--run-id', 'cli-1', '--release-date', '2026-10-10', '--json']);
    const summary = JSON.parse(d.stdout) as { runId: string; stats: { enforce: number; clusters: number } };
    expect(summary.runId).toBe('cli-1');
    expect(summary.stats.enforce).toBe(2);
    expect(d.stderr).toMatch(/communities/);
    const list = (await cli(['clusters', '--run', 'latest', '--min-recommendation', 'enforce', '--json'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; size: number; recommendation: string });
    expect(list.map((c) => c.size).sort()).toEqual([12, 24]);
    const table = (await cli(['clusters', '--min-recommendation', 'monitor'])).stdout;
    expect(table.split('\n').filter((l) => /^c[0-9a-f]{16} +(enforce|review|monitor) /.test(l))).toHaveLength(summary.stats.clusters);
    const big = list.find((c) => c.size === 24)!;
    const ex = (await cli(['explain', big.id, '--links', '3'])).stdout;
    expect(ex).toMatch(new RegExp(`cluster ${big.id} in run cli-1: enforce`));
    expect(ex).toMatch(/score waterfall/);
    expect(ex).toMatch(/24 accounts share 4 payment methods/);
    expect(ex).toMatch(/bits +\(payment \d/);
    // Each member's own verdict and attachment by kind.
    expect(ex).toMatch(/member verdicts \(\d+ enforce, \d+ below the cluster's enforce\)/);
    expect(ex).toMatch(/hy-000 +enforce +kinds: \w+\+\w+/);

    // The STIX bundle carries member verdict counts; account ids and member reasons only with --stix-members.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-stix-'));
    try {
      type Bundle = { objects: Array<Record<string, unknown>> };
      const ring = (b: Bundle) => b.objects.find((o) => o.type === 'intrusion-set' && o.x_ringscope_cluster_id === big.id)!;
      await cli(['export', '--format', 'stix', '--out', path.join(dir, 'shared.json')]);
      const shared = ring(JSON.parse(fs.readFileSync(path.join(dir, 'shared.json'), 'utf8')) as Bundle);
      const counts = shared.x_ringscope_member_recommendations as Record<string, number>;
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(24);
      expect(shared.x_ringscope_members).toBeUndefined();
      await cli(['export', '--format', 'stix', '--stix-members', '--out', path.join(dir, 'internal.json')]);
      const internal = ring(JSON.parse(fs.readFileSync(path.join(dir, 'internal.json'), 'utf8')) as Bundle);
      const members = internal.x_ringscope_members as Array<{ account_id: string; recommendation: string; reasons: string[] }>;
      expect(members).toHaveLength(24);
      expect(members.filter((m) => m.recommendation === 'enforce')).toHaveLength(counts.enforce ?? 0);
      expect(members.find((m) => m.account_id === 'hy-000')).toMatchObject({
        recommendation: 'enforce',
        reasons: [expect.stringMatching(/independent kinds of evidence/)],
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('detect runs incremental after a run with a snapshot, --full forces a full run, and each says which', async () => {
    const args = ['detect', '--seed', '3', '--release-date', '2026-10-10'];
    await cli([...args, '--run-id', 'cli-n1', '--full', '--json']);
    const inc = JSON.parse((await cli([...args, '--run-id', 'cli-n2', '--json'])).stdout) as {
      mode: string;
      read: string;
      stats: { frontierAccounts: number; carriedClusters: number; clusters: number; deltaAccounts: number };
    };
    expect(inc.mode).toBe('incremental');
    // Nothing was ingested since: the delta is empty, and nothing but the snapshot was read.
    expect(inc.read).toBe('delta');
    expect(inc.stats.deltaAccounts).toBe(0);
    expect(inc.stats.frontierAccounts).toBe(0);
    expect(inc.stats.carriedClusters).toBe(inc.stats.clusters);
    const full = (await cli([...args, '--run-id', 'cli-n3', '--full'])).stdout;
    expect(full).toMatch(/^run cli-n3 \(previous: cli-n2\): full \(requested\)$/m);
    const text = (await cli([...args, '--run-id', 'cli-n4'])).stdout;
    expect(text).toMatch(/^run cli-n4 \(previous: cli-n3\): incremental$/m);
    expect(text).toMatch(/^read: the delta \(0 accounts touched by the drops since, 0 identifiers read again\)$/m);
    expect(text).toMatch(/^frontier 0 accounts, 0 links \(0 accounts touched\); carried \d+ clusters/m);
    await expect(cli(['detect', '--full-every', '-1'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/InvalidParameterError: --full-every/),
    });
  });

  it('rejects bad options and unknown clusters with exit code 2 (a user error) and the error class', async () => {
    await expect(cli(['detect', '--resolution', '-1'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/InvalidParameterError/) });
    await expect(cli(['clusters', '--min-recommendation', 'ban'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/InvalidParameterError/) });
    await expect(cli(['explain', 'no-such-cluster'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/NotFoundError/) });
  });
});
