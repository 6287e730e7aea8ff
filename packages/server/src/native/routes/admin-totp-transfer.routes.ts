import { TotpExport, TotpImportBody, UserIdParams } from '@tessera/contract';
import type { Core } from '@tessera/core';
import { BEARER, errorResponses, type NativeApp } from '../native-app.js';
import { adminContext, requireAdminAuth } from './admin-access.js';

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
        tags,
        summary: "Export a user's TOTP key for migration (every export is recorded in the history)",
        security: BEARER,
        params: UserIdParams,
        response: { 200: TotpExport, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => core.admin.exportTotp(request.params.userId, adminContext(request)),
  );

  app.post(
    '/admin/users/:userId/2fa/totp/import',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminImportTotp',
        tags,
        summary: "Install a TOTP key from another system as the user's active authenticator",
        security: BEARER,
        params: UserIdParams,
        body: TotpImportBody,
        response: { 204: { type: 'null' }, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await core.admin.importTotp(request.params.userId, request.body, adminContext(request));
      return reply.status(204).send(null);
    },
  );
}
