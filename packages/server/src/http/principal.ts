import type { Role } from '@tessera/core';

/** Who is calling: a user through an access token, or through an API token. */
export interface Principal {
  userId: string;
  role: Role;
  via: 'access_token' | 'api_token';
  /** Set for access tokens: the session family that signing out revokes. */
  sessionId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}
