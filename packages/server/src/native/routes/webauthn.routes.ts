import {
  ChallengeIdParams,
  FlowIdParams,
  PasskeyAvailability,
  PasskeySignInBody,
  SuccessToken,
  TokenResponse,
  UserIdParams,
  UserWebAuthnCredentialParams,
  WebAuthnCeremony,
  WebAuthnChallengeBody,
  WebAuthnChallengeStart,
  WebAuthnCredential,
  WebAuthnCredentialBody,
  WebAuthnCredentialIdParams,
  WebAuthnCredentialList,
  WebAuthnRegistrationStart,
  WebAuthnRemoveBody,
  WebAuthnRemoved,
  WebAuthnRenameBody,
  WebAuthnSignInBody,
} from '@tessera/contract';
import { type Core, registrationProof, TesseraError } from '@tessera/core';
import {
  actorOf,
  BEARER,
  emptyBodyAsObject,
  errorResponses,
  type NativeApp,
  requireAdminAuth,
  requireAuth,
} from '../native-app.js';

/**
 * Security keys and passkeys: registration, the second-factor step, passkey sign-in, step-up,
 * and each key listed, renamed and removed. Every ceremony is options (with a single-use challenge)
 * then the browser's answer; the routes parse, make one core call and render.
 */
export function registerWebAuthnRoutes(app: NativeApp, core: Core): void {
  const auth = requireAuth(core);
  const adminAuth = requireAdminAuth(core);
  const tags = ['webauthn'];

  app.post(
    '/me/2fa/webauthn/registration',
    {
      onRequest: auth,
      preValidation: emptyBodyAsObject,
      schema: {
        operationId: 'startWebAuthnRegistration',
        tags,
        summary: 'Start registering a security key or passkey',
        description:
          'Returns options for `navigator.credentials.create()` (your registered keys excluded); answer with ' +
          'POST /me/2fa/webauthn/registration/{flowId} within the ceremony timeout. The first key turns the ' +
          'webauthn method on; later ones are added to it, up to TESSERA_WEBAUTHN_MAX_CREDENTIALS (409 ' +
          'WEBAUTHN_CREDENTIAL_LIMIT). 409 WEBAUTHN_NOT_CONFIGURED when the server has no relying party set.',
        security: BEARER,
        response: { 201: WebAuthnRegistrationStart, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const started = await core.enable.start(actorOf(request), { method: 'webauthn' });
      if (!started.webauthn) throw new TesseraError('WEBAUTHN_NOT_CONFIGURED');
      return reply.status(201).send({
        flowId: started.flowId,
        factorId: started.factorId,
        expiresAt: started.expiresAt,
        webauthn: started.webauthn,
      });
    },
  );

  app.post(
    '/me/2fa/webauthn/registration/:flowId',
    {
      onRequest: auth,
      schema: {
        operationId: 'finishWebAuthnRegistration',
        tags,
        summary: 'Finish registering a key with the browser’s answer',
        description:
          'The PublicKeyCredential from `navigator.credentials.create()` as JSON. Checked against the challenge ' +
          'of this flow (single use), the configured origins and RP ID; a model the operator blocked is 403 ' +
          'WEBAUTHN_AUTHENTICATOR_NOT_ALLOWED. The key gets a default name from its model; rename it later.',
        security: BEARER,
        params: FlowIdParams,
        body: WebAuthnCredentialBody,
        response: { 200: WebAuthnCredentialList, ...errorResponses(400, 401, 403, 404, 409, 410, 422, 429) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await core.enable.confirm(actor, request.params.flowId, registrationProof(request.body.credential));
      return { credentials: await core.webauthnCredentials.list(actor) };
    },
  );

  app.get(
    '/me/2fa/webauthn/credentials',
    {
      onRequest: auth,
      schema: {
        operationId: 'listWebAuthnCredentials',
        tags,
        summary: 'Your security keys and passkeys',
        description: 'Name, whether it is a passkey, model (AAGUID), transports, sync state, when added and last used.',
        security: BEARER,
        response: { 200: WebAuthnCredentialList, ...errorResponses(401, 403) },
      },
    },
    async (request) => ({ credentials: await core.webauthnCredentials.list(actorOf(request)) }),
  );

  app.patch(
    '/me/2fa/webauthn/credentials/:credentialId',
    {
      onRequest: auth,
      schema: {
        operationId: 'renameWebAuthnCredential',
        tags,
        summary: 'Rename a security key',
        description: 'Names are 1 to 64 characters, for you to tell your keys apart.',
        security: BEARER,
        params: WebAuthnCredentialIdParams,
        body: WebAuthnRenameBody,
        response: { 200: WebAuthnCredential, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      core.webauthnCredentials.rename(actorOf(request), request.params.credentialId, request.body.name),
  );

  app.delete(
    '/me/2fa/webauthn/credentials/:credentialId',
    {
      onRequest: auth,
      schema: {
        operationId: 'removeWebAuthnCredential',
        tags,
        summary: 'Remove a security key (behind a step-up)',
        description:
          'Needs a success token from a challenge for `remove_webauthn_credential` with this key’s id as target. ' +
          'Removing the last key turns the method off (and the backup codes, when no other factor is left).',
        security: BEARER,
        params: WebAuthnCredentialIdParams,
        body: WebAuthnRemoveBody,
        response: { 200: WebAuthnRemoved, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      core.webauthnCredentials.remove(actorOf(request), request.params.credentialId, request.body.successToken),
  );

  app.post(
    '/auth/sign-in/:flowId/webauthn/options',
    {
      preValidation: emptyBodyAsObject,
      schema: {
        operationId: 'startWebAuthnSignInStep',
        tags,
        summary: 'Options for the second-factor step with a security key',
        description:
          'For a sign-in flow of an account with keys: options for `navigator.credentials.get()` listing its ' +
          'keys, with a challenge bound to this flow. A new request replaces the challenge.',
        params: FlowIdParams,
        response: { 200: WebAuthnCeremony, ...errorResponses(400, 404, 409, 410) },
      },
    },
    async (request) => {
      const selected = await core.signIn.selectMethod(actorOf(request), request.params.flowId, 'webauthn');
      if (!selected.webauthn) throw new TesseraError('WEBAUTHN_NOT_CONFIGURED');
      return selected.webauthn;
    },
  );

  app.post(
    '/auth/sign-in/:flowId/webauthn',
    {
      schema: {
        operationId: 'completeWebAuthnSignInStep',
        tags,
        summary: 'Finish a sign-in with a security key',
        description:
          'The assertion from `navigator.credentials.get()`. A wrong signature, origin or RP ID, another ' +
          'account’s key or a used challenge is refused (422 CODE_INVALID, 400 WEBAUTHN_CHALLENGE_INVALID) and ' +
          'counts toward the account’s lockout. A signature counter that went backwards is refused, recorded ' +
          'in the history and told to the owner.',
        params: FlowIdParams,
        body: WebAuthnSignInBody,
        response: { 200: TokenResponse, ...errorResponses(400, 401, 404, 409, 410, 422, 429) },
      },
    },
    async (request) => {
      const { credential, ...rest } = request.body;
      const { tokens, device } = await core.signIn.submitAssertion(actorOf(request), request.params.flowId, {
        assertion: credential,
        ...rest,
      });
      return { ...tokens, ...(device ? { device } : {}) };
    },
  );

  app.get(
    '/auth/passkey',
    {
      schema: {
        operationId: 'getPasskeyAvailability',
        tags,
        summary: 'Whether passkeys sign in here',
        description:
          'For a sign-in page, before it offers a passkey button or starts autofill (conditional mediation): ' +
          'true when the relying party is configured and the policy allows webauthn. No credentials needed; the ' +
          'answer is the same for everyone.',
        response: { 200: PasskeyAvailability },
      },
    },
    async () => ({ available: await core.passkeys.available() }),
  );

  app.post(
    '/auth/passkey/options',
    {
      preValidation: emptyBodyAsObject,
      schema: {
        operationId: 'startPasskeySignIn',
        tags,
        summary: 'Options for signing in with a passkey, without a username',
        description:
          'Options for `navigator.credentials.get()` (or conditional mediation: an input with ' +
          '`autocomplete="username webauthn"`) that require user verification. The browser offers the ' +
          'passkeys it holds for this relying party.',
        response: { 200: WebAuthnCeremony, ...errorResponses(400, 403, 409) },
      },
    },
    async (request) => core.passkeys.start(actorOf(request)),
  );

  app.post(
    '/auth/passkey',
    {
      schema: {
        operationId: 'completePasskeySignIn',
        tags,
        summary: 'Sign in with a passkey',
        description:
          'The assertion and the challengeId of the options. Only a key registered as a passkey (discoverable, ' +
          'with user verification) signs in this way, and only when the user was verified again now; the ' +
          'access token then says `amr: ["hwk", "mfa"]`. Refusals count toward the account’s lockout.',
        body: PasskeySignInBody,
        response: { 200: TokenResponse, ...errorResponses(400, 401, 403, 409, 422, 429) },
      },
    },
    async (request) => {
      const { tokens } = await core.passkeys.finish(
        actorOf(request),
        request.body.challengeId,
        request.body.credential,
      );
      return tokens;
    },
  );

  app.post(
    '/me/2fa/webauthn/challenges',
    {
      onRequest: auth,
      schema: {
        operationId: 'startWebAuthnChallenge',
        tags,
        summary: 'Start a step-up challenge answered by a security key',
        description:
          'As POST /me/2fa/challenges with method webauthn: options for `navigator.credentials.get()`; the ' +
          'assertion yields a success token for that one operation (and target).',
        security: BEARER,
        body: WebAuthnChallengeBody,
        response: { 201: WebAuthnChallengeStart, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const started = await core.challenges.start(actorOf(request), { ...request.body, method: 'webauthn' });
      if (!started.webauthn) throw new TesseraError('WEBAUTHN_NOT_CONFIGURED');
      return reply.status(201).send({
        challengeId: started.challengeId,
        operation: started.operation,
        expiresAt: started.expiresAt,
        webauthn: started.webauthn,
      });
    },
  );

  app.post(
    '/me/2fa/webauthn/challenges/:challengeId',
    {
      onRequest: auth,
      schema: {
        operationId: 'confirmWebAuthnChallenge',
        tags,
        summary: 'Answer a step-up challenge with a security key',
        description: 'The assertion; the success token is single use, valid 5 minutes, for the named operation only.',
        security: BEARER,
        params: ChallengeIdParams,
        body: WebAuthnCredentialBody,
        response: { 200: SuccessToken, ...errorResponses(400, 401, 404, 409, 410, 422, 429) },
      },
    },
    async (request) =>
      core.challenges.confirmAssertion(actorOf(request), request.params.challengeId, request.body.credential),
  );

  app.get(
    '/admin/users/:userId/webauthn/credentials',
    {
      onRequest: adminAuth,
      schema: {
        operationId: 'adminListWebAuthnCredentials',
        tags: ['admin'],
        summary: "A user's security keys and passkeys",
        description: 'Needs an admin token. What the user sees of their keys; nothing that signs.',
        security: BEARER,
        params: UserIdParams,
        response: { 200: WebAuthnCredentialList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await core.accounts.get(request.params.userId);
      return { credentials: await core.webauthnCredentials.listFor(actorOf(request), request.params.userId) };
    },
  );

  app.delete(
    '/admin/users/:userId/webauthn/credentials/:credentialId',
    {
      onRequest: adminAuth,
      schema: {
        operationId: 'adminRemoveWebAuthnCredential',
        tags: ['admin'],
        summary: "Remove one of a user's security keys",
        description:
          'Needs an admin token. For a lost key: recorded in the history as this admin’s change, the user is told ' +
          'by e-mail; the last key turns the method off.',
        security: BEARER,
        params: UserWebAuthnCredentialParams,
        response: { 200: WebAuthnRemoved, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      core.webauthnCredentials.removeFor(actorOf(request), request.params.userId, request.params.credentialId),
  );
}
