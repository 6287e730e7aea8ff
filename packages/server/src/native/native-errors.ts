import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorBody } from '@tessera/contract';
import { ERROR_CODES, type ErrorCode } from '@tessera/contract';
import { isTesseraError } from '@tessera/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { connectionErrorCode, frameworkErrorCode } from '../http/client-error.js';
import { isRateLimitedError } from '../http/rate-limit.js';
import { noteRejection } from '../http/rejection-code.js';
import { type RouteErrorShape, routeDeclares, UNDECLARED_ERROR_CODE } from './declared-errors.js';
import { NATIVE_STATUS } from './native-status.js';

function body(code: ErrorCode, message: string, meta: Readonly<Record<string, unknown>> = {}): ErrorBody {
  const error: ErrorBody['error'] = { code, message };
  if (typeof meta.lockedUntil === 'string') error.lockedUntil = meta.lockedUntil;
  if (typeof meta.retryAt === 'string') error.retryAt = meta.retryAt;
  if (Array.isArray(meta.details)) error.details = meta.details.map(String);
  return { error };
}

/** Seconds until `time`, at least one: the Retry-After of a lock or a throttle. */
function secondsUntil(time: string): string {
  return String(Math.max(1, Math.ceil((Date.parse(time) - Date.now()) / 1000)));
}

/**
 * The methods some route takes at this path. OPTIONS is left out: the CORS preflight route
 * answers it on every path, so it says nothing about whether the path exists.
 */
const PROBED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
function allowedMethods(app: FastifyInstance, path: string): string[] {
  return PROBED_METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
}

/**
 * An answer whose code its route does not declare is a gap in the API document: logged, so that
 * the tests, which fail on such a line, find it (the answer itself goes out unchanged).
 */
function checkDeclared(request: FastifyRequest, code: ErrorCode): void {
  const declared = request.routeOptions.schema as RouteErrorShape | undefined;
  const schema = declared === undefined ? undefined : { ...declared, method: request.method };
  if (routeDeclares(schema, code)) return;
  request.log.warn({ code, route: `${request.method} ${request.routeOptions.url}` }, UNDECLARED_ERROR_CODE);
}

/** Every native failure leaves as `{"error":{"code","message"}}`; an unexpected one as INTERNAL, logged. */
export function installNativeErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isTesseraError(error)) {
      if (error.code === 'SECOND_FACTOR_LOCKED' && typeof error.meta.lockedUntil === 'string') {
        reply.header('retry-after', secondsUntil(error.meta.lockedUntil));
      }
      if (typeof error.meta.retryAt === 'string' && NATIVE_STATUS[error.code] === 429) {
        reply.header('retry-after', secondsUntil(error.meta.retryAt));
      }
      // A dependency gone for a moment (the database) says how long to wait.
      if (typeof error.meta.retryAfterSeconds === 'number') {
        reply.header('retry-after', String(error.meta.retryAfterSeconds));
      }
      noteRejection(request, error.code);
      checkDeclared(request, error.code);
      return reply.status(NATIVE_STATUS[error.code]).send(body(error.code, error.message, error.meta));
    }
    const clientError = frameworkErrorCode(error);
    if (clientError) {
      const { code, message } = clientError;
      noteRejection(request, code);
      checkDeclared(request, code);
      // A rate limit names its group and the setting that governs it.
      const meta = isRateLimitedError(error) ? { details: error.details } : {};
      return reply.status(NATIVE_STATUS[code]).send(body(code, message ?? ERROR_CODES[code], meta));
    }
    request.log.error({ err: error }, 'unexpected error');
    noteRejection(request, 'INTERNAL');
    return reply.status(500).send(body('INTERNAL', ERROR_CODES.INTERNAL));
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = allowedMethods(app, path);
    if (allowed.length > 0) {
      // RFC 9110 §15.5.6: a 405 says which methods the path does take.
      reply.header('allow', allowed.join(', '));
      noteRejection(request, 'HTTP_METHOD_NOT_ALLOWED');
      return reply
        .status(405)
        .send(
          body('HTTP_METHOD_NOT_ALLOWED', `${path} does not take ${request.method}; it takes ${allowed.join(', ')}.`),
        );
    }
    noteRejection(request, 'ROUTE_NOT_FOUND');
    return reply.status(404).send(body('ROUTE_NOT_FOUND', `No route ${request.method} ${path}.`));
  });
}

/**
 * Fastify's `frameworkErrors`: failures found while routing, before any route or error handler
 * (a path parameter over the router's length limit, a URL that is not validly percent-encoded).
 */
export function nativeFrameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const clientError = frameworkErrorCode(error);
  if (!clientError) {
    request.log.error({ err: error }, 'unexpected error');
    reply.status(500).send(body('INTERNAL', ERROR_CODES.INTERNAL));
    return;
  }
  const { code, message } = clientError;
  noteRejection(request, code);
  reply.status(NATIVE_STATUS[code]).send(body(code, message ?? ERROR_CODES[code]));
}

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refused the request (headers too large,
 * too slow, not HTTP), so there is no request or reply, only the socket. Answers in the error
 * shape, as Fastify's default handler does in its own, and closes the connection.
 */
export function nativeClientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { code, message } = connectionErrorCode(error);
  const status = NATIVE_STATUS[code];
  const text = JSON.stringify(body(code, message ?? ERROR_CODES[code]));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(error);
}
