import { BackupCodeSet, BackupCodeStatus, RegenerateBody } from '@tessera/contract';
import type { Core } from '@tessera/core';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAuth } from '../native-app.js';

/** The signed-in user's backup codes. */
export function registerBackupCodeRoutes(app: NativeApp, core: Core): void {
  const auth = requireAuth(core);
  const tags = ['two-factor'];

  app.get(
    '/me/2fa/backup-codes',
    {
      onRequest: auth,
      schema: {
        operationId: 'getBackupCodeStatus',
        tags,
        summary: 'Whether you have backup codes, and how many are left',
        security: BEARER,
        response: { 200: BackupCodeStatus, ...errorResponses(401) },
      },
    },
    async (request) => core.backupCodes.status(actorOf(request)),
  );

  app.post(
    '/me/2fa/backup-codes/regenerate',
    {
      onRequest: auth,
      schema: {
        operationId: 'regenerateBackupCodes',
        tags,
        summary: 'Replace your backup codes (needs a success token for regenerate_backup_codes)',
        security: BEARER,
        body: RegenerateBody,
        response: { 200: BackupCodeSet, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) => core.backupCodes.regenerate(actorOf(request), request.body.successToken),
  );
}
