import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type Core, DIALECT_NAMES, type DialectName } from '@tessera/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { dialectDocumentUrl, registerDialects } from './dialects/register-dialects.js';
import { useStrictJsonBodyParser } from './http/json-body-parser.js';
import { validatorCompiler } from './http/validators.js';
import { NATIVE_PREFIX, nativeApiPlugin } from './native/native.plugin.js';
import { installNativeErrorHandling, nativeClientErrorHandler, nativeFrameworkErrors } from './native/native-errors.js';

export interface BuildAppOptions {
  core: Core;
  /** A pino logger (see http/logging.ts); the same one the core logs to. */
  logger: FastifyBaseLogger;
  /** Trust X-Forwarded-For from a reverse proxy. @default false */
  trustProxy?: boolean;
  /** The vendor API shapes to serve beside the native API. @default all of them */
  dialects?: readonly DialectName[];
}

/** Requests beyond this are refused (413): every legitimate body is a few hundred bytes. */
const BODY_LIMIT_BYTES = 16 * 1024;

/** Builds the HTTP app without listening, so tests drive it through inject(). */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: options.trustProxy ?? false,
    // Errors found before a route is chosen answer in the native error shape too.
    frameworkErrors: nativeFrameworkErrors,
    clientErrorHandler: nativeClientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  installNativeErrorHandling(app);
  useStrictJsonBodyParser(app);
  // Every API here speaks JSON; a text body is refused (415) rather than parsed as a string.
  app.removeContentTypeParser('text/plain');

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tessera',
        version: '0.1.0',
        description:
          'Self-hosted two-factor authentication. Errors are always `{"error":{"code","message"}}` with a stable code.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  const dialects = options.dialects ?? DIALECT_NAMES;
  // /docs offers the native document and each dialect's, to choose from.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: {
      urls: [
        { url: '/openapi.json', name: 'Tessera (native API)' },
        ...dialects.map((name) => ({ url: dialectDocumentUrl(name), name: `${name} dialect` })),
      ],
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  await app.register(nativeApiPlugin(options.core), { prefix: NATIVE_PREFIX });
  await registerDialects(app, options.core, dialects);
  return app;
}
