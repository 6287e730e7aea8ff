import { createHmac } from 'node:crypto';
import type { OtpAlgorithm, OtpDigits } from './algorithms.js';

// The HOTP algorithm is written out by hand (it is the product); only the HMAC comes from node:crypto.

const NODE_HASH: Record<OtpAlgorithm, string> = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' };

/**
 * HOTP(K, C) = Truncate(HMAC(K, C)) mod 10^digits (RFC 4226 §5.3), with the
 * hash selectable as RFC 6238 §1.2 allows.
 */
export function hotp(
  key: Uint8Array,
  counter: number,
  options: { algorithm: OtpAlgorithm; digits: OtpDigits },
): string {
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new RangeError(`HOTP counter must be a non-negative safe integer, got ${counter}`);
  }
  // RFC 4226 §5.1: the counter is an 8-byte big-endian value.
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(NODE_HASH[options.algorithm], key).update(message).digest();

  // RFC 4226 §5.3 dynamic truncation: the low 4 bits of the last byte pick an
  // offset; the 31 bits from there (top bit masked to avoid sign ambiguity) are the code.
  const offset = mac.readUInt8(mac.length - 1) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** options.digits).padStart(options.digits, '0');
}
