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
        description: 'Counts only: the codes themselves are shown once, when made.',
        tags,
        summary: 'Whether you have backup codes, and how many are left',
        security: BEARER,
        response: { 200: BackupCodeStatus, ...errorResponses('TWO_FACTOR_REQUIRED') },
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
        description:
          'Get the success token from a challenge for regenerate_backup_codes. The old codes stop working; the new ones are shown only in this answer.',
        tags,
        summary: 'Replace your backup codes (needs a success token for regenerate_backup_codes)',
        security: BEARER,
        body: RegenerateBody,
        response: {
          200: BackupCodeSet,
          ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'BACKUP_CODES_NOT_ACTIVE', 'SUCCESS_TOKEN_INVALID'),
        },
      },
    },
    async (request) => core.backupCodes.regenerate(actorOf(request), request.body.successToken),
  );
}
