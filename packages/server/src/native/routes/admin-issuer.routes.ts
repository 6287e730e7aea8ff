import { IssuerBody, IssuerView, UserIdParams, UserIssuerBody, UserIssuerView } from '@tessera/contract';
import type { Core } from '@tessera/core';
import { Type } from 'typebox';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAdminAuth } from '../native-app.js';

/** Admin: a user's issuer override and the system-wide issuer. */
export function registerAdminIssuerRoutes(app: NativeApp, core: Core): void {
  const auth = requireAdminAuth(core);
  const tags = ['admin'];

  app.put(
    '/admin/users/:userId/issuer',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminSetUserIssuer',
        description:
          'Needs an admin token. null removes the override, so the system-wide issuer applies again. Affects authenticators enrolled from now on.',
        tags,
        summary: "Set (or clear with null) a user's issuer override",
        security: BEARER,
        params: UserIdParams,
        body: UserIssuerBody,
        response: { 200: UserIssuerView, ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'USER_NOT_FOUND') },
      },
    },
    async (request) => {
      return core.issuers.setFor(actorOf(request), request.params.userId, request.body.issuer);
    },
  );

  app.get(
    '/admin/settings/issuer',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminGetSystemIssuer',
        description: 'Needs an admin token. The issuer new otpauth URIs carry unless the user has an override.',
        tags,
        summary: 'The system-wide issuer of new otpauth URIs',
        security: BEARER,
        response: { 200: IssuerView, ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED') },
      },
    },
    async (request) => {
      return { issuer: await core.issuers.read(actorOf(request)) };
    },
  );

  app.put(
    '/admin/settings/issuer',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminSetSystemIssuer',
        description:
          'Needs an admin token. Affects authenticators enrolled from now on; users with an override keep theirs.',
        tags,
        summary: 'Change the system-wide issuer (users with their own override keep it)',
        security: BEARER,
        body: IssuerBody,
        response: { 200: IssuerView, ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED') },
      },
    },
    async (request) => {
      return { issuer: await core.issuers.change(actorOf(request), request.body.issuer) };
    },
  );

  app.post(
    '/admin/settings/signing-keys/rotate',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminRotateSigningKey',
        tags,
        summary: 'Sign new access tokens with a new key; the old one verifies until its tokens expire',
        description: 'The public keys are at /.well-known/jwks.json.',
        security: BEARER,
        response: { 200: Type.Object({ kid: Type.String() }), ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED') },
      },
    },
    async (request) => core.signingKeys.rotate(actorOf(request)),
  );
}
