import { ServerVerifyBody, VerifyResult } from '@tessera/contract';
import type { Core } from '@tessera/core';
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
          'For a platform that keeps its own users and asks Tessera only to check codes. The user is named by ' +
          "`username` or by the platform's own id (`externalId`, given when an admin created the account). " +
          "Wrong codes count towards the user's lockout; a locked user gets 429 with lockedUntil, a disabled " +
          'one 403 ACCOUNT_DISABLED.',
        security: BEARER,
        body: ServerVerifyBody,
        response: {
          200: VerifyResult,
          ...errorResponses(
            'FORBIDDEN',
            'TWO_FACTOR_REQUIRED',
            'USER_NOT_FOUND',
            'NO_ACTIVE_FACTOR',
            'METHOD_NOT_ACTIVE',
            'CODE_MALFORMED',
            'SECOND_FACTOR_LOCKED',
            'SECOND_FACTOR_SUSPENDED',
          ),
        },
      },
    },
    async (request) => {
      const { code, ...user } = request.body;
      const check = await core.factors.verifyForUser(actorOf(request), user, code);
      return { valid: check.ok };
    },
  );
}
