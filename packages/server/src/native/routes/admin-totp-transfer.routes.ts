import { TotpExport, TotpImportBody, UserIdParams } from '@tessera/contract';
import type { Core } from '@tessera/core';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAdminAuth } from '../native-app.js';

/** Admin: moving a user's TOTP key out of or into Tessera. */
export function registerAdminTotpTransferRoutes(app: NativeApp, core: Core): void {
  const auth = requireAdminAuth(core);
  const tags = ['admin'];

  app.post(
    '/admin/users/:userId/2fa/totp/export',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminExportTotp',
        description:
          "Needs an admin token. The key in clear, to move the user's authenticator to another system: handle the answer as a secret. Recorded in the history.",
        tags,
        summary: "Export a user's TOTP key for migration (every export is recorded in the history)",
        security: BEARER,
        params: UserIdParams,
        response: {
          200: TotpExport,
          ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'USER_NOT_FOUND', 'METHOD_NOT_ACTIVE'),
        },
      },
    },
    async (request) => core.admin.exportTotp(actorOf(request), request.params.userId),
  );

  app.post(
    '/admin/users/:userId/2fa/totp/import',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminImportTotp',
        description:
          "Needs an admin token. Installs the key as the user's authenticator; the user's app keeps working with the same key. " +
          'A user who already has one answers 409 FACTOR_ALREADY_ACTIVE unless `replace` is true, which removes it in the ' +
          'same transaction (for migrations run again). Recorded in the history.',
        tags,
        summary: "Install a TOTP key from another system as the user's active authenticator",
        security: BEARER,
        params: UserIdParams,
        body: TotpImportBody,
        response: {
          204: { type: 'null' },
          ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'USER_NOT_FOUND', 'FACTOR_ALREADY_ACTIVE'),
        },
      },
    },
    async (request, reply) => {
      await core.admin.importTotp(actorOf(request), request.params.userId, request.body);
      return reply.status(204).send(null);
    },
  );
}
