import { PHONE_PATTERN } from '../../accounts/account-rules.js';
import { TesseraError } from '../../errors/tessera-error.js';

/** Accepts spaces, dashes and brackets people type, then insists on E.164. */
export function normalizePhoneNumber(input: string): string {
  const compact = input.replace(/[\s\-().]/g, '');
  if (!PHONE_PATTERN.test(compact)) throw new TesseraError('PHONE_INVALID');
  return compact;
}

/**
 * Refuses a number outside the allowed calling codes (`TESSERA_SMS_COUNTRIES`); null allows every
 * country. A plain prefix test on the E.164 form: calling codes are prefix-free, so `+1` never
 * matches a `+12…` code of another country by accident (there is none), and `+44` is not `+4`.
 */
export function assertSmsCountryAllowed(number: string, countries: readonly string[] | null): void {
  if (countries === null || countries.some((code) => number.startsWith(code))) return;
  throw new TesseraError('PHONE_COUNTRY_NOT_ALLOWED', {
    message: `SMS codes can only be sent to numbers starting with ${countries.join(', ')}.`,
  });
}
