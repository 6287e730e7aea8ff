import type { Clock } from '../../clock.js';
import { newId } from '../../crypto/random.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { Logger } from '../../logger.js';
import type { FactorOf, WebAuthnCredentialRecord } from '../../storage/records.js';
import type { WebAuthnCredentialRepository } from '../../storage/repositories.js';
import type { Proof, SecondFactorMethod, Verification, VerifyContext } from '../second-factor-method.js';
import { defaultCredentialName } from './aaguid-names.js';
import { credentialIdOf, type WebAuthnCeremonies } from './webauthn-ceremonies.js';

/** Challenge purposes: an answer to one cannot stand for another. */
export const WEBAUTHN_REGISTRATION = 'registration';

type WebAuthnFactor = FactorOf<'webauthn'>;

/**
 * Security keys and passkeys (WebAuthn, through @simplewebauthn/server). One `webauthn` factor per
 * account holds all of its credentials; each proof answers a challenge the server issued for the
 * flow it belongs to, taken once whatever the outcome. Without an RP ID and origins configured,
 * every use is WEBAUTHN_NOT_CONFIGURED.
 */
export function webauthnMethod(deps: {
  ceremonies: WebAuthnCeremonies | undefined;
  credentials: WebAuthnCredentialRepository;
  clock: Clock;
  logger: Logger;
  /** A signature counter went backwards: record it (the owner is told through the notice). */
  onCloneSuspected: (credential: WebAuthnCredentialRecord) => Promise<void>;
}): SecondFactorMethod<'webauthn'> {
  const { credentials, clock, logger } = deps;
  const configured = (): WebAuthnCeremonies => {
    if (!deps.ceremonies) throw new TesseraError('WEBAUTHN_NOT_CONFIGURED');
    return deps.ceremonies;
  };

  async function verifyRegistration(factor: WebAuthnFactor, proof: Proof, context: VerifyContext) {
    const ceremonies = configured();
    if (proof.type !== 'registration') return malformed();
    const challenge = await ceremonies.take(context.challengeId, WEBAUTHN_REGISTRATION, context.flowId ?? null);
    const outcome = await ceremonies.verifyRegistration(proof.registration, challenge);
    if (!outcome.ok) {
      logger.info({ userId: factor.userId, why: outcome.why }, 'security key registration refused');
      return { ok: false, reason: 'wrong_code' } satisfies Verification;
    }
    assertModelAllowed(ceremonies, outcome.value.aaguid);
    return { ok: true, enrolled: outcome.value, userVerified: outcome.value.userVerified } satisfies Verification;
  }

  async function verifyAssertion(factor: WebAuthnFactor, proof: Proof, context: VerifyContext): Promise<Verification> {
    const ceremonies = configured();
    if (proof.type !== 'assertion') return malformed();
    const purpose = context.purposes[0] ?? '';
    const challenge = await ceremonies.take(context.challengeId, purpose, context.flowId ?? null);
    const credentialId = credentialIdOf(proof.assertion);
    const credential = credentialId === undefined ? undefined : await credentials.findByCredentialId(credentialId);
    // Another account's key is as wrong as an unknown one.
    if (!credential || credential.userId !== factor.userId) return { ok: false, reason: 'wrong_code' };
    const outcome = await ceremonies.verifyAssertion(
      proof.assertion,
      challenge,
      credential,
      context.requireUserVerification === true,
    );
    if (!outcome.ok) {
      logger.info({ userId: factor.userId, why: outcome.why }, 'security key assertion refused');
      return { ok: false, reason: 'wrong_code' };
    }
    const { newCounter, userVerified, backedUp } = outcome.value;
    // A counter that does not move on is what a copied key shows (WebAuthn §6.1.1); keys that
    // keep no counter send 0 every time, and 0 after 0 is no sign of anything.
    if ((newCounter !== 0 || credential.signCount !== 0) && newCounter <= credential.signCount) {
      logger.warn({ userId: factor.userId, credential: credential.id }, 'security key counter went backwards');
      await deps.onCloneSuspected(credential);
      return { ok: false, reason: 'cloned', notice: { type: 'webauthn_clone_suspected', name: credential.name } };
    }
    const recorded = await credentials.recordUse(credential.id, credential.signCount, {
      signCount: newCounter,
      backedUp,
      lastUsedAt: clock.now(),
    });
    if (!recorded) return { ok: false, reason: 'replayed' };
    return { ok: true, userVerified };
  }

  return {
    kind: 'webauthn',
    channel: null,
    // Options hold no secret and nothing is activated: a read-only credential may ask for them.
    quietBegin: true,
    addsToActive: true,

    async begin({ factorId, user, addingTo }) {
      const ceremonies = configured();
      const existing = await credentials.listByUser(user.id);
      if (existing.length >= ceremonies.settings.maxCredentials) throw new TesseraError('WEBAUTHN_CREDENTIAL_LIMIT');
      const webauthn = await ceremonies.registrationOptions(user, existing, factorId);
      return {
        activation: 'confirm',
        details: { rpId: addingTo?.details.rpId ?? ceremonies.settings.rpId },
        webauthn,
      };
    },

    assertWellFormed(_factor, proof) {
      const response =
        proof.type === 'assertion' ? proof.assertion : proof.type === 'registration' ? proof.registration : undefined;
      if (!response || credentialIdOf(response) === undefined || typeof response.response !== 'object') {
        throw new TesseraError('CODE_MALFORMED', {
          message: 'A security key answers with the browser’s PublicKeyCredential as JSON, not a code.',
        });
      }
    },

    verify(factor, proof, context) {
      return proof.type === 'registration'
        ? verifyRegistration(factor, proof, context)
        : verifyAssertion(factor, proof, context);
    },

    describe(factor) {
      return { rpId: factor.details.rpId };
    },

    async onEnrolled(factor, enrolled, repositories) {
      const ceremonies = configured();
      // Checked again in the transaction that writes it: two enrollments at once cannot pass the cap.
      if ((await repositories.webauthnCredentials.countByUser(factor.userId)) >= ceremonies.settings.maxCredentials) {
        throw new TesseraError('WEBAUTHN_CREDENTIAL_LIMIT');
      }
      const inserted = await repositories.webauthnCredentials.insert({
        id: newId(),
        userId: factor.userId,
        factorId: factor.id,
        ...enrolled,
        name: defaultCredentialName(enrolled.aaguid, enrolled.discoverable),
        createdAt: clock.now(),
        lastUsedAt: null,
      });
      if (!inserted) throw new TesseraError('WEBAUTHN_CREDENTIAL_EXISTS');
    },

    async issueChallenge(factor, { purpose, flowId, userVerification }) {
      const ceremonies = configured();
      const owned = await credentials.listByUser(factor.userId);
      return ceremonies.assertionOptions({
        purpose,
        flowId,
        userId: factor.userId,
        credentials: owned,
        ...(userVerification ? { userVerification } : {}),
      });
    },
  };
}

function malformed(): never {
  throw new TesseraError('CODE_MALFORMED', { message: 'That is not an answer to this security-key ceremony.' });
}

/** The operator's allowed and blocked models (`TESSERA_WEBAUTHN_*_AAGUIDS`). */
function assertModelAllowed(ceremonies: WebAuthnCeremonies, aaguid: string): void {
  const { allowedAaguids, blockedAaguids } = ceremonies.settings;
  const model = aaguid.toLowerCase();
  if (blockedAaguids.includes(model) || (allowedAaguids !== undefined && !allowedAaguids.includes(model))) {
    throw new TesseraError('WEBAUTHN_AUTHENTICATOR_NOT_ALLOWED', { meta: { aaguid: model } });
  }
}
