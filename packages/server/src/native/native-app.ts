import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type Actor, anonymousActor, type Core } from '@tessera/core';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { type AuthScheme, authenticate } from '../http/authenticate.js';
import '../http/request-actor.js';

export type NativeApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export { errorResponses } from './declared-errors.js';

/** The schemes of the native API: a JWT access token or an API token, as a Bearer token. */
export const NATIVE_SCHEMES: readonly AuthScheme[] = ['bearer'];

/** An onRequest hook that requires a valid access or API token and records who is calling. */
export function requireAuth(core: Core) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    request.actor = await authenticate(core, request, NATIVE_SCHEMES);
  };
}

/** As requireAuth, and the caller must be an admin: refused before the request is even validated. */
export function requireAdminAuth(core: Core) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const actor = await authenticate(core, request, NATIVE_SCHEMES);
    request.actor = actor;
    await core.authorizer.admin(actor, 'admin.read');
  };
}

/** The caller: the signed-in actor for routes behind requireAuth, someone anonymous otherwise. */
export function actorOf(request: FastifyRequest): Actor {
  return request.actor ?? anonymousActor(request.ip, request.headers['user-agent']);
}

export const BEARER = [{ bearer: [] }];

/**
 * For routes whose whole body is optional (every field has a default): an empty request is
 * validated as `{}`, so `curl -X POST` without `-d` works and the handler always sees an object.
 */
export async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}
