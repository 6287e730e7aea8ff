import {
  AdminCreateUserBody,
  AdminSetPasswordBody,
  AdminUpdateUserBody,
  AdminUser,
  AdminUserLookup,
  AdminUserLookupQuery,
  DeletedUser,
  UserIdParams,
} from '@tessera/contract';
import type { Core, UserLookup } from '@tessera/core';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAdminAuth } from '../native-app.js';

/**
 * Admin: accounts a platform manages. Creating one (with or without a password, with the
 * platform's own id), looking one up, changing its contact details, disabling, enabling and
 * deleting it. Each change is recorded in the history with the admin as actor.
 */
export function registerAdminAccountRoutes(app: NativeApp, core: Core): void {
  const auth = requireAdminAuth(core);
  const tags = ['admin'];

  app.post(
    '/admin/users',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminCreateUser',
        tags,
        summary: 'Create an account (with or without a password, with the platform id)',
        description:
          'Without `password` the account cannot sign in with one: it is for a platform that signs its users in ' +
          'itself and asks Tessera only for the second factor (`POST /verify` with `externalId`). `externalId` ' +
          "is the platform's own id for the user, unique across accounts (409 EXTERNAL_ID_TAKEN).",
        security: BEARER,
        body: AdminCreateUserBody,
        response: {
          201: AdminUser,
          ...errorResponses(
            'FORBIDDEN',
            'TWO_FACTOR_REQUIRED',
            'USERNAME_TAKEN',
            'EMAIL_TAKEN',
            'EXTERNAL_ID_TAKEN',
            'PHONE_INVALID',
          ),
        },
      },
    },
    async (request, reply) => {
      const { subAccountType, ...account } = request.body;
      const input = subAccountType === undefined ? account : { ...account, subKind: subAccountType };
      return reply.status(201).send(await core.userAdmin.create(actorOf(request), input));
    },
  );

  app.get(
    '/admin/users/lookup',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminLookUpUser',
        tags,
        summary: 'Find an account by username or by the platform id, with its factors',
        description:
          'Give exactly one of `username` and `externalId`. 404 USER_NOT_FOUND when there is no such account.',
        security: BEARER,
        querystring: AdminUserLookupQuery,
        response: {
          200: AdminUserLookup,
          ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'USER_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const { username, externalId } = request.query;
      const by: UserLookup = externalId !== undefined ? { externalId } : { username: username ?? '' };
      const user = await core.userAdmin.lookup(actorOf(request), by);
      return { user, factors: await core.factors.listFor(actorOf(request), user.id) };
    },
  );

  app.get(
    '/admin/users/:userId',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminGetUser',
        tags,
        summary: 'One account: contact details, platform id, disabled, 2FA methods and lock',
        description: 'The same view as each item of `GET /admin/users`, with the phone number and `hasPassword`.',
        security: BEARER,
        params: UserIdParams,
        response: {
          200: AdminUser,
          ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'USER_NOT_FOUND'),
        },
      },
    },
    async (request) => core.userAdmin.get(actorOf(request), request.params.userId),
  );

  app.patch(
    '/admin/users/:userId',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminUpdateUser',
        tags,
        summary: "Change an account's e-mail address, phone number, username or role",
        description:
          'Checked as at sign-up; null clears a value. The address cannot be cleared while the e-mail method is ' +
          "active (its codes go there). A new role ends the account's sessions (their access tokens carry the " +
          'old one); an admin cannot change their own. The history records which fields changed, not their values.',
        security: BEARER,
        params: UserIdParams,
        body: AdminUpdateUserBody,
        response: {
          200: AdminUser,
          ...errorResponses(
            'FORBIDDEN',
            'TWO_FACTOR_REQUIRED',
            'USER_NOT_FOUND',
            'EMAIL_TAKEN',
            'USERNAME_TAKEN',
            'PHONE_INVALID',
          ),
        },
      },
    },
    async (request) => core.userAdmin.update(actorOf(request), request.params.userId, request.body),
  );

  app.post(
    '/admin/users/:userId/password',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminSetUserPassword',
        tags,
        summary: 'Set a new password for an account',
        description:
          'For an account whose owner cannot recover it, or one made without a password. As a password reset, ' +
          'every session, remembered device and pending flow of the account ends; the owner is told by e-mail and ' +
          'the history records it (method account, action update, details.changed ["password"]). Your own ' +
          'password goes through POST /me/password.',
        security: BEARER,
        params: UserIdParams,
        body: AdminSetPasswordBody,
        response: {
          204: { type: 'null' },
          ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'USER_NOT_FOUND'),
        },
      },
    },
    async (request, reply) => {
      await core.passwords.setByAdmin(actorOf(request), request.params.userId, request.body.password);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/admin/users/:userId/disable',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminDisableUser',
        tags,
        summary: 'Disable an account: no sign-in, no verify, no tokens, no sessions',
        description:
          'Its password and API tokens are refused with 403 ACCOUNT_DISABLED, its sessions end and its flows in ' +
          'progress (a sign-in waiting for its code, an enrollment) expire, in one transaction. Factors and API ' +
          'tokens are kept for when it is enabled again. An admin cannot disable their own account.',
        security: BEARER,
        params: UserIdParams,
        response: {
          200: AdminUser,
          ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'USER_NOT_FOUND'),
        },
      },
    },
    async (request) => core.userAdmin.disable(actorOf(request), request.params.userId),
  );

  app.post(
    '/admin/users/:userId/enable',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminEnableUser',
        tags,
        summary: 'Enable a disabled account again',
        description: 'Its password, factors and API tokens work again; sessions ended by the disable stay ended.',
        security: BEARER,
        params: UserIdParams,
        response: {
          200: AdminUser,
          ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'USER_NOT_FOUND'),
        },
      },
    },
    async (request) => core.userAdmin.enable(actorOf(request), request.params.userId),
  );

  app.delete(
    '/admin/users/:userId',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminDeleteUser',
        tags,
        summary: 'Delete an account and everything of its own; its history stays, pseudonymised',
        description:
          'Factors, backup codes, API tokens, trusted devices, sessions and refresh tokens, flows in progress and ' +
          'the lockout go in one transaction. The history entries about the account (and those it made) keep ' +
          '`userPseudonym` (the `pseudonym` returned here) instead of its id. An admin cannot delete their own account, and an ' +
          'account that owns cPanel e-mail or team accounts is 409 ACCOUNT_OWNS_ACCOUNTS until those are deleted.',
        security: BEARER,
        params: UserIdParams,
        response: {
          200: DeletedUser,
          ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'USER_NOT_FOUND', 'ACCOUNT_OWNS_ACCOUNTS'),
        },
      },
    },
    async (request) => {
      const { pseudonym } = await core.userAdmin.delete(actorOf(request), request.params.userId);
      return { deleted: true as const, pseudonym };
    },
  );
}
