import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Tessera-Signature';
export const TIMESTAMP_HEADER = 'X-Tessera-Timestamp';

/**
 * The value of X-Tessera-Signature: `sha256=` and the hex HMAC-SHA256, under the shared secret,
 * of the X-Tessera-Timestamp value, a dot, and the raw request body. The receiver recomputes it
 * over the bytes it received (before any JSON parsing) to know the request came from this server
 * and was not altered; because the timestamp is signed too, it can also refuse old requests
 * replayed at it.
 */
export function signWebhookBody(secret: string, timestamp: string, rawBody: string | Uint8Array): string {
  const hmac = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody);
  return `sha256=${hmac.digest('hex')}`;
}

/** Checks a received signature in constant time; for receivers written in JavaScript and for tests. */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string,
  rawBody: string | Uint8Array,
  signature: string,
): boolean {
  const expected = Buffer.from(signWebhookBody(secret, timestamp, rawBody));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
