import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from '../util/errors.js';

/**
 * The project's local services (scripts/services.mjs), found through the state file it writes:
 * `.ringscope/<instance>/services.json` under the project root. A service counts as up while the
 * process recorded for it is alive; a stale file (machine rebooted, process killed) counts as down.
 */

/** The project root: src/config/ and dist/config/ are both two levels below it. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The variables a local service supplies, named as the environment names them. */
export type LocalServiceVars = Readonly<Partial<Record<'NEO4J_URI' | 'NEO4J_USER' | 'NEO4J_PASSWORD_FILE' | 'NEO4J_DATABASE' | 'REDIS_URL', string>>>;

export interface LocalServices {
  readonly instance: string;
  readonly file: string;
  /** Present only for the services that are up. */
  readonly neo4j: LocalServiceVars | undefined;
  readonly redis: LocalServiceVars | undefined;
}

const pid = z.number().int().positive().optional();
const stateSchema = z.object({
  neo4j: z.object({ uri: z.string(), user: z.string().default('neo4j'), database: z.string().default('neo4j'), passwordFile: z.string(), pid }).optional(),
  redis: z.object({ url: z.string(), pid }).optional(),
});

/** The state file of an instance's local services. */
export function servicesFile(instance: string, root: string = PROJECT_ROOT): string {
  return path.join(root, '.ringscope', instance, 'services.json');
}

function alive(p: number | undefined): boolean {
  if (p === undefined) return true;
  try {
    process.kill(p, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Read the instance's state file; a missing file means nothing is up. A malformed one is a ConfigError. */
export function readLocalServices(instance: string, root: string = PROJECT_ROOT): LocalServices {
  const file = servicesFile(instance, root);
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    return { instance, file, neo4j: undefined, redis: undefined };
  }
  let parsed: z.infer<typeof stateSchema>;
  try {
    parsed = stateSchema.parse(JSON.parse(raw));
  } catch {
    throw new ConfigError('RINGSCOPE_INSTANCE', `${path.relative(root, file)} is not a services file written by scripts/services.mjs`);
  }
  const n = parsed.neo4j;
  const r = parsed.redis;
  return {
    instance,
    file,
    neo4j: n && alive(n.pid) ? { NEO4J_URI: n.uri, NEO4J_USER: n.user, NEO4J_DATABASE: n.database, NEO4J_PASSWORD_FILE: n.passwordFile } : undefined,
    redis: r && alive(r.pid) ? { REDIS_URL: r.url } : undefined,
  };
}

/** How to start an instance's local services, for error messages. */
export function startCommand(instance: string): string {
  return instance === 'dev' ? '`npm run services:up`' : `\`node scripts/services.mjs up --instance ${instance}\``;
}
