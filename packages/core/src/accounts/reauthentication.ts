import type { Actor } from '../auth/actor.js';
import { TesseraError } from '../errors/tessera-error.js';
import { refusal, type SecondFactorVerifier } from '../factors/second-factor-verifier.js';
import type { MethodRegistry } from '../methods/method-registry.js';
import { codeProof } from '../methods/second-factor-method.js';
import type { FactorKind } from '../storage/records.js';
import type { FactorRepository, SuccessTokenRepository } from '../storage/repositories.js';
import type { SuccessTokenOperation, SuccessTokenService } from '../success-tokens/success-token-service.js';
import type { AccountService } from './account-service.js';

/**
 * How a signed-in user confirms a sensitive change of their own account: a success token from
 * a step-up challenge for that operation, or the current password and, when the account has
 * two-factor authentication, a current code of a factor that needs nothing sent (an
 * authenticator app or a backup code; SMS and e-mail codes come through a challenge).
 */
export interface ReauthenticationProof {
  successToken?: string | undefined;
  currentPassword?: string | undefined;
  code?: string | undefined;
  /** The factor the code is from; the authenticator app when there is one, else backup codes. */
  method?: FactorKind | undefined;
}

/**
 * A stolen access token alone must not be enough to take an account over (change its password,
 * its e-mail address or its phone number): each such change asks for proof again. The password
 * is checked under its throttle and the code under the account's lockout, as at sign-in.
 */
export class Reauthentication {
  constructor(
    private readonly deps: {
      accounts: Pick<AccountService, 'confirmPassword'>;
      factors: Pick<FactorRepository, 'activeKinds'>;
      methods: MethodRegistry;
      verifier: Pick<SecondFactorVerifier, 'verify'>;
      successTokens: SuccessTokenService;
    },
  ) {}

  /**
   * Passes or throws: REAUTHENTICATION_REQUIRED when the proof is missing or incomplete,
   * SUCCESS_TOKEN_INVALID, INVALID_CREDENTIALS (or PASSWORD_THROTTLED), CODE_INVALID (or the
   * lockout's error). `tokens`: the unit of work's, when spending the token belongs with the change.
   */
  async confirm(
    actor: Actor,
    userId: string,
    operation: SuccessTokenOperation,
    proof: ReauthenticationProof,
    tokens?: SuccessTokenRepository,
  ): Promise<void> {
    if (proof.successToken !== undefined) {
      if (proof.currentPassword !== undefined || proof.code !== undefined) {
        throw new TesseraError('VALIDATION_FAILED', {
          message: 'Send either a success token or the current password (with a code), not both.',
        });
      }
      await this.deps.successTokens.consumeFor(userId, proof.successToken, operation, null, tokens);
      return;
    }
    if (proof.currentPassword === undefined) {
      throw new TesseraError('REAUTHENTICATION_REQUIRED', {
        message: `Send your current password, or a success token from a challenge for ${operation}.`,
      });
    }
    const active = await this.deps.factors.activeKinds(userId);
    const method = proof.method ?? (active.includes('totp') ? 'totp' : 'backup_codes');
    // Which factors the account has is checked before the password, so that a guessed password
    // teaches nothing the missing code would not; the password is checked before the code, so
    // that a wrong password never spends a code.
    if (active.length > 0) {
      if (proof.code === undefined) {
        throw new TesseraError('REAUTHENTICATION_REQUIRED', {
          message: `The account has two-factor authentication: send a current code with the password, or a success token from a challenge for ${operation}.`,
        });
      }
      if (!active.includes(method) || this.deps.methods.get(method).channel !== null) {
        throw new TesseraError('REAUTHENTICATION_REQUIRED', {
          message: `Send a code of your authenticator app or a backup code, or pass a challenge for ${operation} (SMS and e-mail codes are sent by the challenge).`,
        });
      }
    }
    await this.deps.accounts.confirmPassword(actor, userId, proof.currentPassword);
    if (active.length === 0 || proof.code === undefined) return;
    const check = await this.deps.verifier.verify(userId, method, codeProof(proof.code), {
      purposes: [],
      afterPassword: true,
    });
    if (!check.ok) throw refusal(check);
  }
}
