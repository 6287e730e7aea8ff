import type { SecretBox } from '../../crypto/secret-box.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { FactorRecord } from '../../storage/records.js';

/** The phone number is personal data: sealed at rest like a TOTP key, bound to its factor. */
export function sealPhone(box: SecretBox, factorId: string, phone: string): string {
  return box.seal(Buffer.from(phone, 'utf8'), `factor:sms:${factorId}`);
}

export function openPhone(box: SecretBox, factor: FactorRecord): string {
  if (factor.kind !== 'sms' || !factor.sealedSecret) throw new TesseraError('PHONE_REQUIRED');
  return box.open(factor.sealedSecret, `factor:sms:${factor.id}`).toString('utf8');
}
