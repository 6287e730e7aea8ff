import { TesseraError } from '../../errors/tessera-error.js';

/** ITU-T E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{6,14}$/;

/** Accepts spaces, dashes and brackets people type, then insists on E.164. */
export function normalizePhoneNumber(input: string): string {
  const compact = input.replace(/[\s\-().]/g, '');
  if (!E164.test(compact)) throw new TesseraError('PHONE_INVALID');
  return compact;
}
