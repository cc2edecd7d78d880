import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueues, startDashboard, type Dashboard, type PipelineQueues } from '../../src/jobs/index.js';
import { ConfigError } from '../../src/util/errors.js';
import { jobsConfig } from './helpers.js';

const UI = 'ui-token-0123456789abcdef';
const METRICS = 'metrics-token-0123456789abcdef';

describe('dashboard and /metrics', () => {
  const config = jobsConfig('dash', { RINGSCOPE_DASHBOARD_TOKEN: UI, RINGSCOPE_METRICS_TOKEN: METRICS });
  let q: PipelineQueues;
  let dash: Dashboard;

  beforeAll(async () => {
    q = await openQueues(config);
    await q.queues.ingest.add('probe', {}, { jobId: 'probe-1' });
    dash = await startDashboard(config, q, { port: 0 });
  });
  afterAll(async () => {
    await dash?.close();
    await q?.close();
  });

  it('refuses to start without a dashboard token', async () => {
    await expect(startDashboard({ dashboardToken: undefined, metricsToken: METRICS }, q, { port: 0 })).rejects.toBeInstanceOf(ConfigError);
  });

  it('the UI and its API need the dashboard token', async () => {
    expect((await fetch(`${dash.url}/ui/api/queues`)).status).toBe(401);
    expect((await fetch(`${dash.url}/ui/api/queues`, { headers: { authorization: `Bearer ${METRICS}` } })).status).toBe(401);
    const ok = await fetch(`${dash.url}/ui/api/queues`, { headers: { authorization: `Bearer ${UI}` } });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { queues: Array<{ name: string }> };
    expect(body.queues.map((x) => x.name).sort()).toEqual(['detect', 'detect-batch', 'export', 'ingest', 'webhook']);
  });

  it('a browser signs in once through /login (HttpOnly cookie)', async () => {
    const bad = await fetch(`${dash.url}/login`, { method: 'POST', body: new URLSearchParams({ token: 'wrong-token-0123456789' }), redirect: 'manual' });
    expect(bad.status).toBe(401);
    const res = await fetch(`${dash.url}/login`, { method: 'POST', body: new URLSearchParams({ token: UI }), redirect: 'manual' });
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    const page = await fetch(`${dash.url}/ui`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });

  it('/metrics needs the metrics token and reports queue depths', async () => {
    expect((await fetch(`${dash.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${dash.url}/metrics`, { headers: { authorization: `Bearer ${UI}` } })).status).toBe(401);
    const res = await fetch(`${dash.url}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/ringscope_queue_jobs\{[^}]*queue="ingest"[^}]*state="waiting"[^}]*\} 1/);
    expect(text).toContain('ringscope_job_duration_seconds');
  });
});
