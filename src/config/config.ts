import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { capabilityLabel, DEFAULT_TARGET_CAPABILITIES } from '../graph/capabilities.js';
import { ConfigError } from '../util/errors.js';
import { createLogger } from '../util/logger.js';
import { PROJECT_ROOT, readLocalServices, startCommand, type LocalServices } from './local-services.js';

/**
 * Runtime configuration, validated once at startup from the environment and frozen.
 * Every variable is documented in README.md ("Configuration"). When NEO4J_URI or REDIS_URL is
 * unset, the project's local services of RINGSCOPE_INSTANCE (scripts/services.mjs) supply that
 * service's variables, if they are up; a variable that is set always wins.
 */
export interface Config {
  readonly neo4j: { readonly uri: string; readonly user: string; readonly password: string; readonly database: string };
  readonly redis: { readonly url: string };
  /** BullMQ key prefix; lets several deployments (or test files) share one Redis. */
  readonly queuePrefix: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** A file whose reject ratio exceeds this fails whole. */
  readonly maxRejectRatio: number;
  /** Folder for rejects files, run artefacts and exports by default. */
  readonly stateDir: string;
  readonly dashboardToken: string | undefined;
  readonly metricsToken: string | undefined;
  readonly webhookSecret: string | undefined;
  /** HMAC key for prompt fingerprints; unset means plain (unkeyed) hashes. */
  readonly fingerprintKey: string | undefined;
  /** Capability labels that count as distillation targets (normalised, distinct). */
  readonly targetCapabilities: readonly string[];
  /** The local-services instance, and where each service's settings came from. */
  readonly services: { readonly instance: string; readonly neo4j: ServiceSource; readonly redis: ServiceSource };
}

/** `environment`: the variables were set; `local`: the instance's services.json supplied them. */
export type ServiceSource = 'environment' | 'local';

export interface LoadConfigOptions {
  /** Project root holding `.ringscope/<instance>/services.json`. @defaultValue PROJECT_ROOT */
  readonly root: string;
}

const LOAD_DEFAULTS: LoadConfigOptions = { root: PROJECT_ROOT };

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const uri = (schemes: string[]) =>
  nonEmpty.refine((v) => {
    try {
      return schemes.includes(new URL(v).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  }, `must be a URL with scheme ${schemes.join('|')}`);
const ratio = z.coerce.number().min(0, 'must be ≥ 0').max(1, 'must be ≤ 1');
const instance = z.string().regex(/^[a-z0-9-]{1,32}$/, 'lower-case letters, digits and - only (1–32)');
const capabilityList = z.string().transform((s, ctx) => {
  const labels: string[] = [];
  for (const part of s.split(',')) {
    const r = capabilityLabel(part);
    if ('error' in r) {
      ctx.addIssue({ code: 'custom', message: `capability ${JSON.stringify(part)} ${r.error}` });
      return z.NEVER;
    }
    if (!labels.includes(r.label)) labels.push(r.label);
  }
  return labels;
});

const schema = z.object({
  NEO4J_URI: uri(['bolt', 'neo4j', 'bolt+s', 'neo4j+s', 'bolt+ssc', 'neo4j+ssc']),
  NEO4J_USER: nonEmpty.default('neo4j'),
  NEO4J_PASSWORD: z.string().optional(),
  NEO4J_PASSWORD_FILE: z.string().optional(),
  NEO4J_DATABASE: nonEmpty.default('neo4j'),
  REDIS_URL: uri(['redis', 'rediss']),
  RINGSCOPE_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('ringscope'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RINGSCOPE_MAX_REJECT_RATIO: ratio.default(0.01),
  RINGSCOPE_INSTANCE: instance.default('dev'),
  RINGSCOPE_STATE_DIR: nonEmpty.optional(),
  RINGSCOPE_TARGET_CAPABILITIES: capabilityList.default([...DEFAULT_TARGET_CAPABILITIES]),
  RINGSCOPE_DASHBOARD_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  RINGSCOPE_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  RINGSCOPE_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  RINGSCOPE_FINGERPRINT_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
});

function readPassword(env: z.infer<typeof schema>): string {
  if (env.NEO4J_PASSWORD !== undefined && env.NEO4J_PASSWORD !== '') return env.NEO4J_PASSWORD;
  if (env.NEO4J_PASSWORD_FILE) {
    try {
      return fs.readFileSync(env.NEO4J_PASSWORD_FILE, 'utf8').trim();
    } catch (err) {
      throw new ConfigError('NEO4J_PASSWORD_FILE', `cannot read file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  throw new ConfigError('NEO4J_PASSWORD', 'is required (or NEO4J_PASSWORD_FILE)');
}

/**
 * The environment with the local services' variables filled in where a service's URI is unset.
 * A service is taken from services.json as a whole (URI, user, password file, database) or not at
 * all, so a remote NEO4J_URI is never paired with the local password.
 */
function withLocalServices(env: Record<string, string>, local: () => LocalServices): { env: Record<string, string>; local: LocalServices | undefined } {
  if (env.NEO4J_URI && env.REDIS_URL) return { env, local: undefined };
  const found = local();
  const out = { ...env };
  for (const vars of [env.NEO4J_URI ? undefined : found.neo4j, env.REDIS_URL ? undefined : found.redis]) {
    for (const [k, v] of Object.entries(vars ?? {})) if (out[k] === undefined && v !== undefined) out[k] = v;
  }
  return { env: out, local: found };
}

/**
 * Validate the environment into a frozen Config. Throws ConfigError naming the first bad variable.
 * Logs at debug level (stderr) which services it chose.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: Partial<LoadConfigOptions> = {}): Config {
  const o = { ...LOAD_DEFAULTS, ...options };
  const given = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  const inst = instance.safeParse(given.RINGSCOPE_INSTANCE ?? 'dev');
  if (!inst.success) throw new ConfigError('RINGSCOPE_INSTANCE', inst.error.issues[0]!.message);
  const merged = withLocalServices(given, () => readLocalServices(inst.data, o.root));
  const parsed = schema.safeParse(merged.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    let reason = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    if ((variable === 'NEO4J_URI' || variable === 'REDIS_URL') && reason === 'is required') {
      const file = path.relative(o.root, merged.local?.file ?? '') || 'services.json';
      reason = `is required: no local services of instance ${inst.data} are up (${file}); start them with ${startCommand(inst.data)}, or set ${variable}`;
    }
    throw new ConfigError(variable, reason);
  }
  const e = parsed.data;
  const source = (v: 'NEO4J_URI' | 'REDIS_URL'): ServiceSource => (given[v] ? 'environment' : 'local');
  const config: Config = {
    neo4j: { uri: e.NEO4J_URI, user: e.NEO4J_USER, password: readPassword(e), database: e.NEO4J_DATABASE },
    redis: { url: e.REDIS_URL },
    queuePrefix: e.RINGSCOPE_QUEUE_PREFIX,
    logLevel: e.LOG_LEVEL,
    maxRejectRatio: e.RINGSCOPE_MAX_REJECT_RATIO,
    stateDir: e.RINGSCOPE_STATE_DIR ?? path.join(o.root, '.ringscope', e.RINGSCOPE_INSTANCE),
    dashboardToken: e.RINGSCOPE_DASHBOARD_TOKEN,
    metricsToken: e.RINGSCOPE_METRICS_TOKEN,
    webhookSecret: e.RINGSCOPE_WEBHOOK_SECRET,
    fingerprintKey: e.RINGSCOPE_FINGERPRINT_KEY,
    targetCapabilities: e.RINGSCOPE_TARGET_CAPABILITIES,
    services: { instance: e.RINGSCOPE_INSTANCE, neo4j: source('NEO4J_URI'), redis: source('REDIS_URL') },
  };
  if (config.logLevel === 'debug' || config.logLevel === 'trace') {
    createLogger(config.logLevel).debug(
      { instance: config.services.instance, neo4j: { uri: config.neo4j.uri, from: config.services.neo4j }, redis: { url: config.redis.url, from: config.services.redis } },
      'services',
    );
  }
  return deepFreeze(config);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
