import type { SecretBox } from '../../crypto/secret-box.js';
import type { DeliveredCodeService } from '../../delivery/delivered-code-service.js';
import { maskDestination } from '../../delivery/delivered-code-service.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { FactorOf } from '../../storage/records.js';
import type { FactorRepository } from '../../storage/repositories.js';
import type { SuccessTokenService } from '../../success-tokens/success-token-service.js';
import { checkDeliveredCode, deliveredCodeWellFormed } from '../delivered-code-proof.js';
import type { SecondFactorMethod } from '../second-factor-method.js';
import { assertSmsCountryAllowed, normalizePhoneNumber } from './phone-number.js';

/** Codes by text message to a phone number that the user confirmed by receiving one. */
export function smsMethod(deps: {
  secretBox: SecretBox;
  deliveredCodes: DeliveredCodeService;
  factors: FactorRepository;
  successTokens: SuccessTokenService;
}): SecondFactorMethod<'sms'> {
  const { secretBox, deliveredCodes, factors, successTokens } = deps;
  return {
    kind: 'sms',
    channel: 'sms',
    quietBegin: false,

    async begin({ factorId, user, phone, successToken }) {
      const given = phone ?? user.phone;
      if (!given) throw new TesseraError('PHONE_REQUIRED', { message: 'Give the phone number to send codes to.' });
      const number = normalizePhoneNumber(given);
      assertSmsCountryAllowed(number, deliveredCodes.policy.smsCountries);
      // The account's number is a verified attribute: while the account has an active second
      // factor, moving SMS codes to another number takes a step-up with one of those factors
      // (a success token for `change_phone`), so a stolen session alone cannot redirect them.
      if (user.phone !== null && user.phone !== number && (await factors.hasActive(user.id))) {
        if (successToken === undefined) throw new TesseraError('PHONE_CHANGE_NEEDS_PROOF');
        await successTokens.consumeFor(user.id, successToken, 'change_phone', null);
      }
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

    codeDigits() {
      return deliveredCodes.policy.digits;
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
  return box.seal(Buffer.from(phone, 'utf8'), smsPhoneSealContext(factorId));
}

function openPhone(box: SecretBox, factor: FactorOf<'sms'>): string {
  return box.open(factor.details.sealedPhone, smsPhoneSealContext(factor.id)).toString('utf8');
}

/** What an SMS factor's number is bound to when sealed (also used by the key rotation). */
export function smsPhoneSealContext(factorId: string): string {
  return `factor:sms:${factorId}`;
}
