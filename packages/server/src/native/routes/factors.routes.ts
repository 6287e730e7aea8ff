import {
  Account,
  BeginTotpBody,
  CodeBody,
  Factor,
  FactorIdParams,
  OptionalCodeBody,
  TotpEnrollment,
  VerifyResult,
} from '@tessera/contract';
import { type Core, codeProof, toAccountView } from '@tessera/core';
import { Type } from 'typebox';
import { actorOf, BEARER, emptyBodyAsObject, errorResponses, type NativeApp, requireAuth } from '../native-app.js';

export function registerFactorRoutes(app: NativeApp, core: Core): void {
  const auth = requireAuth(core);

  app.get(
    '/me',
    {
      onRequest: auth,
      schema: {
        operationId: 'getAccount',
        description:
          'The account of the access or API token, with its active factors and pending ones not yet expired. Secrets are never shown.',
        tags: ['factors'],
        summary: 'The signed-in account and its factors',
        security: BEARER,
        response: {
          200: Type.Object({ account: Account, factors: Type.Array(Factor) }),
          ...errorResponses('USER_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return { account: toAccountView(await core.accounts.me(actor)), factors: await core.factors.list(actor) };
    },
  );

  app.get(
    '/me/factors',
    {
      onRequest: auth,
      schema: {
        operationId: 'listFactors',
        description:
          "Each factor with its method, status (pending or active) and the method's public details (never a secret).",
        tags: ['factors'],
        summary: 'List your factors (active, and pending ones not yet expired)',
        security: BEARER,
        response: { 200: Type.Object({ factors: Type.Array(Factor) }), ...errorResponses() },
      },
    },
    async (request) => ({ factors: await core.factors.list(actorOf(request)) }),
  );

  app.post(
    '/me/factors/totp',
    {
      onRequest: auth,
      preValidation: emptyBodyAsObject,
      schema: {
        operationId: 'beginTotpEnrollment',
        tags: ['factors'],
        summary: 'Begin enrolling an authenticator app',
        description:
          'Returns the secret, the otpauth URI and its QR code (PNG data URL and SVG). The factor stays pending ' +
          'until confirmed with a code within 10 minutes. Beginning again replaces a pending enrollment.',
        security: BEARER,
        body: BeginTotpBody,
        response: {
          201: TotpEnrollment,
          ...errorResponses('FORBIDDEN', 'METHOD_NOT_ALLOWED', 'FACTOR_ALREADY_ACTIVE'),
        },
      },
    },
    async (request, reply) => {
      const started = await core.enable.start(actorOf(request), { method: 'totp', totp: request.body });
      // A TOTP enrollment always waits for confirmation, so its factor is there.
      return reply.status(201).send({ factor: started.factor!, ...started.totp! });
    },
  );

  app.post(
    '/me/factors/:factorId/confirm',
    {
      onRequest: auth,
      schema: {
        operationId: 'confirmFactor',
        description:
          'For a factor begun with POST /me/factors/totp: the code the app shows now. Wrong codes count towards the account lockout; an enrollment older than 10 minutes is 410. A code right only under SHA1, 6 digits and 30 s when the enrollment asked for other settings is 422 TOTP_SETTINGS_IGNORED (no try counted): see use-default-settings.',
        tags: ['factors'],
        summary: 'Confirm a pending factor with a code from the app: it becomes active',
        security: BEARER,
        params: FactorIdParams,
        body: CodeBody,
        response: {
          200: Factor,
          ...errorResponses(
            'FORBIDDEN',
            'FACTOR_NOT_FOUND',
            'FACTOR_NOT_PENDING',
            'ENROLLMENT_EXPIRED',
            'TOTP_SETTINGS_IGNORED',
            'CODE_MALFORMED',
            'CODE_INVALID',
            'CODE_EXPIRED',
            'CODE_ATTEMPTS_EXHAUSTED',
            'SECOND_FACTOR_LOCKED',
            'SECOND_FACTOR_SUSPENDED',
          ),
        },
      },
    },
    async (request) =>
      (await core.enable.confirmFactor(actorOf(request), request.params.factorId, codeProof(request.body.code))).factor,
  );

  app.post(
    '/me/factors/:factorId/use-default-settings',
    {
      onRequest: auth,
      preValidation: emptyBodyAsObject,
      schema: {
        operationId: 'useDefaultTotpSettings',
        description:
          'After a confirm answered 422 TOTP_SETTINGS_IGNORED (the code fits SHA1, 6 digits and 30 s, not the ' +
          'settings the enrollment asked for, as Google Authenticator and other apps that ignore them show): ' +
          'the pending enrollment keeps its key, id, expiry and tries and asks for the defaults; confirm it again ' +
          'with the code the app shows.',
        tags: ['factors'],
        summary: 'Switch a pending authenticator enrollment to the standard settings',
        security: BEARER,
        params: FactorIdParams,
        body: Type.Object({}, { additionalProperties: false }),
        response: {
          200: TotpEnrollment,
          ...errorResponses('FORBIDDEN', 'FACTOR_NOT_FOUND', 'FACTOR_NOT_PENDING', 'ENROLLMENT_EXPIRED'),
        },
      },
    },
    async (request) => {
      const moved = await core.enable.useDefaultTotpSettings(actorOf(request), request.params.factorId);
      return { factor: moved.factor!, ...moved.totp! };
    },
  );

  app.delete(
    '/me/factors/:factorId',
    {
      onRequest: auth,
      preValidation: emptyBodyAsObject,
      schema: {
        operationId: 'deleteFactor',
        tags: ['factors'],
        summary: 'Remove a factor',
        description: 'An active factor needs a current code of that factor in the body; a pending one does not.',
        security: BEARER,
        params: FactorIdParams,
        body: OptionalCodeBody,
        response: {
          204: { type: 'null' },
          ...errorResponses(
            'FORBIDDEN',
            'TWO_FACTOR_REQUIRED',
            'FACTOR_NOT_FOUND',
            'CODE_MALFORMED',
            'CODE_INVALID',
            'SECOND_FACTOR_LOCKED',
            'SECOND_FACTOR_SUSPENDED',
          ),
        },
      },
    },
    async (request, reply) => {
      await core.disable.removeFactor(actorOf(request), request.params.factorId, request.body.code);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/me/verify',
    {
      onRequest: auth,
      schema: {
        operationId: 'verifyCode',
        tags: ['factors'],
        summary: 'Check a code from your authenticator',
        description: 'A code is accepted once. Wrong codes count towards the account lockout (429 when locked).',
        security: BEARER,
        body: CodeBody,
        response: {
          200: VerifyResult,
          ...errorResponses(
            'FORBIDDEN',
            'TWO_FACTOR_REQUIRED',
            'NO_ACTIVE_FACTOR',
            'METHOD_NOT_ACTIVE',
            'CODE_MALFORMED',
            'SECOND_FACTOR_LOCKED',
            'SECOND_FACTOR_SUSPENDED',
          ),
        },
      },
    },
    async (request) => ({ valid: (await core.factors.verify(actorOf(request), request.body.code)).ok }),
  );
}
