import type { Core } from '@tessera/core';
import { TesseraError } from '@tessera/core';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal.js';

const API_TOKEN_PREFIX = 'tsa_';

/**
 * Reads `Authorization: Bearer <token>`: an API token (opaque, `tsa_…`) or a JWT access token.
 * Throws UNAUTHENTICATED when there is none and TOKEN_INVALID when it does not check out.
 */
export async function authenticate(core: Core, request: FastifyRequest): Promise<Principal> {
  const header = request.headers.authorization;
  if (!header) throw new TesseraError('UNAUTHENTICATED');
  const match = /^Bearer +(\S+)$/i.exec(header);
  if (!match?.[1]) throw new TesseraError('UNAUTHENTICATED', { message: 'Use "Authorization: Bearer <token>".' });
  const token = match[1];
  if (token.startsWith(API_TOKEN_PREFIX)) {
    const user = await core.apiTokens.authenticate(token);
    return { userId: user.id, role: user.role, via: 'api_token' };
  }
  const claims = await core.sessions.verifyAccessToken(token);
  return { userId: claims.userId, role: claims.role, via: 'access_token', sessionId: claims.sessionId };
}

export function requireAdmin(principal: Principal): void {
  if (principal.role !== 'admin') throw new TesseraError('FORBIDDEN', { message: 'This needs an admin token.' });
}
