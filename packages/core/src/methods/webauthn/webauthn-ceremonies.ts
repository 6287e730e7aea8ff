import type {
  AuthenticationResponseJSON,
  AuthenticatorTransportFuture,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Clock } from '../../clock.js';
import { newId } from '../../crypto/random.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { UserRecord, WebAuthnCredentialRecord } from '../../storage/records.js';
import type { WebAuthnChallengeRepository } from '../../storage/repositories.js';
import type { WebAuthnSettings } from './webauthn-settings.js';

/** Options for the browser, and the id of the challenge inside them (sent back with the answer). */
export interface IssuedWebAuthnChallenge {
  challengeId: string;
  /** For `navigator.credentials.create()` (registration) or `.get()` (an assertion), as JSON. */
  options: PublicKeyCredentialCreationOptionsJSON | PublicKeyCredentialRequestOptionsJSON;
}

/** What a verified registration brings, before it is stored. */
export interface EnrolledCredential {
  credentialId: string;
  publicKey: string;
  signCount: number;
  transports: string[];
  aaguid: string;
  backupEligible: boolean;
  backedUp: boolean;
  discoverable: boolean;
  userVerified: boolean;
}

/** Why a response was refused, in words for the log (never shown as a different error to the caller). */
export type CeremonyOutcome<T> = { ok: true; value: T } | { ok: false; why: string };

type WebAuthnLibrary = typeof import('@simplewebauthn/server');
type WebAuthnHelpers = typeof import('@simplewebauthn/server/helpers');

let library: Promise<WebAuthnLibrary> | undefined;
let helpers: Promise<WebAuthnHelpers> | undefined;

/**
 * @simplewebauthn/server, with the @peculiar/* packages under it, is loaded on the first
 * ceremony: held from the start it cost about 3 MiB of heap (and the young generation's growth
 * while loading it) in every server, most of which never see a security key.
 */
function webauthnLibrary(): Promise<WebAuthnLibrary> {
  library ??= import('@simplewebauthn/server');
  return library;
}

/** Its base64url helpers, loaded with it (they pull in its CBOR and ASN.1 code). */
function webauthnHelpers(): Promise<WebAuthnHelpers> {
  helpers ??= import('@simplewebauthn/server/helpers');
  return helpers;
}

/**
 * The WebAuthn ceremonies over @simplewebauthn/server, with the relying party as configured, and
 * their challenges: each stored when issued and taken once, bound to its purpose and flow.
 */
export class WebAuthnCeremonies {
  constructor(
    private readonly deps: { settings: WebAuthnSettings; challenges: WebAuthnChallengeRepository; clock: Clock },
  ) {}

  get settings(): WebAuthnSettings {
    return this.deps.settings;
  }

  async registrationOptions(
    user: UserRecord,
    existing: readonly WebAuthnCredentialRecord[],
    flowId: string,
  ): Promise<IssuedWebAuthnChallenge> {
    const { settings } = this.deps;
    const { generateRegistrationOptions } = await webauthnLibrary();
    const options = await generateRegistrationOptions({
      rpName: settings.rpName,
      rpID: settings.rpId,
      userName: user.username,
      // The user handle is the account id: a passkey sign-in names its account by it.
      userID: new TextEncoder().encode(user.id),
      userDisplayName: user.username,
      timeout: settings.timeoutSeconds * 1000,
      attestationType: settings.attestation,
      // The same authenticator twice is refused by the browser itself.
      excludeCredentials: existing.map((credential) => ({
        id: credential.credentialId,
        transports: credential.transports as AuthenticatorTransportFuture[],
      })),
      authenticatorSelection: {
        residentKey: settings.residentKey,
        userVerification: settings.userVerification,
        ...(settings.attachment === 'any' ? {} : { authenticatorAttachment: settings.attachment }),
      },
      // P-256 (ES256), Ed25519 and RSA: what authenticators in use sign with.
      supportedAlgorithmIDs: [-7, -8, -257],
    });
    return { challengeId: await this.store(options.challenge, 'registration', flowId, user.id), options };
  }

  async assertionOptions(request: {
    purpose: string;
    flowId: string | null;
    userId: string | null;
    /** Empty for a passwordless sign-in: the browser offers the passkeys it has for this RP. */
    credentials: readonly WebAuthnCredentialRecord[];
    userVerification?: 'required';
  }): Promise<IssuedWebAuthnChallenge> {
    const { settings } = this.deps;
    const { generateAuthenticationOptions } = await webauthnLibrary();
    const options = await generateAuthenticationOptions({
      rpID: settings.rpId,
      timeout: settings.timeoutSeconds * 1000,
      userVerification: request.userVerification ?? settings.userVerification,
      allowCredentials: request.credentials.map((credential) => ({
        id: credential.credentialId,
        transports: credential.transports as AuthenticatorTransportFuture[],
      })),
    });
    const challengeId = await this.store(options.challenge, request.purpose, request.flowId, request.userId);
    return { challengeId, options };
  }

  /**
   * Takes a challenge for one use: of this purpose, for this flow (or none), unused and unexpired.
   * Whatever the answer then turns out to be, the challenge cannot be answered again.
   */
  async take(challengeId: string | undefined, purpose: string, flowId: string | null): Promise<string> {
    const invalid = new TesseraError('WEBAUTHN_CHALLENGE_INVALID');
    if (challengeId === undefined) throw invalid;
    const taken = await this.deps.challenges.consume(challengeId, purpose, this.deps.clock.now());
    if (!taken || taken.flowId !== flowId) throw invalid;
    return taken.challenge;
  }

  async verifyRegistration(
    response: Readonly<Record<string, unknown>>,
    challenge: string,
  ): Promise<CeremonyOutcome<EnrolledCredential>> {
    const { settings } = this.deps;
    const [{ verifyRegistrationResponse }, { isoBase64URL }] = await Promise.all([
      webauthnLibrary(),
      webauthnHelpers(),
    ]);
    try {
      const verified = await verifyRegistrationResponse({
        response: response as unknown as RegistrationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: settings.origins,
        expectedRPID: settings.rpId,
        requireUserVerification: settings.userVerification === 'required',
      });
      if (!verified.verified) return { ok: false, why: 'registration not verified' };
      const info = verified.registrationInfo;
      return {
        ok: true,
        value: {
          credentialId: info.credential.id,
          publicKey: isoBase64URL.fromBuffer(info.credential.publicKey),
          signCount: info.credential.counter,
          transports: info.credential.transports ?? transportsOf(response),
          aaguid: info.aaguid,
          backupEligible: info.credentialDeviceType === 'multiDevice',
          backedUp: info.credentialBackedUp,
          discoverable: discoverableOf(response, settings),
          userVerified: info.userVerified,
        },
      };
    } catch (error) {
      return { ok: false, why: error instanceof Error ? error.message : 'registration not verified' };
    }
  }

  async verifyAssertion(
    response: Readonly<Record<string, unknown>>,
    challenge: string,
    credential: WebAuthnCredentialRecord,
    requireUserVerification: boolean,
  ): Promise<CeremonyOutcome<{ newCounter: number; userVerified: boolean; backedUp: boolean }>> {
    const { settings } = this.deps;
    const [{ verifyAuthenticationResponse }, { isoBase64URL }] = await Promise.all([
      webauthnLibrary(),
      webauthnHelpers(),
    ]);
    try {
      const verified = await verifyAuthenticationResponse({
        response: response as unknown as AuthenticationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: settings.origins,
        expectedRPID: settings.rpId,
        credential: {
          id: credential.credentialId,
          publicKey: isoBase64URL.toBuffer(credential.publicKey),
          // The counter is compared by the method (it must refuse and record a clone, not just fail).
          counter: 0,
          transports: credential.transports as AuthenticatorTransportFuture[],
        },
        requireUserVerification: requireUserVerification || settings.userVerification === 'required',
      });
      if (!verified.verified) return { ok: false, why: 'signature not verified' };
      const info = verified.authenticationInfo;
      return {
        ok: true,
        value: { newCounter: info.newCounter, userVerified: info.userVerified, backedUp: info.credentialBackedUp },
      };
    } catch (error) {
      return { ok: false, why: error instanceof Error ? error.message : 'assertion not verified' };
    }
  }

  private async store(challenge: string, purpose: string, flowId: string | null, userId: string | null) {
    const now = this.deps.clock.now();
    const id = newId();
    await this.deps.challenges.insert({
      id,
      challenge,
      purpose,
      flowId,
      userId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.deps.settings.timeoutSeconds * 1000),
      usedAt: null,
    });
    return id;
  }
}

/** The id an assertion names, if it has the shape of one. */
export function credentialIdOf(response: Readonly<Record<string, unknown>>): string | undefined {
  const id = response.id;
  return typeof id === 'string' && id.length > 0 && id.length <= 1366 ? id : undefined;
}

/** The account a passkey names (its user handle: the account id registration gave it). */
export async function userHandleOf(response: Readonly<Record<string, unknown>>): Promise<string | undefined> {
  const inner = response.response;
  if (typeof inner !== 'object' || inner === null) return undefined;
  const handle = (inner as { userHandle?: unknown }).userHandle;
  if (typeof handle !== 'string' || handle === '') return undefined;
  const { isoBase64URL } = await webauthnHelpers();
  try {
    return new TextDecoder().decode(isoBase64URL.toBuffer(handle));
  } catch {
    return undefined;
  }
}

function transportsOf(response: Readonly<Record<string, unknown>>): string[] {
  const inner = response.response as { transports?: unknown } | undefined;
  const transports = inner?.transports;
  return Array.isArray(transports) ? transports.filter((t): t is string => typeof t === 'string') : [];
}

/**
 * Whether the new credential is discoverable: the browser says so in the credProps extension's
 * `rk`; when it does not, only a registration that required a resident key can count on one.
 */
function discoverableOf(response: Readonly<Record<string, unknown>>, settings: WebAuthnSettings): boolean {
  const results = response.clientExtensionResults as { credProps?: { rk?: unknown } } | undefined;
  const rk = results?.credProps?.rk;
  if (typeof rk === 'boolean') return rk;
  return settings.residentKey === 'required';
}
