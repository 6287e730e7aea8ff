import type { SecretBox } from '../../crypto/secret-box.js';
import type { DeliveredCodeService } from '../../delivery/delivered-code-service.js';
import { maskDestination } from '../../delivery/delivered-code-service.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { FactorOf } from '../../storage/records.js';
import { checkDeliveredCode, deliveredCodeWellFormed } from '../delivered-code-proof.js';
import type { SecondFactorMethod } from '../second-factor-method.js';
import { normalizePhoneNumber } from './phone-number.js';

/** Codes by text message to a phone number that the user confirmed by receiving one. */
export function smsMethod(deps: {
  secretBox: SecretBox;
  deliveredCodes: DeliveredCodeService;
}): SecondFactorMethod<'sms'> {
  const { secretBox, deliveredCodes } = deps;
  return {
    kind: 'sms',
    channel: 'sms',
    quietBegin: false,

    async begin({ factorId, user, phone }) {
      const given = phone ?? user.phone;
      if (!given) throw new TesseraError('PHONE_REQUIRED', { message: 'Give the phone number to send codes to.' });
      const number = normalizePhoneNumber(given);
      return {
        activation: 'confirm',
        details: { sealedPhone: sealPhone(secretBox, factorId, number), maskedPhone: maskDestination('sms', number) },
        sendTo: number,
      };
    },

    assertWellFormed(_factor, proof) {
      deliveredCodeWellFormed(deliveredCodes, proof);
    },

    verify(factor, proof, context) {
      return checkDeliveredCode(deliveredCodes, factor.userId, proof, context);
    },

    describe(factor) {
      return { phone: factor.details.maskedPhone };
    },

    destination(factor) {
      return openPhone(secretBox, factor);
    },

    async onActivate(factor, repositories) {
      // The confirmed number becomes the account's, for the next enrollment and the vendor APIs.
      await repositories.users.updatePhone(factor.userId, openPhone(secretBox, factor));
    },
  };
}

/** The phone number is personal data: sealed at rest like a TOTP key, bound to its factor. */
function sealPhone(box: SecretBox, factorId: string, phone: string): string {
  return box.seal(Buffer.from(phone, 'utf8'), `factor:sms:${factorId}`);
}

function openPhone(box: SecretBox, factor: FactorOf<'sms'>): string {
  return box.open(factor.details.sealedPhone, `factor:sms:${factor.id}`).toString('utf8');
}
