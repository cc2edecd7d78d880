import { pino, type Logger } from 'pino';

/**
 * Structured logs. Secrets (passwords, tokens, webhook secrets, fingerprint keys) and raw prompt
 * text are redacted by path wherever they appear, so a careless `log.info({ config })` cannot leak them.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'config.neo4j.password',
  'config.dashboardToken',
  'config.metricsToken',
  'config.webhookSecret',
  'config.fingerprintKey',
  'dashboardToken',
  'metricsToken',
  'webhookSecret',
  'fingerprintKey',
  'prompt',
  '*.prompt',
  'system',
  '*.system',
];

export function createLogger(level: string = 'info', destination?: NodeJS.WritableStream): Logger {
  const opts = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'ringscope' } };
  // Logs go to stderr so that stdout stays clean for command output (tables, JSON).
  return destination ? pino(opts, destination as never) : pino(opts, pino.destination(2));
}

export type { Logger };
