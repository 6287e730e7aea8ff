import { type Actor, anonymousActor, type Core } from '@tessera/core';
import type { FastifyRequest } from 'fastify';
import { type AuthScheme, authenticate } from '../http/authenticate.js';
import '../http/request-actor.js';
import type { DialectApp } from './dialect.js';

/** Every route of this context needs a caller, in one of `schemes`; routes read it with actorOf. */
export function requireCaller(app: DialectApp, core: Core, schemes: readonly AuthScheme[]): void {
  app.addHook('onRequest', async (request) => {
    request.actor = await authenticate(core, request, schemes);
  });
}

/** The caller of a route behind requireCaller. */
export function callerOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error('the route is missing requireCaller');
  return request.actor;
}

/** Someone not signed in (a login route), known by address only. */
export function anonymousCaller(request: FastifyRequest): Actor {
  return anonymousActor(request.ip);
}
