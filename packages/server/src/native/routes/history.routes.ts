import { HistoryEntry, HistoryIdParams, HistoryPage, HistoryQuery } from '@tessera/contract';
import type { Core } from '@tessera/core';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAuth } from '../native-app.js';

/** The signed-in user's 2FA change history. */
export function registerHistoryRoutes(app: NativeApp, core: Core): void {
  const auth = requireAuth(core);
  const tags = ['two-factor'];

  app.get(
    '/me/2fa/history',
    {
      onRequest: auth,
      schema: {
        operationId: 'listHistory',
        tags,
        summary: 'Your 2FA change history',
        description: 'Filter by method, enabled and time (from inclusive, to exclusive); newest first by default.',
        security: BEARER,
        querystring: HistoryQuery,
        response: { 200: HistoryPage, ...errorResponses('TWO_FACTOR_REQUIRED') },
      },
    },
    async (request) => {
      const { from, to, ...rest } = request.query;
      return core.history.listOwn(actorOf(request), {
        ...rest,
        ...(from ? { from: new Date(from) } : {}),
        ...(to ? { to: new Date(to) } : {}),
      });
    },
  );

  app.get(
    '/me/2fa/history/:entryId',
    {
      onRequest: auth,
      schema: {
        operationId: 'getHistoryEntry',
        description: "An entry of your own history; another account's entry is 404 HISTORY_ENTRY_NOT_FOUND.",
        tags,
        summary: 'One entry of your 2FA change history',
        security: BEARER,
        params: HistoryIdParams,
        response: { 200: HistoryEntry, ...errorResponses('TWO_FACTOR_REQUIRED', 'HISTORY_ENTRY_NOT_FOUND') },
      },
    },
    async (request) => core.history.getOwn(actorOf(request), request.params.entryId),
  );
}
