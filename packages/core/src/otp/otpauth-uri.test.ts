import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OTP_ALGORITHMS } from './algorithms.js';
import { encodeBase32 } from './base32.js';
import { OtpFormatError } from './otp-format-error.js';
import { buildOtpauthUri, type OtpauthKey, parseOtpauthUri } from './otpauth-uri.js';

const KEY: OtpauthKey = {
  issuer: 'ACME Co',
  accountName: 'john.doe@email.com',
  secret: 'HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ',
  algorithm: 'SHA1',
  digits: 6,
  period: 30,
};
const SECRET = KEY.secret;

function expectFormatError(action: () => unknown, field: string): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(OtpFormatError);
    expect((error as OtpFormatError).field).toBe(field);
    return;
  }
  throw new Error(`expected an OtpFormatError for field "${field}"`);
}

describe('buildOtpauthUri', () => {
  it('writes the label as issuer:account and every parameter', () => {
    expect(buildOtpauthUri(KEY)).toBe(
      'otpauth://totp/ACME%20Co:john.doe%40email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30',
    );
  });

  it('percent-encodes spaces as %20, never +', () => {
    const uri = buildOtpauthUri({ ...KEY, issuer: 'My Big Co', accountName: 'a b+c' });
    expect(uri).toContain('/My%20Big%20Co:a%20b%2Bc?');
    expect(uri).toContain('&issuer=My%20Big%20Co&');
    expect(uri).not.toMatch(/[ +]/);
  });

  it('writes a normalised secret', () => {
    expect(buildOtpauthUri({ ...KEY, secret: 'hxdm vjec jjws rb3h wizr 4ifu gftm xboz' })).toBe(buildOtpauthUri(KEY));
  });

  it.each<[string, Partial<OtpauthKey>]>([
    ['issuer', { issuer: 'ACME:Co' }],
    ['issuer', { issuer: '' }],
    ['issuer', { issuer: 'bad \uD800 surrogate' }],
    ['accountName', { accountName: 'john:doe' }],
    ['accountName', { accountName: '' }],
    ['accountName', { accountName: ' john' }],
    ['secret', { secret: 'NOT-BASE32' }],
    ['algorithm', { algorithm: 'MD5' as never }],
    ['digits', { digits: 7 as never }],
    ['period', { period: 0 }],
    ['period', { period: 301 }],
    ['period', { period: 1.5 }],
  ])('rejects a bad %s: %j', (field, change) => {
    expectFormatError(() => buildOtpauthUri({ ...KEY, ...change }), field);
  });

  it('round-trips through parseOtpauthUri for any valid key', () => {
    const name = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 30 })
      .map((text) => text.replaceAll(':', ''))
      .filter((text) => text !== '');
    const key = fc.record({
      issuer: name,
      accountName: name.filter((text) => !text.startsWith(' ')),
      secret: fc.uint8Array({ minLength: 10, maxLength: 64 }).map(encodeBase32),
      algorithm: fc.constantFrom(...OTP_ALGORITHMS),
      digits: fc.constantFrom(6 as const, 8 as const),
      period: fc.integer({ min: 1, max: 300 }),
    });
    fc.assert(
      fc.property(key, (k) => {
        expect(parseOtpauthUri(buildOtpauthUri(k))).toEqual(k);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseOtpauthUri', () => {
  it('reads the example of the Key URI Format', () => {
    expect(
      parseOtpauthUri(
        'otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30',
      ),
    ).toEqual(KEY);
  });

  it('defaults algorithm, digits and period', () => {
    expect(parseOtpauthUri(`otpauth://totp/ACME%20Co:john.doe@email.com?secret=${SECRET}`)).toEqual(KEY);
  });

  it('reads non-default parameters', () => {
    expect(
      parseOtpauthUri(
        `otpauth://totp/ACME%20Co:john.doe@email.com?secret=${SECRET}&algorithm=sha512&digits=8&period=60`,
      ),
    ).toEqual({ ...KEY, algorithm: 'SHA512', digits: 8, period: 60 });
  });

  it('takes the issuer from the parameter or the label prefix, whichever is present', () => {
    expect(parseOtpauthUri(`otpauth://totp/john.doe@email.com?secret=${SECRET}&issuer=ACME+Co`)).toEqual(KEY);
    expect(parseOtpauthUri(`otpauth://totp/ACME%20Co:john.doe@email.com?secret=${SECRET}`)).toEqual(KEY);
    expect(parseOtpauthUri(`otpauth://totp/john.doe@email.com?secret=${SECRET}`)).toEqual({ ...KEY, issuer: '' });
  });

  it('accepts an encoded colon and spaces before the account name', () => {
    expect(parseOtpauthUri(`otpauth://totp/ACME%20Co%3A%20%20john.doe@email.com?secret=${SECRET}`)).toEqual(KEY);
  });

  it('keeps a + in the label literal', () => {
    expect(parseOtpauthUri(`otpauth://totp/ACME:a+b?secret=${SECRET}`).accountName).toBe('a+b');
  });

  it('normalises the secret to upper case without spaces or padding', () => {
    expect(parseOtpauthUri('otpauth://totp/ACME:a?secret=mzxw%206ytb%20oi======').secret).toBe('MZXW6YTBOI');
  });

  it.each([
    ['uri', 'http://totp/ACME:a?secret=MZXW6YTB'],
    ['uri', 'otpauth://hotp/ACME:a?secret=MZXW6YTB&counter=0'],
    ['uri', 'otpauth://totp/ACME:a:b?secret=MZXW6YTB'],
    ['uri', 'otpauth://totp/ACME%ZZ:a?secret=MZXW6YTB'],
    ['accountName', 'otpauth://totp/ACME:?secret=MZXW6YTB'],
    ['accountName', 'otpauth://totp/?secret=MZXW6YTB'],
    ['issuer', 'otpauth://totp/ACME:a?secret=MZXW6YTB&issuer=Evil'],
    ['issuer', 'otpauth://totp/a?secret=MZXW6YTB&issuer=A%3AB'],
    ['issuer', 'otpauth://totp/a?secret=MZXW6YTB&issuer=%E0%A4'],
    ['secret', 'otpauth://totp/ACME:a'],
    ['secret', 'otpauth://totp/ACME:a?secret='],
    ['secret', 'otpauth://totp/ACME:a?secret=MZXW1YTB'],
    ['secret', 'otpauth://totp/ACME:a?secret=MZXW6YTB&secret=MZXW6YTB'],
    ['algorithm', 'otpauth://totp/ACME:a?secret=MZXW6YTB&algorithm=MD5'],
    ['algorithm', 'otpauth://totp/ACME:a?secret=MZXW6YTB&algorithm='],
    ['digits', 'otpauth://totp/ACME:a?secret=MZXW6YTB&digits=7'],
    ['digits', 'otpauth://totp/ACME:a?secret=MZXW6YTB&digits=06'],
    ['digits', 'otpauth://totp/ACME:a?secret=MZXW6YTB&digits=six'],
    ['period', 'otpauth://totp/ACME:a?secret=MZXW6YTB&period=0'],
    ['period', 'otpauth://totp/ACME:a?secret=MZXW6YTB&period=-30'],
    ['period', 'otpauth://totp/ACME:a?secret=MZXW6YTB&period=1.5'],
    ['period', 'otpauth://totp/ACME:a?secret=MZXW6YTB&period=301'],
    ['period', 'otpauth://totp/ACME:a?secret=MZXW6YTB&period=30s'],
  ])('rejects a bad %s in %s', (field, uri) => {
    expectFormatError(() => parseOtpauthUri(uri), field);
  });

  it('accepts the largest allowed period', () => {
    expect(parseOtpauthUri('otpauth://totp/ACME:a?secret=MZXW6YTB&period=300').period).toBe(300);
  });
});
