import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { capabilityLabel, DEFAULT_TARGET_CAPABILITIES } from '../vocabulary/capabilities.js';
import { parseTimestamp } from '../loaders/timestamp.js';
import { ConfigError } from '../util/errors.js';
import { createLogger } from '../util/logger.js';
import { PROJECT_ROOT, readLocalServices, startCommand, type LocalServices } from './local-services.js';

/**
 * Runtime configuration, validated once at startup from the environment and frozen.
 * Every variable is documented in README.md ("Configuration"). When NEO4J_URI or REDIS_URL is
 * unset, the project's local services of RINGSCOPE_INSTANCE (scripts/services.mjs) supply that
 * service's variables, if they are up; a variable that is set always wins.
 */
export interface Config extends Settings {
  readonly neo4j: { readonly uri: string; readonly user: string; readonly password: string; readonly database: string };
  readonly redis: { readonly url: string };
  /** Where each service's settings came from. */
  readonly services: { readonly neo4j: ServiceSource; readonly redis: ServiceSource };
}

/** `environment`: the variables were set; `local`: the instance's services.json supplied them. */
export type ServiceSource = 'environment' | 'local';

export interface LoadConfigOptions {
  /** Project root holding `.ringscope/<instance>/services.json`. @defaultValue PROJECT_ROOT */
  readonly root: string;
}

const LOAD_DEFAULTS: LoadConfigOptions = { root: PROJECT_ROOT };

/** Everything but the services: what commands that need neither Neo4j nor Redis read (fingerprint, bulk-load, generate). */
export interface Settings {
  /** BullMQ key prefix; lets several deployments (or test files) share one Redis. */
  readonly queuePrefix: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** True when LOG_LEVEL was set (commands with progress bars are quieter unless it was). */
  readonly logLevelGiven: boolean;
  /** A file whose reject ratio exceeds this fails whole. */
  readonly maxRejectRatio: number;
  /** Folder for rejects files, run artefacts and exports by default. */
  readonly stateDir: string;
  readonly dashboardToken: string | undefined;
  readonly metricsToken: string | undefined;
  readonly webhookSecret: string | undefined;
  /** HMAC key for prompt fingerprints; unset means plain (unkeyed) hashes. */
  readonly fingerprintKey: string | undefined;
  /**
   * The latest model release (epoch ms), for the traffic-shift feature of runs that are not given
   * one explicitly (`ringscope detect`, `run`, and the nightly schedule). Unset: no release date.
   */
  readonly releaseDate: number | undefined;
  /** Capability labels that count as distillation targets (normalised, distinct). */
  readonly targetCapabilities: readonly string[];
  /** The local-services instance (`.ringscope/<instance>/`): its services and default state folder. */
  readonly instance: string;
}

/** A date (midnight UTC) or an ISO 8601 date-time with a zone, by the loaders' rules (Feb 30 is refused). */
const moment = z.string().transform((v, ctx) => {
  const t = parseTimestamp(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (typeof t === 'string') {
    ctx.addIssue({ code: 'custom', message: t });
    return z.NEVER;
  }
  return t;
});

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const uri = (schemes: string[]) =>
  nonEmpty.refine(
    (v) => {
      try {
        return schemes.includes(new URL(v).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    `must be a URL with scheme ${schemes.join('|')}`,
  );
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
  NEO4J_URI: uri(['bolt', 'neo4j', 'bolt+s', 'neo4j+s', 'bolt+ssc', 'neo4j+ssc']).optional(),
  NEO4J_USER: nonEmpty.default('neo4j'),
  NEO4J_PASSWORD: z.string().optional(),
  NEO4J_PASSWORD_FILE: z.string().optional(),
  NEO4J_DATABASE: nonEmpty.default('neo4j'),
  REDIS_URL: uri(['redis', 'rediss']).optional(),
  RINGSCOPE_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('ringscope'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RINGSCOPE_MAX_REJECT_RATIO: ratio.default(0.01),
  RINGSCOPE_INSTANCE: instance.default('dev'),
  RINGSCOPE_STATE_DIR: nonEmpty.optional(),
  RINGSCOPE_TARGET_CAPABILITIES: capabilityList.default([...DEFAULT_TARGET_CAPABILITIES]),
  RINGSCOPE_DASHBOARD_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  RINGSCOPE_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  RINGSCOPE_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  RINGSCOPE_FINGERPRINT_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  RINGSCOPE_RELEASE_DATE: moment.optional(),
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

function parseEnv(env: NodeJS.ProcessEnv): z.infer<typeof schema> {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const reason = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    throw new ConfigError(variable, reason);
  }
  return parsed.data;
}

/**
 * The environment with the local services' variables filled in where a service's URI is unset.
 * A service is taken from services.json as a whole (URI, user, password file, database) or not at
 * all, so a remote NEO4J_URI is never paired with the local password.
 */
function withLocalServices(env: NodeJS.ProcessEnv, root: string): { env: NodeJS.ProcessEnv; local: LocalServices | undefined } {
  const given = (k: string): boolean => env[k] !== undefined && env[k] !== '';
  if (given('NEO4J_URI') && given('REDIS_URL')) return { env, local: undefined };
  const inst = instance.safeParse(given('RINGSCOPE_INSTANCE') ? env.RINGSCOPE_INSTANCE : 'dev');
  if (!inst.success) throw new ConfigError('RINGSCOPE_INSTANCE', inst.error.issues[0]!.message);
  const found = readLocalServices(inst.data, root);
  const out: NodeJS.ProcessEnv = { ...env };
  for (const vars of [given('NEO4J_URI') ? undefined : found.neo4j, given('REDIS_URL') ? undefined : found.redis]) {
    for (const [k, v] of Object.entries(vars ?? {})) if (!given(k) && v !== undefined) out[k] = v;
  }
  return { env: out, local: found };
}

/** With no variable and no local service to supply it: say how to start them. */
function noService(variable: 'NEO4J_URI' | 'REDIS_URL', local: LocalServices | undefined, root: string): ConfigError {
  const inst = local?.instance ?? 'dev';
  const file = local ? path.relative(root, local.file) : 'services.json';
  return new ConfigError(variable, `is required: it is unset and no local services of instance ${inst} are up (${file})`, {
    hint: `start them with ${startCommand(inst)}, or set ${variable}`,
  });
}

/**
 * Validate the environment into a frozen Config. Throws ConfigError naming the first bad variable.
 * Logs at debug level (stderr) which services it chose.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: Partial<LoadConfigOptions> = {}): Config {
  const o = { ...LOAD_DEFAULTS, ...options };
  const merged = withLocalServices(env, o.root);
  const e = parseEnv(merged.env);
  if (e.NEO4J_URI === undefined) throw noService('NEO4J_URI', merged.local, o.root);
  if (e.REDIS_URL === undefined) throw noService('REDIS_URL', merged.local, o.root);
  const source = (v: 'NEO4J_URI' | 'REDIS_URL'): ServiceSource => (env[v] ? 'environment' : 'local');
  const config: Config = {
    neo4j: { uri: e.NEO4J_URI, user: e.NEO4J_USER, password: readPassword(e), database: e.NEO4J_DATABASE },
    redis: { url: e.REDIS_URL },
    services: { neo4j: source('NEO4J_URI'), redis: source('REDIS_URL') },
    ...settingsOf(e, env, o.root),
  };
  if (config.logLevel === 'debug' || config.logLevel === 'trace') {
    createLogger(config.logLevel).debug(
      {
        instance: config.instance,
        neo4j: { uri: config.neo4j.uri, from: config.services.neo4j },
        redis: { url: config.redis.url, from: config.services.redis },
      },
      'services',
    );
  }
  return deepFreeze(config);
}

/** Validate every variable but require no service: for commands that use neither Neo4j nor Redis. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, options: Partial<LoadConfigOptions> = {}): Settings {
  return deepFreeze(settingsOf(parseEnv(env), env, { ...LOAD_DEFAULTS, ...options }.root));
}

/**
 * A secret from the variable the user named (`ringscope fingerprint --key-env NAME`): the one read
 * of a variable outside the schema, held to the same rule as the schema's keys.
 */
export function secretFromVariable(variable: string, env: NodeJS.ProcessEnv = process.env): string {
  const v = env[variable];
  if (v === undefined || v === '') throw new ConfigError(variable, 'is required (named by --key-env)');
  if (v.length < 16) throw new ConfigError(variable, 'must be at least 16 characters');
  return v;
}

function settingsOf(e: z.infer<typeof schema>, env: NodeJS.ProcessEnv, root: string): Settings {
  return {
    queuePrefix: e.RINGSCOPE_QUEUE_PREFIX,
    logLevel: e.LOG_LEVEL,
    logLevelGiven: env.LOG_LEVEL !== undefined && env.LOG_LEVEL !== '',
    maxRejectRatio: e.RINGSCOPE_MAX_REJECT_RATIO,
    stateDir: e.RINGSCOPE_STATE_DIR ?? path.join(root, '.ringscope', e.RINGSCOPE_INSTANCE),
    dashboardToken: e.RINGSCOPE_DASHBOARD_TOKEN,
    metricsToken: e.RINGSCOPE_METRICS_TOKEN,
    webhookSecret: e.RINGSCOPE_WEBHOOK_SECRET,
    fingerprintKey: e.RINGSCOPE_FINGERPRINT_KEY,
    releaseDate: e.RINGSCOPE_RELEASE_DATE,
    targetCapabilities: e.RINGSCOPE_TARGET_CAPABILITIES,
    instance: e.RINGSCOPE_INSTANCE,
  };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
