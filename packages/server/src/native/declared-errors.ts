import { ErrorBody, type ErrorCode } from '@tessera/contract';
import { NATIVE_STATUS } from './native-status.js';

/**
 * The error codes a native route can answer, declared beside its response schemas: the API
 * document shows one example for each, and an answer with a code its route did not declare is
 * logged as a gap in the declaration. Some codes follow from the route's shape and are added here
 * once rather than on every route (see `impliedCodes`).
 */

/** The key, on an error status's response schema, that lists the codes the route declares for it. */
export const DECLARED_CODES = 'x-error-codes';

/** The log message of an answer with a code its route does not declare. */
export const UNDECLARED_ERROR_CODE = 'error code not declared by its route';

type ResponseSchemas = Readonly<Record<string, unknown>>;

/** What of a route's schema says which errors it can answer. */
export interface RouteErrorShape {
  body?: unknown;
  params?: unknown;
  querystring?: unknown;
  security?: readonly unknown[];
  response?: unknown;
  /** The HTTP method: every method but GET and HEAD may carry a body to parse. */
  method?: string | readonly string[];
}

const BODILESS_METHODS = new Set(['GET', 'HEAD']);

/**
 * Response schemas for the errors a route can answer, one per status, each carrying its codes:
 * `errorResponses('FACTOR_ALREADY_ACTIVE', 'DELIVERY_FAILED')`. A bare status (`409`) is taken
 * for a route whose codes are not declared yet: the document test refuses it.
 */
export function errorResponses(...declared: (ErrorCode | number)[]): Record<number, typeof ErrorBody> {
  const byStatus = new Map<number, ErrorCode[]>();
  const bare = new Set<number>();
  for (const item of declared) {
    if (typeof item === 'number') {
      bare.add(item);
      continue;
    }
    const status = NATIVE_STATUS[item];
    byStatus.set(status, [...(byStatus.get(status) ?? []), item]);
  }
  const responses: Record<number, typeof ErrorBody> = {};
  for (const status of bare) responses[status] = ErrorBody;
  for (const [status, codes] of byStatus) {
    const declaring: typeof ErrorBody & { [DECLARED_CODES]: readonly ErrorCode[] } = {
      ...ErrorBody,
      [DECLARED_CODES]: codes,
    };
    responses[status] = declaring;
  }
  return responses;
}

/** The codes a response schema declares, or undefined for a plain ErrorBody (a bare status). */
export function declaredOn(schema: unknown): readonly ErrorCode[] | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const codes = (schema as Record<string, unknown>)[DECLARED_CODES];
  return Array.isArray(codes) ? (codes as ErrorCode[]) : undefined;
}

/**
 * Codes every route of a shape can answer, whatever it does: a request that is not valid (any
 * route with a path, query or body schema, or a method that takes a body), a body that is not
 * JSON or too large, a missing or
 * dead token (routes that need one), the per-address rate limit, and a database or Redis out of
 * reach or a database that cannot take writes.
 */
export function impliedCodes(route: RouteErrorShape): ErrorCode[] {
  const codes: ErrorCode[] = [];
  const methods = route.method === undefined ? [] : [route.method].flat();
  const parsesBody = route.body !== undefined || methods.some((method) => !BODILESS_METHODS.has(method.toUpperCase()));
  if (parsesBody || route.params !== undefined || route.querystring !== undefined) codes.push('VALIDATION_FAILED');
  if (parsesBody) codes.push('MALFORMED_JSON', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  if (route.security !== undefined && route.security.length > 0) {
    codes.push('UNAUTHENTICATED', 'TOKEN_INVALID', 'ACCOUNT_DISABLED');
  }
  // Any route may write (a session's last use, a lockout), so any may meet a database that cannot.
  codes.push('RATE_LIMITED', 'DATABASE_UNAVAILABLE', 'STORAGE_UNWRITABLE', 'RATE_LIMITS_UNAVAILABLE');
  return codes;
}

/** Every code a route declares (and, unless told not to, implies), by status, in declaration order. */
export function routeErrorCodes(route: RouteErrorShape, options: { implied?: boolean } = {}): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  const add = (code: ErrorCode) => {
    const status = NATIVE_STATUS[code];
    const list = byStatus.get(status) ?? [];
    if (!list.includes(code)) byStatus.set(status, [...list, code]);
  };
  for (const [status, schema] of Object.entries((route.response ?? {}) as ResponseSchemas)) {
    if (status.startsWith('2')) continue;
    for (const code of declaredOn(schema) ?? []) add(code);
  }
  if (options.implied !== false) for (const code of impliedCodes(route)) add(code);
  return byStatus;
}

/**
 * Whether a route declares (or implies) a code. A route without a schema, or with a bare status
 * for the code's status, declares nothing to check against.
 */
export function routeDeclares(route: RouteErrorShape | undefined, code: ErrorCode): boolean {
  if (route === undefined) return true;
  const bare = ((route.response ?? {}) as ResponseSchemas)[String(NATIVE_STATUS[code])];
  if (bare !== undefined && declaredOn(bare) === undefined) return true;
  return [...routeErrorCodes(route).values()].some((codes) => codes.includes(code));
}
