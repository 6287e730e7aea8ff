import { TwoFactorStatus } from '@tessera/contract';
import type { Core } from '@tessera/core';
import { BEARER, ENROLLMENT_ROUTE, errorResponses, type NativeApp, principalOf, requireAuth } from '../native-app.js';

/** The signed-in user's 2FA at a glance. */
export function registerTwoFactorStatusRoutes(app: NativeApp, core: Core): void {
  const auth = requireAuth(core);
  const tags = ['two-factor'];

  app.get(
    '/me/2fa',
    {
      ...ENROLLMENT_ROUTE,
      onRequest: auth,
      schema: {
        operationId: 'getTwoFactorStatus',
        tags,
        summary: 'Your active methods, backup codes left, and where you stand against the 2FA policy',
        security: BEARER,
        response: { 200: TwoFactorStatus, ...errorResponses(401) },
      },
    },
    async (request) => {
      const { userId } = principalOf(request);
      const methods = (await core.factors.list(userId)).filter((f) => f.status === 'active').map((f) => f.kind);
      const backup = await core.backupCodes.status(userId);
      const requirement = core.policy.requirementFor(await core.policy.get(), methods.length > 0);
      return { methods, backupCodesRemaining: backup.remaining, requirement };
    },
  );
}
