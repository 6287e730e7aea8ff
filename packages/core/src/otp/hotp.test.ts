import { describe, expect, it } from 'vitest';
import { hotp } from './hotp.js';

const RFC_4226_SECRET = new TextEncoder().encode('12345678901234567890');

// RFC 4226 Appendix D, HOTP column.
const APPENDIX_D = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

describe('hotp', () => {
  it.each(APPENDIX_D.map((code, counter) => [counter, code] as const))(
    'counter %i gives %s (RFC 4226 Appendix D)',
    (counter, code) => {
      expect(hotp(RFC_4226_SECRET, counter, { algorithm: 'SHA1', digits: 6 })).toBe(code);
    },
  );

  it('zero-pads to the requested number of digits', () => {
    // Appendix D's truncated value for counter 0 is 1284755224: 8 digits keep more of it.
    expect(hotp(RFC_4226_SECRET, 0, { algorithm: 'SHA1', digits: 8 })).toBe('84755224');
    for (let counter = 0; counter < 200; counter++) {
      expect(hotp(RFC_4226_SECRET, counter, { algorithm: 'SHA1', digits: 6 })).toMatch(/^\d{6}$/);
    }
  });

  it('refuses counters that do not fit the 8-byte counter exactly', () => {
    expect(() => hotp(RFC_4226_SECRET, -1, { algorithm: 'SHA1', digits: 6 })).toThrow(RangeError);
    expect(() => hotp(RFC_4226_SECRET, 1.5, { algorithm: 'SHA1', digits: 6 })).toThrow(RangeError);
    expect(() => hotp(RFC_4226_SECRET, 2 ** 53, { algorithm: 'SHA1', digits: 6 })).toThrow(RangeError);
  });
});
