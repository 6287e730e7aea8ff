import { AdminHistoryQuery, HistoryEntry, HistoryIdParams, HistoryPage } from '@tessera/contract';
import type { Core } from '@tessera/core';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAdminAuth } from '../native-app.js';

/** Admin: the 2FA change history of every account. */
export function registerAdminHistoryRoutes(app: NativeApp, core: Core): void {
  const auth = requireAdminAuth(core);
  const tags = ['admin'];

  app.get(
    '/admin/history',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminListHistory',
        description:
          "Needs an admin token. Every account's 2FA changes, newest first unless order=asc; filter by userId, method, enabled and a time range.",
        tags,
        summary: 'The 2FA change history of every account (filter by userId, method, enabled, time)',
        security: BEARER,
        querystring: AdminHistoryQuery,
        response: { 200: HistoryPage, ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED') },
      },
    },
    async (request) => {
      const { from, to, ...rest } = request.query;
      return core.history.listAll(actorOf(request), {
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
        operationId: 'adminGetHistoryEntry',
        description: "Needs an admin token. Any account's entry.",
        tags,
        summary: 'One history entry',
        security: BEARER,
        params: HistoryIdParams,
        response: {
          200: HistoryEntry,
          ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'HISTORY_ENTRY_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      return core.history.getAny(actorOf(request), request.params.entryId);
    },
  );
}
