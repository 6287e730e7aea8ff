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
        summary: 'Change your password (re-authenticated by a success token or the current password)',
        description:
          'Confirm with a success token from a challenge for change_password, or with `currentPassword` and, when ' +
          'the account has 2FA, a current `code` of the authenticator app or a backup code (an account without an ' +
          'e-mail address or second factor uses its current password alone). Without either: 403 ' +
          'REAUTHENTICATION_REQUIRED; a wrong code: 422 CODE_INVALID. Every other session (and its refresh ' +
          'tokens) ends, remembered devices are forgotten, and the owner is told by e-mail how many.',
        security: BEARER,
        body: PasswordChangeBody,
        response: {
          204: { type: 'null' },
          ...errorResponses(
            'FORBIDDEN',
            'TWO_FACTOR_REQUIRED',
            'REAUTHENTICATION_REQUIRED',
            'INVALID_CREDENTIALS',
            'PASSWORD_THROTTLED',
            'SUCCESS_TOKEN_INVALID',
            'CODE_MALFORMED',
            'CODE_INVALID',
            'SECOND_FACTOR_LOCKED',
            'SECOND_FACTOR_SUSPENDED',
          ),
        },
      },
    },
    async (request, reply) => {
      const { newPassword, ...proof } = request.body;
      await core.passwords.change(actorOf(request), newPassword, proof);
      return reply.status(204).send(null);
    },
  );
}
