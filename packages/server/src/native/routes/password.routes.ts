import { PasswordChangeBody } from '@tessera/contract';
import type { Core } from '@tessera/core';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAuth } from '../native-app.js';

/** Changing the signed-in user's password. */
export function registerPasswordRoutes(app: NativeApp, core: Core): void {
  const auth = requireAuth(core);
  const tags = ['two-factor'];

  app.post(
    '/me/password',
    {
      onRequest: auth,
      schema: {
        operationId: 'changePassword',
        tags,
        summary: 'Change your password (needs a success token for change_password)',
        description: 'Remembered devices are forgotten.',
        security: BEARER,
        body: PasswordChangeBody,
        response: { 204: { type: 'null' }, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      await core.passwords.change(actorOf(request), request.body.newPassword, request.body.successToken);
      return reply.status(204).send(null);
    },
  );
}
