import { createHash } from 'node:crypto';

/**
 * Job ids built from business keys, so that enqueuing the same drop twice adds nothing while the
 * first jobs exist (BullMQ ignores an add whose id exists). BullMQ ids must not contain `:` (its key
 * separator) and must not be all digits (reserved for its own counters); every id here starts with a
 * kind prefix and keeps only `[A-Za-z0-9._-]`.
 */
const SAFE = /^[A-Za-z0-9._-]+$/;

/** A file name made safe for a job id; a short hash keeps two names that sanitise alike apart. */
export function safeKey(s: string): string {
  if (SAFE.test(s) && s.length <= 120) return s;
  const digest = createHash('sha256').update(s).digest('hex').slice(0, 12);
  return `${s.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100)}~${digest}`;
}

function assertSha(sha256: string): void {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new TypeError(`not a sha256 hex digest: ${sha256}`);
}

/** The linkage run a drop's flow writes: deterministic, so a retried detect rewrites the same run. */
export function runIdForDrop(sha256: string): string {
  assertSha(sha256);
  return `run-${sha256.slice(0, 20)}`;
}

export const jobIds = {
  ingestFile(sha256: string, file: string): string {
    assertSha(sha256);
    return `ingest-${sha256}-${safeKey(file)}`;
  },
  finalizeDrop(sha256: string): string {
    assertSha(sha256);
    return `drop-${sha256}`;
  },
  detectRun(runId: string): string {
    return `detect-${safeKey(runId)}`;
  },
  /** A fan-out child: its run, position and content digest (a changed graph never reuses old results). */
  detectComponents(runId: string, batch: number, digest: string): string {
    return `components-${safeKey(runId)}-${batch}-${safeKey(digest)}`;
  },
  exportRun(runId: string): string {
    return `export-${safeKey(runId)}`;
  },
  /** A scheduler tick: one id per scheduler and tick time, so a tick is scanned once. */
  scan(schedulerId: string, at: number): string {
    return `scan-${safeKey(schedulerId)}-${at}`;
  },
};
