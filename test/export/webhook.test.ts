import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  WEBHOOK_QUEUE,
  clustersDocument,
  deliverWebhook,
  loadRunExport,
  signWebhook,
  verifyWebhookSignature,
  webhookJobId,
} from '../../src/export/index.js';
import { ConfigError, WebhookDeliveryError } from '../../src/util/errors.js';
import type { Neo4jClient } from '../../src/db/index.js';
import { freshNeo4j, testConfig } from '../helpers/services.js';
import { RUN2, seedTwoRuns } from '../helpers/seed-run.js';

const SECRET = 'test-webhook-secret-0123456789';

interface Received {
  status: number;
  verified: boolean;
  body: string;
}

/** A receiver that verifies every request's signature and answers the scripted statuses in order. */
async function receiver(statuses: number[]): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const verified = verifyWebhookSignature(
        SECRET,
        req.headers[TIMESTAMP_HEADER.toLowerCase()] as string | undefined,
        body,
        req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined,
      );
      const status = verified ? (statuses[got.length] ?? 200) : 401;
      got.push({ status, verified, body });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/ringscope`, got, close: () => new Promise((r) => server.close(() => r())) };
}

let client: Neo4jClient;
beforeAll(async () => {
  client = await freshNeo4j();
  await seedTwoRuns(client);
});
afterAll(async () => {
  await client?.close();
});

describe('webhook signature', () => {
  it('verifies the signed timestamp + body and rejects tampering, other secrets and stale timestamps', () => {
    const now = Date.UTC(2026, 0, 2, 3, 0, 0);
    const ts = now / 1000;
    const sig = signWebhook(SECRET, ts, '{"a":1}');
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, String(ts), '{"a":1}', sig, { now })).toBe(true);
    expect(verifyWebhookSignature(SECRET, String(ts), '{"a":2}', sig, { now })).toBe(false);
    expect(verifyWebhookSignature('another-secret-0123456789', String(ts), '{"a":1}', sig, { now })).toBe(false);
    expect(verifyWebhookSignature(SECRET, String(ts + 1), '{"a":1}', sig, { now })).toBe(false);
    expect(verifyWebhookSignature(SECRET, String(ts), '{"a":1}', sig, { now: now + 301_000 })).toBe(false);
  });
});

describe('webhook delivery through the BullMQ webhook queue', () => {
  const conn = () => ({ redisUrl: testConfig().redis.url, prefix: `rstest-${randomBytes(4).toString('hex')}` });

  it('POSTs the signed cluster list, is retried after a 500, and succeeds on the second attempt', async () => {
    const rx = await receiver([500, 200]);
    const c = conn();
    try {
      const body = JSON.stringify(clustersDocument(await loadRunExport(client)));
      const res = await deliverWebhook(c, SECRET, { runId: RUN2, url: rx.url, body }, { backoffMs: 100, attempts: 4 });
      expect(rx.got.map((g) => g.status)).toEqual([500, 200]);
      expect(rx.got.every((g) => g.verified && g.body === body)).toBe(true);
      expect(res).toMatchObject({ status: 200, attemptsMade: 2, jobId: webhookJobId(RUN2, rx.url) });
      const doc = JSON.parse(rx.got[1]!.body);
      expect(doc.clusters.map((x: { cluster_id: string }) => x.cluster_id)).toEqual(['ring-a', 'ring-b']);
      const q = new Queue(WEBHOOK_QUEUE, { connection: { url: c.redisUrl }, prefix: c.prefix });
      try {
        expect(await (await q.getJob(res.jobId))?.getState()).toBe('completed');
      } finally {
        await q.obliterate({ force: true });
        await q.close();
      }
    } finally {
      await rx.close();
    }
  });

  it('gives up at once when the receiver rejects the signature (wrong secret), and needs a secret', async () => {
    const rx = await receiver([]);
    const c = conn();
    try {
      await expect(
        deliverWebhook(c, 'wrong-secret-0123456789abc', { runId: RUN2, url: rx.url, body: '{}' }, { backoffMs: 50, attempts: 5 }),
      ).rejects.toBeInstanceOf(WebhookDeliveryError);
      expect(rx.got.map((g) => g.status)).toEqual([401]);
      await expect(deliverWebhook(c, undefined, { runId: RUN2, url: rx.url, body: '{}' })).rejects.toBeInstanceOf(ConfigError);
    } finally {
      const q = new Queue(WEBHOOK_QUEUE, { connection: { url: c.redisUrl }, prefix: c.prefix });
      await q.obliterate({ force: true });
      await q.close();
      await rx.close();
    }
  });

  it('builds job ids from the run id and a URL hash, valid for BullMQ (no colon)', () => {
    const id = webhookJobId('run:2026/01', 'https://example.test/hook');
    expect(id).not.toContain(':');
    expect(id).toBe(webhookJobId('run:2026/01', 'https://example.test/hook'));
    expect(id).not.toBe(webhookJobId('run:2026/01', 'https://example.test/other'));
    expect(id).not.toBe(webhookJobId('run_2026_01', 'https://example.test/hook'));
  });
});
