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

type ValidationError = NonNullable<FastifyError['validation']>[number] & { parentSchema?: unknown; data?: unknown };

/**
 * The first problem of a request that failed its schema, in words a caller can act on: the field,
 * and what it may be. A union of constants (a method, an order) lists its values; a missing field
 * is named with every other required field that is missing too; a choice between bodies names
 * the fields of each. The validators run with `verbose` so that each error carries its schema
 * and data.
 */
export function describeValidation(error: Pick<FastifyError, 'validation' | 'validationContext'>): string {
  const errors = (error.validation ?? []) as ValidationError[];
  const first = errors[0];
  const where = `${error.validationContext ?? 'request'}${first?.instancePath ?? ''}`;
  if (!first) return `${where} is not valid.`;
  const extra = first.params as { additionalProperty?: unknown; missingProperty?: unknown };
  if (typeof extra.additionalProperty === 'string') {
    return `${where} has an unknown field "${extra.additionalProperty}".`;
  }
  const atSamePath = errors.filter((item) => item.instancePath === first.instancePath);
  const choice = atSamePath.find((item) => item.keyword === 'anyOf' || item.keyword === 'oneOf');
  const branches = choice ? atSamePath.slice(0, atSamePath.indexOf(choice)) : [first];
  const allowed = branches.flatMap((item) => allowedValues(item) ?? []);
  if (allowed.length > 0 && branches.every((item) => allowedValues(item) !== undefined)) {
    return `${where} must be one of ${allowed.map((value) => JSON.stringify(value)).join(', ')}${received(first)}.`;
  }
  if (branches.every((item) => item.keyword === 'required')) {
    const missing = branches.map((item) => missingFields(item));
    if (choice && missing.length > 1) {
      return `${where} needs one of: ${missing.map((fields) => fields.join(' and ')).join('; or ')}.`;
    }
    const fields = missing[0] ?? [];
    return `${where} is missing the required field${fields.length > 1 ? 's' : ''} ${fields.join(', ')}.`;
  }
  return `${where} ${first.message ?? 'is not valid'}.`;
}

/** The values a `const` or `enum` failure allows, or undefined for any other failure. */
function allowedValues(item: ValidationError): unknown[] | undefined {
  const params = item.params as { allowedValue?: unknown; allowedValues?: unknown };
  if (item.keyword === 'const') return [params.allowedValue];
  if (item.keyword === 'enum' && Array.isArray(params.allowedValues)) return params.allowedValues;
  return undefined;
}

/** `(got "foo")` for a short scalar the caller sent, so a typo shows. */
function received(item: ValidationError): string {
  const value = item.data;
  if (typeof value === 'string' && value.length <= 40) return ` (got ${JSON.stringify(value)})`;
  if (typeof value === 'number' || typeof value === 'boolean') return ` (got ${String(value)})`;
  return '';
}

/** Every required field of the failed object's schema that the object lacks, in schema order. */
function missingFields(item: ValidationError): string[] {
  const schema = item.parentSchema as { required?: unknown } | undefined;
  const data = item.data;
  const required = Array.isArray(schema?.required) ? (schema.required as string[]) : [];
  const absent = required.filter((name) => typeof data !== 'object' || data === null || !(name in data));
  const named = (item.params as { missingProperty?: unknown }).missingProperty;
  return absent.length > 0 ? absent : typeof named === 'string' ? [named] : [];
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
