import { describe, expect, it } from 'vitest';
import { DEFAULT_TOTP_PARAMS, decodeBase32, type TotpParams, totpAt } from '../../otp/index.js';
import { asksForNonDefaultSettings, codeShowsIgnoredSettings } from './ignored-settings.js';

const key = decodeBase32('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
const now = 1_800_000_000;
const asked: TotpParams = { algorithm: 'SHA256', digits: 8, period: 60 };

describe('an app that ignores the otpauth URI settings', () => {
  it('is recognised by a code right only under SHA1, 6 digits and 30 s', () => {
    expect(codeShowsIgnoredSettings(key, totpAt(key, now, DEFAULT_TOTP_PARAMS), now, asked)).toBe(true);
    // One step of drift either way, as for any check.
    expect(codeShowsIgnoredSettings(key, totpAt(key, now - 30, DEFAULT_TOTP_PARAMS), now, asked)).toBe(true);
  });

  it.each([
    ['the algorithm', { algorithm: 'SHA512', digits: 6, period: 30 }],
    ['the digits', { algorithm: 'SHA1', digits: 8, period: 30 }],
    ['the period', { algorithm: 'SHA1', digits: 6, period: 60 }],
  ] as const)('is recognised when only %s differs', (_what, params: TotpParams) => {
    expect(codeShowsIgnoredSettings(key, totpAt(key, now, DEFAULT_TOTP_PARAMS), now, params)).toBe(true);
  });

  it('is not claimed for a code right under the settings asked for', () => {
    expect(codeShowsIgnoredSettings(key, totpAt(key, now, asked), now, asked)).toBe(false);
  });

  it('is not claimed for a wrong code, nor for an old default code', () => {
    const right = totpAt(key, now, DEFAULT_TOTP_PARAMS);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    expect(codeShowsIgnoredSettings(key, wrong, now, asked)).toBe(false);
    expect(codeShowsIgnoredSettings(key, totpAt(key, now - 120, DEFAULT_TOTP_PARAMS), now, asked)).toBe(false);
  });

  it('never applies to an enrollment that asked for the defaults', () => {
    expect(asksForNonDefaultSettings(DEFAULT_TOTP_PARAMS)).toBe(false);
    expect(codeShowsIgnoredSettings(key, totpAt(key, now, DEFAULT_TOTP_PARAMS), now, DEFAULT_TOTP_PARAMS)).toBe(false);
  });
});
