import { type Actor, anonymousActor, type Core, TesseraError } from '@tessera/core';
import type { FastifyRequest } from 'fastify';
import {
  type AuthScheme,
  authenticate,
  authenticateCookieSession,
  CPANEL_SESSION_COOKIE,
  cookieValue,
  securityTokenInPath,
} from '../http/authenticate.js';
import '../http/request-actor.js';
import type { DialectApp } from './dialect.js';

/** The path parameter of a route served again under a cPanel session's prefix. */
export const SESSION_PREFIX_PARAM = 'cpsess';
/** The prefix of a cPanel session's routes: `/cpsess<10 digits>` (checked when authenticating). */
export const SESSION_PREFIX = `/:${SESSION_PREFIX_PARAM}`;

/**
 * Every route of this context needs a caller, in one of `schemes`; routes read it with actorOf.
 * A route under SESSION_PREFIX takes the cPanel session's cookie; without a cookie, a request
 * that brings its own credentials (scripts such as the `cpanel-api` client keep the prefix their
 * login was redirected to and send HTTP Basic, with no cookie jar) is authenticated by them, as
 * the same call without the prefix is: the prefix then proves nothing and grants nothing.
 */
export function requireCaller(app: DialectApp, core: Core, schemes: readonly AuthScheme[]): void {
  app.addHook('onRequest', async (request) => {
    const params = request.params;
    const underSession = typeof params === 'object' && params !== null && SESSION_PREFIX_PARAM in params;
    const byHeader =
      underSession &&
      request.headers.authorization !== undefined &&
      cookieValue(request.headers.cookie, CPANEL_SESSION_COOKIE) === undefined;
    if (byHeader && securityTokenInPath(request.url) === undefined) throw new TesseraError('ROUTE_NOT_FOUND');
    request.actor =
      underSession && !byHeader
        ? await authenticateCookieSession(core, request)
        : await authenticate(core, request, schemes);
  });
}

/** The caller of a route behind requireCaller. */
export function callerOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error('the route is missing requireCaller');
  return request.actor;
}

/** Someone not signed in (a login route), known by address only. */
export function anonymousCaller(request: FastifyRequest): Actor {
  return anonymousActor(request.ip, request.headers['user-agent']);
}
