import { AdminAuditQuery, AuditCheckpoints, AuditCheckpointsQuery, AuditPage } from '@tessera/contract';
import type { Core } from '@tessera/core';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAdminAuth } from '../native-app.js';

/** The audit trail: its listing for admins, and its signed checkpoints for anyone. */
export function registerAuditRoutes(app: NativeApp, core: Core): void {
  app.get(
    '/admin/audit',
    {
      onRequest: requireAdminAuth(core),
      schema: {
        operationId: 'adminListAudit',
        description:
          'Needs an admin token. The security events of the audit trail, newest first; filter by actorId, userId (the account an event is about), action and a time range (since inclusive, until exclusive). Page with `before` set to the previous page’s `next`.',
        tags: ['admin'],
        summary: 'The audit trail (filter by actor, account, action, time)',
        security: BEARER,
        querystring: AdminAuditQuery,
        response: { 200: AuditPage, ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED') },
      },
    },
    async (request) => {
      const { userId, since, until, ...rest } = request.query;
      return core.audit.list(actorOf(request), {
        ...rest,
        ...(userId ? { targetUserId: userId } : {}),
        ...(since ? { since: new Date(since) } : {}),
        ...(until ? { until: new Date(until) } : {}),
      });
    },
  );

  app.get(
    '/audit/checkpoints',
    {
      schema: {
        operationId: 'listAuditCheckpoints',
        description:
          'No credentials needed. The signed heads of the audit chain, newest first, and the Ed25519 public keys that sign them: keep a copy elsewhere and check it later with `tessera audit verify --from`.',
        tags: ['audit'],
        summary: 'Signed audit checkpoints and their public keys',
        querystring: AuditCheckpointsQuery,
        response: { 200: AuditCheckpoints, ...errorResponses() },
      },
    },
    async (request) => {
      const { keys, checkpoints } = await core.audit.published(request.query.limit ?? 20);
      // Ed25519 keys always have their type; the JWK type leaves it optional.
      return { keys: keys.map((key) => ({ ...key, kty: key.kty ?? 'OKP' })), checkpoints };
    },
  );
}
