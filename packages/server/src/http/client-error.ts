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
