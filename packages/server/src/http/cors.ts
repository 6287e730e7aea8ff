import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/**
 * Lets the pages of the listed origins call Tessera from a browser, with credentials: each origin
 * must match exactly (no wildcard can be combined with credentials, and a pattern would let a
 * look-alike domain in), and preflight requests are answered. With no origins nothing is added:
 * browsers then refuse cross-origin calls, which is the safe default for an authentication server.
 */
export async function installCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'accept', 'x-cpanel-otp', 'successtoken'],
    exposedHeaders: ['retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
    maxAge: 600,
  });
}
