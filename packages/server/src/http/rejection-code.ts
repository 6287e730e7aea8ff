import type { ErrorCode } from '@tessera/contract';
import type { FastifyRequest } from 'fastify';

/**
 * The error code a request was refused with, for its line in the log: the status alone says
 * 403, the code says whether it was TWO_FACTOR_REQUIRED or FORBIDDEN. Kept beside the request
 * (not on it) because only the error handlers write it and only the request line reads it.
 */
const codes = new WeakMap<FastifyRequest, ErrorCode>();

export function noteRejection(request: FastifyRequest, code: ErrorCode): void {
  codes.set(request, code);
}

export function rejectionOf(request: FastifyRequest): ErrorCode | undefined {
  return codes.get(request);
}
