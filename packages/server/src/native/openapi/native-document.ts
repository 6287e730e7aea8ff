import * as contract from '@tessera/contract';
import { ERROR_CODES, ERROR_TABLE_DOC, ErrorBody, type ErrorCode } from '@tessera/contract';
import type { FastifySchema } from 'fastify';
import { declaredOn, type RouteErrorShape, routeErrorCodes } from '../declared-errors.js';
import { OPERATION_DOCS } from './operation-docs.js';

type JsonObject = Record<string, unknown>;

/** The routes outside /api/v1 that the native document describes. */
const DOCUMENTED_OUTSIDE_API = new Set(['/health', '/ready', '/.well-known/jwks.json']);

const SCHEMA_PREFIX = '#/components/schemas/';

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSchema(value: unknown): value is JsonObject {
  return isObject(value) && ['type', 'anyOf', 'allOf', 'oneOf', 'enum', 'const'].some((key) => key in value);
}

/**
 * Every schema the contract exports, by identity, with its export name: the name it has under
 * components.schemas. A schema used in a route is found by identity, so nothing is matched by
 * shape, and a schema nobody exports stays inline.
 */
const SCHEMA_NAMES = new Map<object, string>(
  Object.entries(contract as Record<string, unknown>).flatMap(([name, value]) =>
    isSchema(value) ? [[value, name] as const] : [],
  ),
);
const KNOWN_NAMES = new Set(SCHEMA_NAMES.values());

/** A copy of a route's schema in which every contract schema carries its name as `title`. */
function titled(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(titled);
  if (!isObject(value)) return value;
  const copy = Object.fromEntries(Object.entries(value).map(([key, item]) => [key, titled(item)]));
  const name = SCHEMA_NAMES.get(value);
  return name === undefined ? copy : { ...copy, title: name };
}

/** What an error status means on any native route (the codes themselves are in docs/errors.md). */
const ERROR_MEANINGS: Readonly<Record<number, string>> = {
  400: 'The request is not valid: a field is missing, malformed or unknown.',
  401: 'Not authenticated: no token, a token that is not valid, or a wrong password or code where one proves who you are.',
  403: 'Authenticated, but not allowed: a role, scope, policy or success token is missing.',
  404: 'No such resource (or not yours).',
  409: 'Conflicts with the current state: already active, not active, already finished.',
  410: 'Expired: start again.',
  405: 'The path does not take this HTTP method: the Allow header lists the ones it takes.',
  413: 'The body is larger than 16 KiB.',
  415: 'The body is not JSON.',
  422: 'Understood but refused.',
  423: 'Suspended: an admin must unlock the second factor.',
  429: 'Too many attempts or requests: see retryAt, lockedUntil or Retry-After.',
  502: 'The code could not be sent: the SMS or e-mail provider failed.',
  503: 'Unavailable for now: the database does not answer, cannot take writes or is not migrated, or the rate-limit counts are out of reach. Retry-After says when to try again.',
};

/** What an example of a code carries beside its code and message, where the code always has more. */
const EXAMPLE_EXTRAS: Partial<Record<ErrorCode, JsonObject>> = {
  SECOND_FACTOR_LOCKED: { lockedUntil: '2026-01-15T09:31:00.000Z' },
  PASSWORD_THROTTLED: { retryAt: '2026-01-15T09:40:00.000Z' },
  RESEND_TOO_SOON: { retryAt: '2026-01-15T09:31:00.000Z' },
  DATABASE_UNAVAILABLE: { retryAt: '2026-01-15T09:30:05.000Z' },
  RATE_LIMITS_UNAVAILABLE: { retryAt: '2026-01-15T09:30:05.000Z' },
  RATE_LIMITED: { details: ['group=other', 'setting=TESSERA_RATE_LIMIT_OTHER_PER_MINUTE'] },
};

/** One named example per code the route can answer with this status (OpenAPI's `examples` map). */
function codeExamples(codes: readonly ErrorCode[]): Record<string, { summary: string; value: unknown }> {
  return Object.fromEntries(
    codes.map((code) => [
      code,
      { summary: ERROR_CODES[code], value: { error: { code, message: ERROR_CODES[code], ...EXAMPLE_EXTRAS[code] } } },
    ]),
  );
}

function errorResponse(status: number, codes: readonly ErrorCode[], example?: unknown): JsonObject {
  const named = codes.length > 0 ? ` On this operation: ${codes.map((code) => `\`${code}\``).join(', ')}.` : '';
  return {
    ...(titled(ErrorBody) as JsonObject),
    'x-response-description': `${ERROR_MEANINGS[status] ?? 'An error.'}${named} Every code: ${ERROR_TABLE_DOC}.`,
    ...(example !== undefined ? { examples: [example] } : { 'x-examples': codeExamples(codes) }),
  };
}

/** @fastify/swagger's per-route `transform`: names the schemas and adds the route's examples. */
export function documentRoute({
  schema,
  url,
  route,
}: {
  schema: FastifySchema;
  url: string;
  route?: { method?: string | string[] };
}): {
  schema: FastifySchema;
  url: string;
} {
  if (!schema || !(url.startsWith('/api/v1') || DOCUMENTED_OUTSIDE_API.has(url))) return { schema, url };
  const declared = schema as FastifySchema & RouteErrorShape & { operationId?: string };
  const responses = (declared.response ?? {}) as Record<string, JsonObject>;
  // The routes outside /api/v1 (health, readiness, keys) answer only what they declare.
  const codes = routeErrorCodes(
    { ...declared, ...(route?.method === undefined ? {} : { method: route.method }) },
    { implied: url.startsWith('/api/v1') },
  );
  // An error status whose body is not the error shape (readiness's 503) keeps its own schema.
  const ownShapes = Object.fromEntries(
    Object.entries(responses).filter(
      ([status, body]) => status.startsWith('2') || (body !== (ErrorBody as object) && declaredOn(body) === undefined),
    ),
  );
  const named = titled({ ...declared, response: ownShapes }) as FastifySchema & {
    operationId?: string;
    response?: Record<string, JsonObject>;
  };
  const docs = named.operationId === undefined ? undefined : OPERATION_DOCS[named.operationId];
  const response: Record<string, JsonObject> = {};
  const errorStatuses = new Set([
    ...Object.keys(responses).filter((status) => !status.startsWith('2') && !(status in ownShapes)),
    ...[...codes.keys()].map(String),
  ]);
  for (const status of [...errorStatuses].sort()) {
    response[status] = errorResponse(Number(status), codes.get(Number(status)) ?? [], docs?.errors?.[Number(status)]);
  }
  for (const [status, body] of Object.entries(named.response ?? {})) {
    if (!status.startsWith('2')) {
      const example = docs?.errors?.[Number(status)];
      response[status] = {
        ...body,
        'x-response-description': ERROR_MEANINGS[Number(status)] ?? 'An error.',
        ...(example === undefined ? {} : { examples: [example] }),
      };
    } else if (docs) {
      const example = 'response' in docs && body.type !== 'null' ? { examples: [docs.response] } : {};
      response[status] = { ...body, 'x-response-description': docs.ok, ...example };
    } else {
      response[status] = body;
    }
  }
  const body =
    docs && 'request' in docs && isObject(named.body) ? { ...named.body, examples: [docs.request] } : named.body;
  return { schema: { ...named, ...(body ? { body } : {}), response }, url };
}

/** `anyOf` of single-value enums of one type (TypeBox's union of literals) as the one `enum` it means. */
function collapseEnum(schema: JsonObject): JsonObject {
  const options = schema.anyOf;
  if (!Array.isArray(options) || options.length === 0) return schema;
  const single = options.every(
    (option) =>
      isObject(option) &&
      Array.isArray(option.enum) &&
      option.enum.length === 1 &&
      Object.keys(option).every((key) => key === 'type' || key === 'enum') &&
      option.type === (options[0] as JsonObject).type,
  );
  if (!single) return schema;
  const { anyOf: _anyOf, ...rest } = schema;
  return {
    type: (options[0] as JsonObject).type,
    enum: options.map((option) => ((option as JsonObject).enum as unknown[])[0]),
    ...rest,
  };
}

/** Keys whose values are data (examples), not schemas: never rewritten. */
const DATA_KEYS = new Set(['example', 'examples']);

/**
 * Two uses of one named schema may differ only by what the generator dropped from one of them
 * (a description, say); anything else is a contradiction in the document.
 */
function merge(name: string, a: JsonObject, b: JsonObject): JsonObject {
  const [small, large] = Object.keys(a).length <= Object.keys(b).length ? [a, b] : [b, a];
  for (const [key, value] of Object.entries(small)) {
    if (JSON.stringify(value) !== JSON.stringify(large[key])) {
      throw new Error(`OpenAPI: the schema ${name} appears in two different forms (at "${key}")`);
    }
  }
  return large;
}

/**
 * @fastify/swagger's `transformObject`: enums as `enum`, and every named schema moved to
 * components.schemas and referenced from where it was used.
 */
export function finishDocument({ openapiObject }: { openapiObject: Partial<JsonObject> }): JsonObject {
  const components: Record<string, JsonObject> = {};
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!isObject(value)) return value;
    const entries = Object.entries(value).map(([key, item]) => [key, DATA_KEYS.has(key) ? item : rewrite(item)]);
    const schema = collapseEnum(Object.fromEntries(entries) as JsonObject);
    const name = schema.title;
    if (typeof name !== 'string' || !KNOWN_NAMES.has(name)) return schema;
    const { example: _example, examples: _examples, ...definition } = schema;
    components[name] = components[name] ? merge(name, components[name], definition) : definition;
    return { $ref: `${SCHEMA_PREFIX}${name}` };
  };
  const paths = rewrite(openapiObject.paths);
  const existing = isObject(openapiObject.components) ? openapiObject.components : {};
  const sorted = Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b)));
  return {
    ...openapiObject,
    components: { ...existing, schemas: { ...(existing.schemas as JsonObject | undefined), ...sorted } },
    paths,
  };
}
