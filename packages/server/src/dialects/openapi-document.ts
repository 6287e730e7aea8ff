import type { RouteOptions } from 'fastify';
import type { Dialect } from './dialect.js';

type JsonSchema = Record<string, unknown>;

interface RouteSchema {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  body?: JsonSchema;
  querystring?: JsonSchema;
  params?: JsonSchema;
  headers?: JsonSchema;
  response?: Record<string, JsonSchema & { description?: string }>;
  /** Examples for the document: the request body, query parameters, and answers by status. */
  'x-examples'?: OperationExamples;
}

/**
 * An operation's examples, as a route declares them in its schema (`'x-examples'`). An error
 * status without one of its own gets the dialect's rendering of such an error (Dialect.errorExample).
 */
export interface OperationExamples {
  request?: unknown;
  query?: Record<string, string | number>;
  responses?: Record<number, unknown>;
}

/** A route as the dialect registered it: enough to describe it. */
export interface DescribedRoute {
  method: string;
  url: string;
  schema: RouteSchema;
}

/** Collects a context's routes as they are added (an onRoute hook), for its OpenAPI document. */
export function describedRoute(route: RouteOptions): DescribedRoute[] {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  return methods
    .filter((method) => method !== 'HEAD')
    .map((method) => ({ method: method.toLowerCase(), url: route.url, schema: (route.schema ?? {}) as RouteSchema }));
}

/**
 * A dialect's own OpenAPI 3.1 document, built from its routes' schemas. @fastify/swagger makes
 * one document per application; each dialect needs its own, and TypeBox schemas are JSON Schema
 * already, which OpenAPI 3.1 takes as they are.
 */
export function openApiDocument(dialect: Dialect, routes: readonly DescribedRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method] = operation(route.schema, dialect);
  }
  return {
    openapi: '3.1.0',
    info: { title: dialect.title, version: '0.1.0', description: dialect.description },
    components: { securitySchemes: dialect.securitySchemes },
    paths,
  };
}

function operation(schema: RouteSchema, dialect: Dialect): Record<string, unknown> {
  const doc = schema.operationId ? dialect.operationDocs?.[schema.operationId] : undefined;
  const examples = schema['x-examples'] ?? doc ?? {};
  const description = schema.description ?? doc?.description;
  const parameters = [
    ...parametersOf(schema.params, 'path'),
    ...parametersOf(schema.querystring, 'query', examples.query),
    ...parametersOf(schema.headers, 'header'),
  ];
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(schema.response ?? {})) {
    const { description, ...body } = response;
    const empty = body.type === 'null';
    const example = examples.responses?.[Number(status)] ?? dialect.errorExample?.(Number(status));
    responses[status] = {
      description: description ?? (empty ? 'No content' : 'Response'),
      ...(empty
        ? {}
        : {
            content: {
              'application/json': { schema: plain(body), ...(example === undefined ? {} : { example }) },
            },
          }),
    };
  }
  return {
    ...(schema.operationId ? { operationId: schema.operationId } : {}),
    ...(schema.summary ? { summary: schema.summary } : {}),
    ...(description ? { description } : {}),
    ...(schema.tags ? { tags: schema.tags } : {}),
    ...(schema.security ? { security: schema.security } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(schema.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: plain(schema.body),
                ...(examples.request === undefined ? {} : { example: examples.request }),
              },
            },
          },
        }
      : {}),
    responses,
  };
}

function parametersOf(
  schema: JsonSchema | undefined,
  where: 'path' | 'query' | 'header',
  examples: Record<string, string | number> = {},
): unknown[] {
  const properties = (schema?.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema?.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: plain(property),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    ...(examples[name] === undefined ? {} : { example: examples[name] }),
  }));
}

/** The JSON Schema without TypeBox's symbol-keyed bookkeeping. */
function plain(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

declare module 'fastify' {
  interface FastifySchema {
    /** A dialect operation's examples for its OpenAPI document (openapi-document.ts). */
    'x-examples'?: OperationExamples;
  }
}
