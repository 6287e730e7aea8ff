import { TesseraError } from '@tessera/core';

/**
 * Telling a database that cannot answer right now (a connection killed, the server restarting or
 * unreachable) from a statement that failed on its own merits. The first is the deployment's
 * fault and passes: the caller is told to come back (503 DATABASE_UNAVAILABLE with Retry-After)
 * instead of getting a 500 that reads like a bug. Anything else is left as it is.
 */

/** What a caller is told to wait before trying again: a pool reconnects within a second or two. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * SQLSTATE classes and codes of PostgreSQL meaning "this connection or this server is going away,
 * try again": class 08 (connection exception), 57P01 admin_shutdown (pg_terminate_backend, a
 * fast shutdown), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, shutting down),
 * 53300 too_many_connections.
 */
const POSTGRES_UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Socket errors of a connection that could not be made or was cut. */
const SOCKET_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * The messages node-postgres gives its own connection failures, which carry no code: a
 * connection ended under a query, a client reused after its connection broke, a connect or pool
 * checkout that timed out.
 */
const PG_CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /is not queryable$/,
  /^timeout exceeded when trying to connect$/,
  /^Query read timeout$/,
];

export function isDatabaseUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || POSTGRES_UNAVAILABLE_CODES.has(code) || SOCKET_ERROR_CODES.has(code)) return true;
  }
  // A connect to a name with several addresses fails with every address's error at once.
  if (error instanceof AggregateError && error.errors.some(isDatabaseUnavailableError)) return true;
  return PG_CONNECTION_MESSAGES.some((pattern) => pattern.test(error.message));
}

/** The error a caller sees for `cause`, when the database could not answer; `cause` itself otherwise. */
export function translateDatabaseError(cause: unknown): unknown {
  if (!isDatabaseUnavailableError(cause)) return cause;
  return new TesseraError('DATABASE_UNAVAILABLE', {
    detail: cause instanceof Error ? cause.message : String(cause),
    meta: { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
    cause,
  });
}
