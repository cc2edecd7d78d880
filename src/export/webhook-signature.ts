import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Ringscope-Signature';
export const TIMESTAMP_HEADER = 'X-Ringscope-Timestamp';

/**
 * `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. Signing the timestamp with the body
 * (the scheme Stripe and GitHub use) lets receivers reject replays older than their tolerance.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

export interface VerifyOptions {
  /** Oldest (or furthest in the future) accepted timestamp, in seconds. @defaultValue 300 */
  readonly toleranceSeconds?: number;
  /** Current time in epoch ms (tests). @defaultValue Date.now() */
  readonly now?: number;
}

/** What a receiver does: constant-time comparison, then the timestamp window. */
export function verifyWebhookSignature(
  secret: string,
  timestampHeader: string | undefined,
  body: string,
  signatureHeader: string | undefined,
  options: VerifyOptions = {},
): boolean {
  if (!timestampHeader || !signatureHeader || !/^\d{1,12}$/.test(timestampHeader)) return false;
  const ts = Number(timestampHeader);
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const given = Buffer.from(signatureHeader);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  return Math.abs(now - ts) <= (options.toleranceSeconds ?? 300);
}
