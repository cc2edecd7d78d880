import { UnrecoverableError } from 'bullmq';
import { isInputError } from '../util/errors.js';

/**
 * Errors that no retry can fix: the input is wrong, not the world. A job that throws one of these is
 * failed at once (BullMQ's UnrecoverableError skips the remaining attempts); everything else (Neo4j
 * restarting, a connection reset, a deadlock the driver gave up on) is retried with backoff.
 */
export function isPermanent(err: unknown): boolean {
  return isInputError(err);
}

/**
 * Rethrow-ready form of an error raised inside a processor. The failed reason keeps the original
 * class name first (`InvalidFileError: accounts.csv:3:created_at: …`) so that `ringscope status` and
 * the dashboard show what to fix.
 */
export function toJobError(err: unknown): Error {
  if (isPermanent(err)) {
    const e = err as Error;
    const u = new UnrecoverableError(`${e.name}: ${e.message}`);
    (u as Error & { cause?: unknown }).cause = e;
    return u;
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** The class name a failed reason starts with (`InvalidFileError`), if any. */
export function failedClass(failedReason: string | undefined): string | undefined {
  return /^([A-Z][A-Za-z]*Error):/.exec(failedReason ?? '')?.[1];
}
