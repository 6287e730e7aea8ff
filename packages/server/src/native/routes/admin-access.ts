import type { Core } from '@tessera/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireAdmin } from '../../http/authenticate.js';
import { principalOf, requireAuth } from '../native-app.js';

/**
 * The onRequest hook of the admin 2FA routes. The role is checked as soon as the caller is known:
 * a non-admin gets 403 before any validation.
 */
export function requireAdminAuth(core: Core) {
  const signedIn = requireAuth(core);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    await signedIn(request, reply);
    requireAdmin(principalOf(request));
  };
}

/** The change is the admin's. */
export function adminContext(request: FastifyRequest) {
  const principal = principalOf(request);
  requireAdmin(principal);
  return { actor: 'admin' as const, actorId: principal.userId, clientIp: request.ip };
}
