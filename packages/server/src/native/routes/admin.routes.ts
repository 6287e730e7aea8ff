import { Account, Factor, ServerVerifyBody, Username, VerifyResult } from '@tessera/contract';
import { type Core, toAccountView } from '@tessera/core';
import { Type } from 'typebox';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAdminAuth } from '../native-app.js';

export function registerAdminRoutes(app: NativeApp, core: Core): void {
  const auth = requireAdminAuth(core);

  app.post(
    '/verify',
    {
      onRequest: auth,
      schema: {
        operationId: 'verifyUserCode',
        tags: ['server to server'],
        summary: "Check a user's code (admin token)",
        description:
          'For a platform that keeps its own users and asks Tessera only to check codes. Wrong codes count ' +
          "towards the user's lockout; a locked user gets 429 with lockedUntil.",
        security: BEARER,
        body: ServerVerifyBody,
        response: { 200: VerifyResult, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) => {
      const check = await core.factors.verifyForUsername(actorOf(request), request.body.username, request.body.code);
      return { valid: check.ok };
    },
  );

  app.get(
    '/users/:username',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminGetUser',
        description: 'Needs an admin token. The account by username, with its factors (never a secret).',
        tags: ['admin'],
        summary: "A user's account and factors (admin)",
        security: BEARER,
        params: Type.Object({ username: Username }),
        response: {
          200: Type.Object({ account: Account, factors: Type.Array(Factor) }),
          ...errorResponses(401, 403, 404),
        },
      },
    },
    async (request) => {
      const user = await core.accounts.find(actorOf(request), request.params.username);
      return { account: toAccountView(user), factors: await core.factors.listFor(actorOf(request), user.id) };
    },
  );
}
