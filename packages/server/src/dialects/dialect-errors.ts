import { ERROR_CODES, type ErrorCode } from '@tessera/contract';
import { isTesseraError } from '@tessera/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { frameworkErrorCode } from '../http/client-error.js';
import { isRateLimitedError } from '../http/rate-limit.js';
import { noteRejection } from '../http/rejection-code.js';
import type { DialectApp, DialectErrorTable } from './dialect.js';

/** An error as a dialect renders it: the stable code, a message for people, what the core added. */
export interface DialectFailure {
  code: ErrorCode;
  status: number;
  /** The vendor's code string, where its table names one. */
  vendorCode?: string;
  message: string;
  /** Seconds until a retry can succeed (a locked second factor, a limit). */
  retryAfterSeconds?: number;
  /** The request field at fault, where one is (`body.email`), for dialects that name it. */
  field?: string;
}

/**
 * Installs a dialect's error handling: core errors and the framework's own request errors become
 * the dialect's body through `render`; anything else is a bug, logged, and answered as INTERNAL.
 */
export function installDialectErrors(
  app: DialectApp,
  table: DialectErrorTable,
  render: (failure: DialectFailure, request: FastifyRequest, reply: FastifyReply) => unknown,
): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const overrides = request.routeOptions.config.errorOverrides ?? {};
    const failure = toFailure(error, { ...table, ...overrides });
    if (!failure) {
      request.log.error({ err: error }, 'unexpected error');
      const internal: DialectFailure = { code: 'INTERNAL', ...table.INTERNAL, message: ERROR_CODES.INTERNAL };
      noteRejection(request, 'INTERNAL');
      return reply.status(internal.status).send(render(internal, request, reply));
    }
    noteRejection(request, failure.code);
    if (failure.retryAfterSeconds !== undefined) reply.header('retry-after', String(failure.retryAfterSeconds));
    return reply.status(failure.status).send(render(failure, request, reply));
  });
}

function toFailure(error: FastifyError, table: DialectErrorTable): DialectFailure | undefined {
  if (isTesseraError(error)) {
    const retryAt = typeof error.meta.lockedUntil === 'string' ? error.meta.lockedUntil : error.meta.retryAt;
    return {
      code: error.code,
      ...table[error.code],
      message: error.message,
      ...(typeof retryAt === 'string' ? { retryAfterSeconds: secondsUntil(retryAt) } : {}),
      // A dependency gone for a moment (the database) says how long to wait.
      ...(typeof error.meta.retryAfterSeconds === 'number' ? { retryAfterSeconds: error.meta.retryAfterSeconds } : {}),
      ...(typeof error.meta.field === 'string' ? { field: error.meta.field } : {}),
    };
  }
  const client = frameworkErrorCode(error);
  if (!client) return undefined;
  return {
    code: client.code,
    ...table[client.code],
    message: client.message ?? ERROR_CODES[client.code],
    ...(isRateLimitedError(error) ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    ...validationField(error),
  };
}

/** The first field a schema validation failed on: `body.email`, `querystring.limit`. */
function validationField(error: FastifyError): { field?: string } {
  const first = error.validation?.[0];
  if (!first || !error.validationContext) return {};
  const params = first.params ?? {};
  // The key at fault: a required one that is missing, or one that the schema does not allow.
  const missing =
    typeof params.missingProperty === 'string'
      ? params.missingProperty
      : typeof params.additionalProperty === 'string'
        ? params.additionalProperty
        : '';
  const path = [error.validationContext, ...first.instancePath.split('/').filter(Boolean), missing].filter(Boolean);
  return { field: path.join('.') };
}

function secondsUntil(iso: string): number {
  return Math.max(1, Math.ceil((Date.parse(iso) - Date.now()) / 1000));
}
