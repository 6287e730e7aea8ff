import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

/*
 * Fastify compiles every route's request validators and response serializers when the app
 * starts: here some hundreds of routes over the native API and four dialects, most of which a
 * given deployment never calls, and the bulk of the time from start to first answer. These
 * compile each one on its first use instead; the first request of a route pays for it once.
 */

/** A function standing for `compile()`'s result, compiled on its first call. */
export function compiledOnFirstUse<F extends (...args: never[]) => unknown>(compile: () => F): F {
  let compiled: F | undefined;
  return ((...args: Parameters<F>) => {
    compiled ??= compile();
    return compiled(...args);
  }) as F;
}

type SerializerCompiler = (routeSchema: object) => (data: unknown) => string;
type SerializerBuilder = (externalSchemas: unknown, options: unknown) => SerializerCompiler;

/**
 * Fastify's own serializer compiler (fast-json-stringify), loaded the way Fastify loads it, each
 * route's serializer built on its first answer. Pass as Fastify's `schemaController`.
 */
export function lazySerializers(): NonNullable<FastifyServerOptions['schemaController']> {
  const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
  const defaultBuilder = fromFastify('@fastify/fast-json-stringify-compiler') as () => SerializerBuilder;
  const build = defaultBuilder();
  return {
    compilersFactory: {
      buildSerializer: (externalSchemas: unknown, options: unknown) => {
        const compiler = build(externalSchemas, options);
        return (routeSchema: object) => compiledOnFirstUse(() => compiler(routeSchema));
      },
    },
  };
}
