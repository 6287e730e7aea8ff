import { PHONE_PATTERN } from '../../accounts/account-rules.js';
import { TesseraError } from '../../errors/tessera-error.js';

/** Accepts spaces, dashes and brackets people type, then insists on E.164. */
export function normalizePhoneNumber(input: string): string {
  const compact = input.replace(/[\s\-().]/g, '');
  if (!PHONE_PATTERN.test(compact)) throw new TesseraError('PHONE_INVALID');
  return compact;
}
