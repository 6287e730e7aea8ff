import type { SecretBox } from '../../crypto/secret-box.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { FactorRecord, UserRecord } from '../../storage/records.js';

/** The phone number is personal data: sealed at rest like a TOTP key, bound to its factor. */
export function sealPhone(box: SecretBox, factorId: string, phone: string): string {
  return box.seal(Buffer.from(phone, 'utf8'), `factor:sms:${factorId}`);
}

export function openPhone(box: SecretBox, factor: FactorRecord): string {
  if (factor.kind !== 'sms' || !factor.sealedSecret) throw new TesseraError('PHONE_REQUIRED');
  return box.open(factor.sealedSecret, `factor:sms:${factor.id}`).toString('utf8');
}

/**
 * Where a code for this channel goes: the phone number sealed in the user's SMS factor, or the
 * account's e-mail address (whether or not e-mail is an enrolled factor).
 */
export function codeDestination(
  box: SecretBox,
  user: UserRecord,
  channel: 'sms' | 'email',
  smsFactor: FactorRecord | undefined,
): string {
  if (channel === 'sms') {
    if (!smsFactor) throw new TesseraError('METHOD_NOT_ACTIVE');
    return openPhone(box, smsFactor);
  }
  if (!user.email) throw new TesseraError('EMAIL_REQUIRED');
  return user.email;
}
