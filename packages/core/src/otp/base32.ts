import { OtpFormatError } from './otp-format-error.js';

// Hand-written rather than pulled from a dependency: base32 secrets are the
// core of the product, and RFC 4648 §6 fits in a few lines.

/** RFC 4648 §6, Table 3. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * A number of leftover characters (length mod 8) that no whole number of bytes
 * can produce: 5 bits per char, 8 per byte, so 1, 3 and 6 are impossible
 * (RFC 4648 §6 only ever emits 2, 4, 5 or 7 trailing characters).
 */
const IMPOSSIBLE_REMAINDERS = new Set([1, 3, 6]);

/** Encodes with the RFC 4648 alphabet, uppercase, without `=` padding (as otpauth URIs expect). */
export function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET.charAt((buffer >>> bits) & 31);
    }
    buffer &= (1 << bits) - 1; // keep only the bits not yet emitted, so `buffer` never overflows
  }
  if (bits > 0) out += ALPHABET.charAt((buffer << (5 - bits)) & 31);
  return out;
}

/**
 * Decodes RFC 4648 base32. Lenient where users are (lower case, spaces used to
 * group the secret for reading, trailing `=` padding), strict elsewhere.
 * Positions in error messages are 0-based indexes into `text`.
 *
 * @throws OtpFormatError with field 'secret'
 */
export function decodeBase32(text: string): Uint8Array {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '=' || text[end - 1] === ' ')) end--;

  const values: number[] = [];
  for (let i = 0; i < end; i++) {
    const char = text.charAt(i);
    if (char === ' ') continue;
    const value = ALPHABET.indexOf(char.toUpperCase());
    if (value === -1) {
      const shown = String.fromCodePoint(text.codePointAt(i) ?? 0);
      throw new OtpFormatError('secret', `Invalid base32 character "${shown}" at position ${i}`);
    }
    values.push(value);
  }

  if (values.length === 0) throw new OtpFormatError('secret', 'Base32 secret is empty');
  if (IMPOSSIBLE_REMAINDERS.has(values.length % 8)) {
    throw new OtpFormatError(
      'secret',
      `Invalid base32 length: ${values.length} characters cannot encode a whole number of bytes`,
    );
  }

  // Trailing bits that do not fill a byte are dropped (RFC 4648 §3.5 allows, not requires, rejecting them).
  const bytes = new Uint8Array(Math.floor((values.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const value of values) {
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[index++] = (buffer >>> bits) & 0xff;
    }
  }
  return bytes;
}
