import type { ErrorCode } from '@tessera/contract';
import type { FastifyError } from 'fastify';
import { isRateLimitedError } from './rate-limit.js';

/**
 * Turns the framework's own request errors (bad JSON, too large, wrong media type, schema
 * validation, a rate limit) into stable error codes, so each API shape renders them in its own way.
 * Returns undefined for anything that is not a client error: that is a bug.
 */
export function frameworkErrorCode(error: FastifyError): { code: ErrorCode; message?: string } | undefined {
  if (isRateLimitedError(error)) return { code: 'RATE_LIMITED', message: error.message };
  if (error.validation) return { code: 'VALIDATION_FAILED', message: describeValidation(error) };
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'MALFORMED_JSON' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'BODY_TOO_LARGE' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { code: 'UNSUPPORTED_MEDIA_TYPE' };
    case 'TESSERA_DUPLICATE_JSON_KEY':
      return { code: 'MALFORMED_JSON', message: error.message };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { code: 'URI_TOO_LONG', message: 'A part of the request URL is too long.' };
    case 'FST_ERR_BAD_URL':
      return { code: 'VALIDATION_FAILED', message: 'The request URL is not validly encoded.' };
  }
  if (error instanceof SyntaxError) return { code: 'MALFORMED_JSON' };
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return { code: 'VALIDATION_FAILED', message: error.message };
  }
  return undefined;
}

function describeValidation(error: FastifyError): string {
  const first = error.validation?.[0];
  const where = `${error.validationContext ?? 'request'}${first?.instancePath ?? ''}`;
  if (!first) return `${where} is not valid.`;
  const extra = first.params as { additionalProperty?: unknown };
  if (typeof extra.additionalProperty === 'string')
    return `${where} has an unknown field "${extra.additionalProperty}".`;
  return `${where} ${first.message ?? 'is not valid'}.`;
}

/**
 * The error code for a request Node's HTTP parser refused before Fastify saw it (Fastify's
 * `clientErrorHandler`): headers (with the request line) over Node's limit, a request that took
 * too long to arrive, or bytes that are not HTTP.
 */
export function connectionErrorCode(error: { code?: string }): { code: ErrorCode; message?: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'HEADERS_TOO_LARGE', message: 'The request line and headers are too large.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'REQUEST_TIMEOUT' };
    default:
      return { code: 'VALIDATION_FAILED', message: 'The request is not valid HTTP.' };
  }
}
