import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Config } from '../config/index.js';
import { ConfigError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { PipelineMetrics, type MetricsOptions } from './metrics.js';
import type { PipelineQueues } from './queues.js';

export interface DashboardOptions {
  /** @defaultValue 3000 */
  readonly port: number;
  /** Loopback by default: put a TLS-terminating proxy in front before exposing it. @defaultValue '127.0.0.1' */
  readonly host: string;
  /** URL prefix of the bull-board UI. @defaultValue '/ui' */
  readonly basePath: string;
  readonly metrics?: Partial<MetricsOptions>;
  readonly log?: Logger;
}

export const DASHBOARD_DEFAULTS: DashboardOptions = Object.freeze({ port: 3000, host: '127.0.0.1', basePath: '/ui' });

export interface Dashboard {
  readonly app: FastifyInstance;
  /** `http://host:port` once listening. */
  readonly url: string;
  close(): Promise<void>;
}

const COOKIE = 'ringscope_dashboard';

/** Constant-time comparison (of digests, so lengths never leak either). */
export function tokenMatches(given: string | undefined, expected: string | undefined): boolean {
  if (!given || !expected) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m?.[1];
}

function cookie(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/**
 * bull-board and Prometheus metrics behind bearer tokens. Job data holds account identifiers, so
 * the dashboard refuses to start without `RINGSCOPE_DASHBOARD_TOKEN`; `/metrics` takes
 * `RINGSCOPE_METRICS_TOKEN` (or the dashboard token when that is unset). A browser signs in once
 * through `/login` (an HttpOnly, SameSite=Strict cookie), since it cannot send a bearer header itself.
 */
export async function startDashboard(
  config: Pick<Config, 'dashboardToken' | 'metricsToken'>,
  q: PipelineQueues,
  options: Partial<DashboardOptions> = {},
): Promise<Dashboard> {
  const o = { ...DASHBOARD_DEFAULTS, ...options };
  const uiToken = config.dashboardToken;
  if (!uiToken) throw new ConfigError('RINGSCOPE_DASHBOARD_TOKEN', 'is required to serve the dashboard (at least 16 characters)');
  const metricsToken = config.metricsToken ?? uiToken;

  const app = Fastify({ logger: false });
  const metrics = new PipelineMetrics(Object.values(q.queues), o.metrics);

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (path === '/healthz' || path === '/login') return;
    const expected = path === '/metrics' ? metricsToken : uiToken;
    const given = bearer(req) ?? (path === '/metrics' ? undefined : cookie(req, COOKIE));
    if (!tokenMatches(given, expected)) {
      o.log?.warn({ path, ip: req.ip }, 'dashboard: refused request without a valid token');
      await reply.code(401).header('www-authenticate', 'Bearer realm="ringscope"').send({ error: 'unauthorized' });
    }
  });

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/login', async (_req, reply) =>
    reply
      .type('text/html')
      .send(
        `<!doctype html><title>ringscope</title><form method="post" action="/login"><label>Dashboard token <input type="password" name="token" autofocus></label> <button>Sign in</button></form>`,
      ),
  );
  app.post('/login', async (req, reply) => {
    const token = (req.body as Record<string, string> | undefined)?.token;
    if (!tokenMatches(token, uiToken)) return reply.code(401).send({ error: 'unauthorized' });
    return reply.header('set-cookie', `${COOKIE}=${encodeURIComponent(token!)}; HttpOnly; SameSite=Strict; Path=/`).redirect(o.basePath, 303);
  });
  app.get('/metrics', async (_req, reply) => {
    const body = await metrics.render();
    return reply.type(metrics.registry.contentType).send(body);
  });
  app.get('/', async (_req, reply) => reply.redirect(o.basePath));

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(o.basePath);
  createBullBoard({ queues: Object.values(q.queues).map((queue) => new BullMQAdapter(queue)), serverAdapter });
  await app.register(serverAdapter.registerPlugin(), { prefix: o.basePath });

  const address = await app.listen({ port: o.port, host: o.host });
  o.log?.info({ url: address }, 'dashboard listening');
  return {
    app,
    url: address,
    close: () => app.close(),
  };
}
