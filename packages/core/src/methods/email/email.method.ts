import type { DeliveredCodeService } from '../../delivery/delivered-code-service.js';
import { maskDestination } from '../../delivery/delivered-code-service.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { UserRecord } from '../../storage/records.js';
import { checkDeliveredCode, deliveredCodeWellFormed } from '../delivered-code-proof.js';
import type { SecondFactorMethod } from '../second-factor-method.js';

/** Codes by e-mail to the account's address. */
export function emailMethod(deps: { deliveredCodes: DeliveredCodeService }): SecondFactorMethod<'email'> {
  const { deliveredCodes } = deps;
  return {
    kind: 'email',
    channel: 'email',
    quietBegin: false,

    async begin({ user }) {
      const address = accountAddress(user);
      return { activation: 'confirm', details: { maskedEmail: maskDestination('email', address) }, sendTo: address };
    },

    assertWellFormed(_factor, proof) {
      deliveredCodeWellFormed(deliveredCodes, proof);
    },

    verify(factor, proof, context) {
      return checkDeliveredCode(deliveredCodes, factor.userId, proof, context);
    },

    describe(factor) {
      return { email: factor.details.maskedEmail };
    },

    codeDigits() {
      return deliveredCodes.policy.digits;
    },

    destination(_factor, user) {
      return accountAddress(user);
    },
  };
}

/** E-mail codes go to the account's address, whether or not e-mail is an enrolled factor. */
export function accountAddress(user: UserRecord): string {
  if (!user.email) throw new TesseraError('EMAIL_REQUIRED');
  return user.email;
}
