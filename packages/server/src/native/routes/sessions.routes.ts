import { MySessions, RevokedSessions, RevokeSessionsBody, SessionIdParams } from '@tessera/contract';
import type { Core } from '@tessera/core';
import { actorOf, BEARER, emptyBodyAsObject, errorResponses, type NativeApp, requireAuth } from '../native-app.js';

/** The signed-in user's sessions: where they are signed in, and ending that. */
export function registerSessionRoutes(app: NativeApp, core: Core): void {
  const auth = requireAuth(core);
  const tags = ['sessions'];

  app.get(
    '/me/sessions',
    {
      onRequest: auth,
      schema: {
        operationId: 'listMySessions',
        tags,
        summary: 'Your sessions and remembered devices',
        description:
          'Every session that can still be used (a sign-in whose refresh token is alive), newest first, with ' +
          'when it started and was last used (sign-in or refresh) and from which address and user agent; ' +
          '`current` marks the one of this request. `devices` lists the devices remembered at sign-in.',
        security: BEARER,
        response: { 200: MySessions, ...errorResponses('TWO_FACTOR_REQUIRED') },
      },
    },
    async (request) => core.mySessions.list(actorOf(request)),
  );

  app.delete(
    '/me/sessions/:sessionId',
    {
      onRequest: auth,
      schema: {
        operationId: 'revokeMySession',
        tags,
        summary: 'End one of your sessions',
        description:
          'Its refresh token stops working at once, and its access tokens at their next request. Ending the ' +
          'current session is signing out. Another user’s session, or one already ended: 404 SESSION_NOT_FOUND.',
        security: BEARER,
        params: SessionIdParams,
        response: { 204: { type: 'null' }, ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'SESSION_NOT_FOUND') },
      },
    },
    async (request, reply) => {
      await core.mySessions.revoke(actorOf(request), request.params.sessionId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/me/sessions/revoke-all',
    {
      onRequest: auth,
      preValidation: emptyBodyAsObject,
      schema: {
        operationId: 'revokeAllMySessions',
        tags,
        summary: 'End all your sessions (by default all but this one)',
        description:
          '`keepCurrent` (default true) keeps the session of this request; `forgetDevices` (default false) also ' +
          'forgets every remembered device, so each must pass the second factor again. Answers how many ended.',
        security: BEARER,
        body: RevokeSessionsBody,
        response: { 200: RevokedSessions, ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED') },
      },
    },
    async (request) => core.mySessions.revokeAll(actorOf(request), request.body),
  );
}
