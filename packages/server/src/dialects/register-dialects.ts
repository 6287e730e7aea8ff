import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type Core, type DialectName, TesseraError } from '@tessera/core';
import type { FastifyInstance } from 'fastify';
import { b2coreDialect } from './b2core/b2core.plugin.js';
import { registerCpanelLogin, registerCpanelLogout, registerCpanelSessionHome } from './cpanel-login.js';
import type { Dialect, DialectOptions } from './dialect.js';
import { mudbaseDialect } from './mudbase/mudbase.plugin.js';
import { type DescribedRoute, describedRoute, openApiDocument } from './openapi-document.js';
import { twilioDialect } from './twilio/twilio.plugin.js';
import { uapiDialect } from './uapi/uapi.plugin.js';
import { vpsbgDialect } from './vpsbg/vpsbg.plugin.js';
import { whmDialect } from './whm/whm.plugin.js';

export const DIALECTS: Record<DialectName, Dialect> = {
  vpsbg: vpsbgDialect,
  mudbase: mudbaseDialect,
  whm: whmDialect,
  uapi: uapiDialect,
  b2core: b2coreDialect,
  twilio: twilioDialect,
};

const CATCH_ALL = '/*';

function isCatchAll(url: string): boolean {
  return url.endsWith(CATCH_ALL);
}

/**
 * Any path under `prefix` that no route of the dialect serves, by any method, answers
 * ROUTE_NOT_FOUND through the dialect's own error handler (the router prefers every real route
 * to the wildcard), so a client of the vendor's API gets the vendor's error shape.
 */
function claimPrefix(app: FastifyInstance, prefix: string): void {
  app.all(`${prefix}${CATCH_ALL}`, { schema: { hide: true } }, async (request) => {
    throw new TesseraError('ROUTE_NOT_FOUND', { message: `No route ${request.method} ${request.url.split('?')[0]}.` });
  });
}

/** Where /docs finds each dialect's document. */
export function dialectDocumentUrl(name: DialectName): string {
  return `/openapi/${name}.json`;
}

/**
 * Mounts the chosen dialects, each in its own encapsulation context (its own error handler and
 * credentials), and serves each one's OpenAPI document. Their routes stay out of the native
 * document (`/openapi.json`).
 */
export async function registerDialects(
  app: FastifyInstance,
  core: Core,
  names: readonly DialectName[],
  options: DialectOptions,
): Promise<void> {
  for (const name of names) {
    const dialect = DIALECTS[name];
    const routes: DescribedRoute[] = [];
    await app.register(async (scoped) => {
      scoped.addHook('onRoute', (route) => {
        if (!isCatchAll(route.url)) routes.push(...describedRoute(route));
        route.schema = { ...route.schema, hide: true };
      });
      await dialect.register(scoped.withTypeProvider<TypeBoxTypeProvider>(), core, options);
      for (const prefix of dialect.prefixes) claimPrefix(scoped, prefix);
    });
    app.get(dialectDocumentUrl(name), { schema: { hide: true } }, async () => openApiDocument(dialect, routes));
  }
  // cPanel's `/login` serves WHM and UAPI alike: once, in a context of its own.
  if (names.includes('whm') || names.includes('uapi')) {
    await app.register(async (scoped) => {
      scoped.addHook('onRoute', (route) => {
        route.schema = { ...route.schema, hide: true };
      });
      await registerCpanelLogin(scoped.withTypeProvider<TypeBoxTypeProvider>(), core);
      await registerCpanelLogout(scoped.withTypeProvider<TypeBoxTypeProvider>(), core);
      await registerCpanelSessionHome(scoped.withTypeProvider<TypeBoxTypeProvider>(), core);
    });
  }
}
