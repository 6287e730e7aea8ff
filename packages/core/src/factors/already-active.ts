import { TesseraError } from '../errors/tessera-error.js';
import type { FactorKind } from '../storage/records.js';

/** Each method as a sentence names it, so that a refusal says which one is already on. */
const ALREADY_ACTIVE: Record<FactorKind, string> = {
  totp: 'An authenticator app is already active for this account.',
  sms: 'SMS codes are already active for this account.',
  email: 'E-mail codes are already active for this account.',
  backup_codes: 'Backup codes are already active for this account; regenerate them to get a new set.',
  webauthn: 'Security keys are already active for this account.',
};

/** FACTOR_ALREADY_ACTIVE naming the method, with the method in `meta` for APIs that show it. */
export function alreadyActive(method: FactorKind): TesseraError {
  return new TesseraError('FACTOR_ALREADY_ACTIVE', { message: ALREADY_ACTIVE[method], meta: { method } });
}
