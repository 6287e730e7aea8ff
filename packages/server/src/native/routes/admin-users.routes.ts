import { Factor, PagingQuery, ResetResult, UserIdParams, UserList } from '@tessera/contract';
import type { Core } from '@tessera/core';
import { Type } from 'typebox';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAdminAuth } from '../native-app.js';

/** Admin: users with their 2FA state, a user's factors, resetting a user's 2FA. */
export function registerAdminUserRoutes(app: NativeApp, core: Core): void {
  const auth = requireAdminAuth(core);
  const tags = ['admin'];

  app.get(
    '/admin/users',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminListUsers',
        description:
          'Needs an admin token. Paged with limit and offset; each user with whether 2FA is on and which methods are active.',
        tags,
        summary: 'Users with their 2FA state',
        security: BEARER,
        querystring: PagingQuery,
        response: { 200: UserList, ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED') },
      },
    },
    async (request) => {
      return core.admin.listUsers(actorOf(request), request.query.limit ?? 50, request.query.offset ?? 0);
    },
  );

  app.get(
    '/admin/users/:userId/factors',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminListUserFactors',
        description: "Needs an admin token. The user's factors, active and pending (never a secret).",
        tags,
        summary: "A user's factors",
        security: BEARER,
        params: UserIdParams,
        response: {
          200: Type.Object({ factors: Type.Array(Factor) }),
          ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'USER_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      await core.accounts.get(request.params.userId);
      return { factors: await core.factors.listFor(actorOf(request), request.params.userId) };
    },
  );

  app.delete(
    '/admin/users/:userId/2fa',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminResetTwoFactor',
        description:
          "Needs an admin token. Removes every factor and backup code of the user and ends their sessions; recorded in the history as this admin's reset, and the user is told by e-mail.",
        tags,
        summary: "Remove all of a user's factors (recorded as this admin's reset; the user is told by e-mail)",
        security: BEARER,
        params: UserIdParams,
        response: { 200: ResetResult, ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'USER_NOT_FOUND') },
      },
    },
    async (request) => {
      return { removed: await core.admin.resetTwoFactor(actorOf(request), request.params.userId) };
    },
  );

  app.post(
    '/admin/users/:userId/2fa/unlock',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminUnlockSecondFactor',
        description:
          "Needs an admin token. Clears the user's second-factor lockout (also a suspension that does not pass with time); recorded in the history.",
        tags,
        summary:
          "Clear a user's second-factor failures, lock and suspension (recorded as this admin's; the user is told by e-mail)",
        security: BEARER,
        params: UserIdParams,
        response: { 204: { type: 'null' }, ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'USER_NOT_FOUND') },
      },
    },
    async (request, reply) => {
      await core.admin.unlockSecondFactor(actorOf(request), request.params.userId);
      return reply.status(204).send(null);
    },
  );
}
