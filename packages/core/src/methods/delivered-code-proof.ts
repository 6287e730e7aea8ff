import type { DeliveredCodeService } from '../delivery/delivered-code-service.js';
import { TesseraError } from '../errors/tessera-error.js';
import { isCodeShaped, type Proof, proofCode, type Verification, type VerifyContext } from './second-factor-method.js';

/** SMS and e-mail codes share their shape: `digits` digits, as the delivery policy says. */
export function deliveredCodeWellFormed(codes: DeliveredCodeService, proof: Proof): void {
  const { digits } = codes.policy;
  if (!isCodeShaped(proof, digits)) {
    throw new TesseraError('CODE_MALFORMED', { message: `The code must be exactly ${digits} digits.` });
  }
}

/** Checks an answer against the code that was sent for it; without a sent code there is nothing to answer. */
export async function checkDeliveredCode(
  codes: DeliveredCodeService,
  userId: string,
  proof: Proof,
  context: VerifyContext,
): Promise<Verification> {
  if (!context.deliveredCodeId)
    throw new TesseraError('METHOD_REQUIRED', { message: 'Ask for a code to be sent first.' });
  const check = await codes.check(
    context.deliveredCodeId,
    userId,
    context.purposes,
    proofCode(proof, codes.policy.digits) ?? '',
  );
  return check.ok ? { ok: true } : { ok: false, reason: check.reason };
}
