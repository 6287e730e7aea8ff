import { type AccountService, assertEnabled, toAccountView } from '../../accounts/account-service.js';
import { signingInContext } from '../../audit/audit-context.js';
import type { AuditTrail } from '../../audit/audit-trail.js';
import type { Actor } from '../../auth/actor.js';
import { TesseraError } from '../../errors/tessera-error.js';
import { refusal, type SecondFactorVerifier } from '../../factors/second-factor-verifier.js';
import { assertionProof } from '../../methods/second-factor-method.js';
import {
  credentialIdOf,
  type IssuedWebAuthnChallenge,
  userHandleOf,
  type WebAuthnCeremonies,
} from '../../methods/webauthn/webauthn-ceremonies.js';
import type { PolicyService } from '../../policy/policy-service.js';
import { type SessionService, sessionClientOf } from '../../sessions/session-service.js';
import type { FactorRepository, WebAuthnCredentialRepository } from '../../storage/repositories.js';
import type { SignedIn } from './sign-in.flow.js';

const PASSKEY_PURPOSE = 'passkey';

/**
 * Signing in with a passkey and no password: options without a username (the browser offers the
 * discoverable credentials it holds for the RP, or fills them in with autofill), then the
 * assertion. Only a credential registered as discoverable with user verification signs in this
 * way, and only when the authenticator verified the user again now: possession and a PIN or
 * biometric, both factors in one (`amr`: `hwk`, `mfa`). Failures count on the owner's lockout.
 */
export class PasskeySignIn {
  constructor(
    private readonly deps: {
      ceremonies: WebAuthnCeremonies | undefined;
      credentials: WebAuthnCredentialRepository;
      factors: FactorRepository;
      verifier: SecondFactorVerifier;
      accounts: AccountService;
      sessions: SessionService;
      policy: PolicyService;
      audit: AuditTrail;
    },
  ) {}

  /**
   * Whether a sign-in page may offer passkeys here (the relying party is configured and the
   * policy allows webauthn): asked before the page starts an autofill ceremony, so a server
   * without WebAuthn is never sent one. It says nothing about any account.
   */
  async available(): Promise<boolean> {
    if (!this.deps.ceremonies) return false;
    return (await this.deps.policy.get()).methods.webauthn;
  }

  async start(_actor: Actor): Promise<IssuedWebAuthnChallenge> {
    const ceremonies = this.configured();
    await this.deps.policy.assertMethodAllowed('webauthn');
    return ceremonies.assertionOptions({
      purpose: PASSKEY_PURPOSE,
      flowId: null,
      userId: null,
      credentials: [],
      userVerification: 'required',
    });
  }

  async finish(actor: Actor, challengeId: string, assertion: Readonly<Record<string, unknown>>): Promise<SignedIn> {
    const ceremonies = this.configured();
    const { credentials, verifier, accounts, sessions, factors } = this.deps;
    await this.deps.policy.assertMethodAllowed('webauthn');
    const credentialId = credentialIdOf(assertion);
    const credential = credentialId === undefined ? undefined : await credentials.findByCredentialId(credentialId);
    const handle = await userHandleOf(assertion);
    if (!credential || (handle !== undefined && handle !== credential.userId)) {
      // The challenge is spent all the same: an unknown key gets no second try at it.
      await ceremonies.take(challengeId, PASSKEY_PURPOSE, null);
      throw new TesseraError('CODE_INVALID', { message: 'This passkey is not registered here.' });
    }
    if (!credential.discoverable || !credential.userVerified) {
      await ceremonies.take(challengeId, PASSKEY_PURPOSE, null);
      throw new TesseraError('CODE_INVALID', {
        message: 'This security key was not registered as a passkey: sign in with your password, then use the key.',
      });
    }
    const user = await accounts.get(credential.userId);
    assertEnabled(user);
    const check = await verifier.verify(user.id, 'webauthn', assertionProof(assertion), {
      purposes: [PASSKEY_PURPOSE],
      challengeId,
      flowId: null,
      requireUserVerification: true,
    });
    const by = signingInContext(actor, user.id);
    if (!check.ok || check.userVerified !== true) {
      const reason = check.ok ? 'not_user_verified' : check.reason;
      await this.deps.audit.record(
        { action: 'sign_in.second_factor_failed', userId: user.id, details: { method: 'passkey', reason } },
        by,
      );
      throw check.ok ? new TesseraError('CODE_INVALID') : refusal(check);
    }
    await this.deps.audit.record(
      { action: 'sign_in.second_factor_ok', userId: user.id, details: { method: 'passkey' } },
      by,
    );
    const methods = await factors.activeKinds(user.id);
    // User verification on a discoverable credential is both factors (a possession and a PIN or biometric).
    const tokens = await sessions.start(user, sessionClientOf(actor), { secondFactor: true, amr: ['hwk', 'mfa'] });
    return { status: 'signed_in', tokens, account: toAccountView(user), methods };
  }

  private configured(): WebAuthnCeremonies {
    if (!this.deps.ceremonies) throw new TesseraError('WEBAUTHN_NOT_CONFIGURED');
    return this.deps.ceremonies;
  }
}
