import type { Actor } from '@tessera/core';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, set by the authentication hook of routes that need one. */
    actor: Actor | null;
  }
}
