import { TwoFactorStatus } from '@tessera/contract';
import type { Core } from '@tessera/core';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAuth } from '../native-app.js';

/** The signed-in user's 2FA at a glance. */
export function registerTwoFactorStatusRoutes(app: NativeApp, core: Core): void {
  const auth = requireAuth(core);
  const tags = ['two-factor'];

  app.get(
    '/me/2fa',
    {
      onRequest: auth,
      schema: {
        operationId: 'getTwoFactorStatus',
        description:
          'Open even while the 2FA policy holds the account to enrollment, so a client can show what is required.',
        tags,
        summary: 'Your active methods, backup codes left, and where you stand against the 2FA policy',
        security: BEARER,
        response: { 200: TwoFactorStatus, ...errorResponses() },
      },
    },
    async (request) => core.factors.status(actorOf(request)),
  );
}
