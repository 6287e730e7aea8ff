import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase32, encodeBase32 } from './base32.js';
import { OtpFormatError } from './otp-format-error.js';

const ascii = (text: string) => new TextEncoder().encode(text);

// RFC 4648 §10 test vectors.
const RFC_4648_VECTORS: [string, string][] = [
  ['', ''],
  ['f', 'MY======'],
  ['fo', 'MZXQ===='],
  ['foo', 'MZXW6==='],
  ['foob', 'MZXW6YQ='],
  ['fooba', 'MZXW6YTB'],
  ['foobar', 'MZXW6YTBOI======'],
];

function formatError(action: () => unknown): OtpFormatError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(OtpFormatError);
    return error as OtpFormatError;
  }
  throw new Error('expected an OtpFormatError');
}

describe('encodeBase32', () => {
  it.each(RFC_4648_VECTORS)('encodes %j as RFC 4648 §10 says, without padding', (plain, encoded) => {
    expect(encodeBase32(ascii(plain))).toBe(encoded.replace(/=+$/, ''));
  });
});

describe('decodeBase32', () => {
  it.each(RFC_4648_VECTORS.filter(([plain]) => plain !== ''))(
    'decodes %j from its padded RFC 4648 form',
    (plain, encoded) => {
      expect(decodeBase32(encoded)).toEqual(ascii(plain));
      expect(decodeBase32(encoded.replace(/=+$/, ''))).toEqual(ascii(plain));
    },
  );

  it('accepts lower case and spaces used to group the secret', () => {
    expect(decodeBase32('mzxw 6ytb oi')).toEqual(ascii('foobar'));
    expect(decodeBase32(' MZXW6YTBOI====== ')).toEqual(ascii('foobar'));
  });

  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const encoded = encodeBase32(bytes);
        expect(encoded).toMatch(/^[A-Z2-7]*$/);
        if (bytes.length > 0) expect(decodeBase32(encoded)).toEqual(bytes);
      }),
    );
  });

  it('names the first bad character and its 0-based position', () => {
    const error = formatError(() => decodeBase32('JBSW1Y3DP0'));
    expect(error.field).toBe('secret');
    expect(error.message).toBe('Invalid base32 character "1" at position 4');
  });

  it.each([
    ['MZXW8YTB', '8', 4],
    ['MZ=XW6YTB', '=', 2],
    ['MZXW-6YTB', '-', 4],
    ['MZXW6YTé', 'é', 7],
    ['😀MZXW6YTB', '😀', 0],
  ])('rejects %j at the bad character', (text, char, position) => {
    expect(formatError(() => decodeBase32(text)).message).toBe(
      `Invalid base32 character "${char}" at position ${position}`,
    );
  });

  it.each(['', '   ', '========'])('rejects empty input %j', (text) => {
    const error = formatError(() => decodeBase32(text));
    expect(error.field).toBe('secret');
    expect(error.message).toMatch(/empty/);
  });

  it.each(['M', 'MZX', 'MZXW6Y', 'MZXW6YTBO', 'MZXW6YTBOIZ'])('rejects impossible length of %j', (text) => {
    const error = formatError(() => decodeBase32(text));
    expect(error.field).toBe('secret');
    expect(error.message).toMatch(/length/);
  });
});
