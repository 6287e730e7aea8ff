import { randomBytes } from 'node:crypto';

/**
 * A fresh random shared secret. The default of 20 bytes is the 160 bits that
 * RFC 4226 §4 requirement R6 recommends; R6 also makes 128 bits the minimum.
 */
export function generateTotpSecret(bytes = 20): Uint8Array {
  if (!Number.isSafeInteger(bytes) || bytes < 16) {
    throw new RangeError(`A TOTP secret needs at least 16 bytes (RFC 4226 §4 R6), got ${bytes}`);
  }
  return new Uint8Array(randomBytes(bytes));
}
