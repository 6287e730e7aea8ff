import {
  AdminHistoryQuery,
  Factor,
  HistoryEntry,
  HistoryIdParams,
  HistoryPage,
  IssuerBody,
  IssuerView,
  PagingQuery,
  Policy,
  PolicyUpdateBody,
  ResetResult,
  TotpExport,
  TotpImportBody,
  UserIdParams,
  UserIssuerBody,
  UserIssuerView,
  UserList,
} from '@tessera/contract';
import { type Core, RESTRICTED_METHODS, type TwoFactorPolicy } from '@tessera/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireAdmin } from '../../http/authenticate.js';
import { BEARER, errorResponses, type NativeApp, principalOf, requireAuth } from '../native-app.js';

/** Admin operations on other users' 2FA, the system-wide issuer and the 2FA policy. */
export function registerAdminTwoFactorRoutes(app: NativeApp, core: Core): void {
  const signedIn = requireAuth(core);
  /** The role is checked as soon as the caller is known: a non-admin gets 403 before any validation. */
  const auth = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    await signedIn(request, reply);
    requireAdmin(principalOf(request));
  };
  const tags = ['admin'];
  /** The change is the admin's. */
  const admin = (request: FastifyRequest) => {
    const principal = principalOf(request);
    requireAdmin(principal);
    return { actor: 'admin' as const, actorId: principal.userId, clientIp: request.ip };
  };

  app.get(
    '/admin/users',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'Users with their 2FA state',
        security: BEARER,
        querystring: PagingQuery,
        response: { 200: UserList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      admin(request);
      return core.admin.listUsers(request.query.limit ?? 50, request.query.offset ?? 0);
    },
  );

  app.get(
    '/admin/users/:userId/factors',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: "A user's factors",
        security: BEARER,
        params: UserIdParams,
        response: { 200: Type.Object({ factors: Type.Array(Factor) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      admin(request);
      await core.accounts.get(request.params.userId);
      return { factors: await core.factors.list(request.params.userId) };
    },
  );

  app.delete(
    '/admin/users/:userId/2fa',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: "Remove all of a user's factors (recorded as this admin's reset; the user is told by e-mail)",
        security: BEARER,
        params: UserIdParams,
        response: { 200: ResetResult, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const context = admin(request);
      return { removed: await core.admin.resetTwoFactor(request.params.userId, context) };
    },
  );

  app.post(
    '/admin/users/:userId/2fa/totp/export',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: "Export a user's TOTP key for migration (every export is recorded in the history)",
        security: BEARER,
        params: UserIdParams,
        response: { 200: TotpExport, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => core.admin.exportTotp(request.params.userId, admin(request)),
  );

  app.post(
    '/admin/users/:userId/2fa/totp/import',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: "Install a TOTP key from another system as the user's active authenticator",
        security: BEARER,
        params: UserIdParams,
        body: TotpImportBody,
        response: { 204: { type: 'null' }, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await core.admin.importTotp(request.params.userId, request.body, admin(request));
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/admin/users/:userId/issuer',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: "Set (or clear with null) a user's issuer override",
        security: BEARER,
        params: UserIdParams,
        body: UserIssuerBody,
        response: { 200: UserIssuerView, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      admin(request);
      return core.issuers.setUserIssuer(request.params.userId, request.body.issuer);
    },
  );

  app.get(
    '/admin/settings/issuer',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'The system-wide issuer of new otpauth URIs',
        security: BEARER,
        response: { 200: IssuerView, ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      admin(request);
      return { issuer: await core.issuers.systemIssuer() };
    },
  );

  app.put(
    '/admin/settings/issuer',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'Change the system-wide issuer (users with their own override keep it)',
        security: BEARER,
        body: IssuerBody,
        response: { 200: IssuerView, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      admin(request);
      await core.issuers.setSystemIssuer(request.body.issuer);
      return { issuer: await core.issuers.systemIssuer() };
    },
  );

  app.get(
    '/admin/policy',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'The 2FA policy',
        security: BEARER,
        response: { 200: Policy, ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      admin(request);
      return policyView(await core.policy.get());
    },
  );

  app.put(
    '/admin/policy',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'Change the 2FA policy (recorded in the history)',
        description:
          'required: every account must have a factor; after gracePeriodDays a signed-in user without one can only ' +
          'enroll (403 TWO_FACTOR_REQUIRED elsewhere). methods: allow or forbid each method.',
        security: BEARER,
        body: PolicyUpdateBody,
        response: { 200: Policy, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => policyView(await core.policy.update(request.body, admin(request))),
  );

  app.get(
    '/admin/history',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'The 2FA change history of every account (filter by userId, method, enabled, time)',
        security: BEARER,
        querystring: AdminHistoryQuery,
        response: { 200: HistoryPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      admin(request);
      const { from, to, ...rest } = request.query;
      return core.history.list({
        ...rest,
        ...(from ? { from: new Date(from) } : {}),
        ...(to ? { to: new Date(to) } : {}),
      });
    },
  );

  app.get(
    '/admin/history/:entryId',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'One history entry',
        security: BEARER,
        params: HistoryIdParams,
        response: { 200: HistoryEntry, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      admin(request);
      return core.history.get(request.params.entryId);
    },
  );
}

function policyView(policy: TwoFactorPolicy) {
  return { ...policy, restrictedMethods: [...RESTRICTED_METHODS] };
}
