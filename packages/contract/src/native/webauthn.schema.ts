import { Type } from 'typebox';
import { UserIdParams } from './admin-users.schema.js';
import { DateTime, Uuid } from './formats.js';
import { SuccessTokenOperation } from './two-factor-common.schema.js';

const base64url = (description: string, maxLength = 4096) =>
  Type.String({ pattern: '^[A-Za-z0-9_-]*$', maxLength, description });

/**
 * The browser's PublicKeyCredential as JSON (what `@simplewebauthn/browser` returns, or
 * `credential.toJSON()`): the fields every answer has are checked here, the rest by the ceremony.
 */
export const WebAuthnResponse = Type.Object(
  {
    id: base64url('The credential id.', 1366),
    rawId: base64url('The credential id again.', 1366),
    type: Type.Literal('public-key'),
    response: Type.Object(
      {
        clientDataJSON: base64url('The client data the authenticator signed over.', 8192),
        attestationObject: Type.Optional(base64url('Registration: the attestation object.', 65536)),
        authenticatorData: Type.Optional(base64url('Assertion: the authenticator data.', 8192)),
        signature: Type.Optional(base64url('Assertion: the signature.', 2048)),
        userHandle: Type.Optional(base64url('Assertion of a passkey: the account it belongs to.', 1024)),
        transports: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 16 })),
      },
      { additionalProperties: true },
    ),
    clientExtensionResults: Type.Object({}, { additionalProperties: true }),
    authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: true, description: 'The browser’s PublicKeyCredential, as JSON.' },
);

/** Options for `navigator.credentials.create()` or `.get()`, as JSON (WebAuthn Level 3's *JSON forms). */
export const WebAuthnOptions = Type.Object(
  { challenge: base64url('The challenge to sign: single use, valid for the ceremony timeout.', 256) },
  {
    additionalProperties: true,
    description:
      'Pass to `startRegistration({optionsJSON})` / `startAuthentication({optionsJSON})` of @simplewebauthn/browser.',
  },
);

export const WebAuthnCeremony = Type.Object({
  challengeId: Uuid,
  options: WebAuthnOptions,
});

export const WebAuthnRegistrationStart = Type.Object({
  flowId: Uuid,
  factorId: Uuid,
  expiresAt: DateTime,
  webauthn: WebAuthnCeremony,
});

export const WebAuthnCredentialBody = Type.Object({ credential: WebAuthnResponse }, { additionalProperties: false });

export const WebAuthnCredential = Type.Object({
  id: Uuid,
  name: Type.String(),
  passkey: Type.Boolean({
    description: 'Registered as discoverable with user verification: it signs in without a password.',
  }),
  aaguid: Type.String({ description: 'The authenticator model (all zeros when it does not say).' }),
  model: Type.Union([Type.String(), Type.Null()], {
    description:
      'The model’s name when the AAGUID is a well-known one (it stays when the key is renamed); null otherwise.',
  }),
  transports: Type.Array(Type.String()),
  backupEligible: Type.Boolean({ description: 'May be synced to other devices (a synced passkey).' }),
  backedUp: Type.Boolean(),
  createdAt: DateTime,
  lastUsedAt: Type.Union([DateTime, Type.Null()]),
});

export const WebAuthnCredentialList = Type.Object({ credentials: Type.Array(WebAuthnCredential) });

export const WebAuthnCredentialIdParams = Type.Object({ credentialId: Uuid });

/** An admin's path to one of a user's keys. */
export const UserWebAuthnCredentialParams = Type.Object({
  userId: UserIdParams.properties.userId,
  credentialId: Uuid,
});

export const WebAuthnRenameBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

export const WebAuthnRemoveBody = Type.Object(
  {
    successToken: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'From a challenge for `remove_webauthn_credential` with the key’s id as target.',
    }),
  },
  { additionalProperties: false },
);

export const WebAuthnRemoved = Type.Object({
  methodActive: Type.Boolean({ description: 'Whether keys are left; removing the last one turns the method off.' }),
});

export const WebAuthnSignInBody = Type.Object(
  {
    credential: WebAuthnResponse,
    rememberDevice: Type.Optional(Type.Boolean()),
    deviceLabel: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const PasskeySignInBody = Type.Object(
  { challengeId: Uuid, credential: WebAuthnResponse },
  { additionalProperties: false },
);

export const WebAuthnChallengeBody = Type.Object(
  {
    operation: SuccessTokenOperation,
    target: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const WebAuthnChallengeStart = Type.Object({
  challengeId: Uuid,
  operation: SuccessTokenOperation,
  expiresAt: DateTime,
  webauthn: WebAuthnCeremony,
});

export const PasskeyAvailability = Type.Object({
  available: Type.Boolean({
    description:
      'Passkeys sign in here: the relying party is configured and the policy allows webauthn. Says nothing about any account.',
  }),
});
