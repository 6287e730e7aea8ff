import type { DialectErrorTable } from '../dialect.js';

const invalid = (vendorCode: string) => ({ status: 400, vendorCode });
const VALIDATION = invalid('VALIDATION_ERROR');
const WRONG_CODE = invalid('INVALID_2FA_TOKEN');

/**
 * Every core error as Mudbase answers it: its documented statuses (400 bad request or
 * validation, 401 authentication, 403 access, 429 RATE_LIMITED with retryAfter) and code strings
 * in its style where it documents none (docs/dialects.md lists them).
 */
export const MUDBASE_ERRORS = {
  VALIDATION_FAILED: VALIDATION,
  MALFORMED_JSON: VALIDATION,
  BODY_TOO_LARGE: { status: 413, vendorCode: 'PAYLOAD_TOO_LARGE' },
  URI_TOO_LONG: { status: 414, vendorCode: 'URI_TOO_LONG' },
  HEADERS_TOO_LARGE: { status: 431, vendorCode: 'HEADERS_TOO_LARGE' },
  REQUEST_TIMEOUT: { status: 408, vendorCode: 'REQUEST_TIMEOUT' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, vendorCode: 'UNSUPPORTED_MEDIA_TYPE' },
  ROUTE_NOT_FOUND: { status: 404, vendorCode: 'NOT_FOUND' },
  UNAUTHENTICATED: { status: 401, vendorCode: 'UNAUTHORIZED' },
  TOKEN_INVALID: { status: 401, vendorCode: 'UNAUTHORIZED' },
  INVALID_CREDENTIALS: { status: 401, vendorCode: 'INVALID_CREDENTIALS' },
  FORBIDDEN: { status: 403, vendorCode: 'FORBIDDEN' },
  USER_NOT_FOUND: { status: 404, vendorCode: 'NOT_FOUND' },
  USERNAME_TAKEN: { status: 409, vendorCode: 'CONFLICT' },
  EMAIL_TAKEN: { status: 409, vendorCode: 'CONFLICT' },
  REFRESH_TOKEN_INVALID: { status: 401, vendorCode: 'INVALID_REFRESH_TOKEN' },
  REFRESH_TOKEN_REUSED: { status: 401, vendorCode: 'INVALID_REFRESH_TOKEN' },
  CODE_MALFORMED: WRONG_CODE,
  CODE_INVALID: WRONG_CODE,
  SECOND_FACTOR_REQUIRED: { status: 401, vendorCode: 'TWO_FACTOR_REQUIRED' },
  SECOND_FACTOR_LOCKED: { status: 429, vendorCode: 'RATE_LIMITED' },
  SECOND_FACTOR_SUSPENDED: { status: 403, vendorCode: 'TWO_FACTOR_SUSPENDED' },
  PASSWORD_THROTTLED: { status: 429, vendorCode: 'RATE_LIMITED' },
  FACTOR_NOT_FOUND: { status: 404, vendorCode: 'NOT_FOUND' },
  FACTOR_ALREADY_ACTIVE: invalid('TWO_FACTOR_ALREADY_ENABLED'),
  FACTOR_NOT_PENDING: invalid('TWO_FACTOR_NOT_SET_UP'),
  NO_ACTIVE_FACTOR: invalid('TWO_FACTOR_NOT_ENABLED'),
  ENROLLMENT_EXPIRED: invalid('TWO_FACTOR_NOT_SET_UP'),
  ENROLLMENT_SECRET_INVALID: invalid('TWO_FACTOR_NOT_SET_UP'),
  FLOW_NOT_FOUND: invalid('TWO_FACTOR_NOT_SET_UP'),
  FLOW_EXPIRED: invalid('TWO_FACTOR_NOT_SET_UP'),
  FLOW_FINISHED: invalid('TWO_FACTOR_NOT_SET_UP'),
  FLOW_TRANSITION_INVALID: VALIDATION,
  API_TOKEN_NOT_FOUND: { status: 404, vendorCode: 'NOT_FOUND' },
  PHONE_INVALID: VALIDATION,
  PHONE_COUNTRY_NOT_ALLOWED: VALIDATION,
  PHONE_CHANGE_NEEDS_PROOF: { status: 403, vendorCode: 'FORBIDDEN' },
  EMAIL_REQUIRED: VALIDATION,
  PHONE_REQUIRED: VALIDATION,
  DELIVERY_FAILED: { status: 502, vendorCode: 'DELIVERY_FAILED' },
  RESEND_TOO_SOON: { status: 429, vendorCode: 'RATE_LIMITED' },
  SEND_LIMIT_REACHED: { status: 429, vendorCode: 'RATE_LIMITED' },
  SMS_DESTINATION_LIMIT: { status: 429, vendorCode: 'RATE_LIMITED' },
  RATE_LIMITED: { status: 429, vendorCode: 'RATE_LIMITED' },
  CODE_EXPIRED: WRONG_CODE,
  CODE_ATTEMPTS_EXHAUSTED: WRONG_CODE,
  METHOD_NOT_ALLOWED: { status: 403, vendorCode: 'FORBIDDEN' },
  METHOD_NOT_ACTIVE: invalid('TWO_FACTOR_NOT_ENABLED'),
  METHOD_REQUIRED: VALIDATION,
  SUCCESS_TOKEN_INVALID: VALIDATION,
  TWO_FACTOR_REQUIRED: { status: 403, vendorCode: 'TWO_FACTOR_SETUP_REQUIRED' },
  HISTORY_ENTRY_NOT_FOUND: { status: 404, vendorCode: 'NOT_FOUND' },
  TRUSTED_DEVICE_NOT_FOUND: { status: 404, vendorCode: 'NOT_FOUND' },
  BACKUP_CODES_NOT_ACTIVE: invalid('TWO_FACTOR_NOT_ENABLED'),
  NOT_READY: { status: 503, vendorCode: 'SERVICE_UNAVAILABLE' },
  INTERNAL: { status: 500, vendorCode: 'INTERNAL_ERROR' },
} satisfies DialectErrorTable;
