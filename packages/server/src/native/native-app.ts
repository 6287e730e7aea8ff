import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '@tessera/contract';
import type { ChangeContext, Core } from '@tessera/core';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { authenticate } from '../http/authenticate.js';
import type { Principal } from '../http/principal.js';

export type NativeApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Response schemas for the error statuses a route can produce (all share one body). */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorBody]));
}

/** An onRequest hook that requires a valid access or API token and records the caller. */
export function requireAuth(core: Core) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    request.principal = await authenticate(core, request);
    await enforceTwoFactorPolicy(core, request, request.principal);
  };
}

/** Route config flag: reachable by a signed-in user who must still enroll a second factor. */
interface NativeRouteConfig {
  allowWithoutSecondFactor?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    allowWithoutSecondFactor?: boolean;
  }
}

export const ENROLLMENT_ROUTE: { config: NativeRouteConfig } = { config: { allowWithoutSecondFactor: true } };

/** Everything but enrollment waits for a second factor when the policy requires one. */
async function enforceTwoFactorPolicy(core: Core, request: FastifyRequest, principal: Principal): Promise<void> {
  if (principal.via !== 'access_token' || request.routeOptions.config.allowWithoutSecondFactor) return;
  await core.policy.assertSatisfiedBy(principal.userId);
}

/** The caller, for routes behind requireAuth. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route is missing requireAuth');
  return request.principal;
}

export const BEARER = [{ bearer: [] }];

/**
 * For routes whose whole body is optional (every field has a default): an empty request is
 * validated as `{}`, so `curl -X POST` without `-d` works and the handler always sees an object.
 */
export async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}

/** The actor and address a change to one's own account is recorded with (an admin acting on themself is "self"). */
export function selfContext(request: FastifyRequest): ChangeContext {
  return { actor: 'self', actorId: principalOf(request).userId, clientIp: request.ip };
}
