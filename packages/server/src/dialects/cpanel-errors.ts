import type { DialectErrorTable } from './dialect.js';

/** A failed function: HTTP 200 with the failure in the envelope, as cPanel answers. */
const FAILED = { status: 200 };
/** Credentials missing or wrong: 401, with the envelope. */
const UNAUTHORIZED = { status: 401 };
/** A limit of the server (password guesses, sends): 429 with Retry-After, with the envelope. */
const LIMITED = { status: 429 };

/**
 * Every core error as cPanel's APIs (WHM API 1 and UAPI alike) answer it. A function that fails
 * answers HTTP 200 with the failure in the envelope (`metadata.result: 0` with a reason,
 * `result.status: 0` with errors; each dialect's mapping words it as cPanel does); what is not a
 * function's failure keeps an HTTP status: credentials (401), limits (429), a body too large or of
 * another type (413, 415), a server error (500).
 */
export const CPANEL_ERRORS = {
  VALIDATION_FAILED: FAILED,
  MALFORMED_JSON: FAILED,
  BODY_TOO_LARGE: { status: 413 },
  URI_TOO_LONG: { status: 414 },
  HEADERS_TOO_LARGE: { status: 431 },
  REQUEST_TIMEOUT: { status: 408 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415 },
  ROUTE_NOT_FOUND: { status: 404 },
  UNAUTHENTICATED: UNAUTHORIZED,
  TOKEN_INVALID: UNAUTHORIZED,
  INVALID_CREDENTIALS: UNAUTHORIZED,
  FORBIDDEN: FAILED,
  USER_NOT_FOUND: FAILED,
  USERNAME_TAKEN: FAILED,
  EMAIL_TAKEN: FAILED,
  ACCOUNT_OWNS_ACCOUNTS: FAILED,
  REFRESH_TOKEN_INVALID: UNAUTHORIZED,
  REFRESH_TOKEN_REUSED: UNAUTHORIZED,
  CODE_MALFORMED: FAILED,
  CODE_INVALID: FAILED,
  SECOND_FACTOR_REQUIRED: { status: 403 },
  SECOND_FACTOR_LOCKED: FAILED,
  SECOND_FACTOR_SUSPENDED: FAILED,
  PASSWORD_THROTTLED: LIMITED,
  FACTOR_NOT_FOUND: FAILED,
  FACTOR_ALREADY_ACTIVE: FAILED,
  FACTOR_NOT_PENDING: FAILED,
  NO_ACTIVE_FACTOR: FAILED,
  ENROLLMENT_EXPIRED: FAILED,
  ENROLLMENT_SECRET_INVALID: FAILED,
  FLOW_NOT_FOUND: FAILED,
  FLOW_EXPIRED: FAILED,
  FLOW_FINISHED: FAILED,
  FLOW_TRANSITION_INVALID: FAILED,
  API_TOKEN_NOT_FOUND: FAILED,
  PHONE_INVALID: FAILED,
  PHONE_COUNTRY_NOT_ALLOWED: FAILED,
  PHONE_CHANGE_NEEDS_PROOF: FAILED,
  EMAIL_REQUIRED: FAILED,
  PHONE_REQUIRED: FAILED,
  DELIVERY_FAILED: { status: 502 },
  RESEND_TOO_SOON: LIMITED,
  SEND_LIMIT_REACHED: LIMITED,
  SMS_DESTINATION_LIMIT: LIMITED,
  RATE_LIMITED: LIMITED,
  CODE_EXPIRED: FAILED,
  CODE_ATTEMPTS_EXHAUSTED: FAILED,
  METHOD_NOT_ALLOWED: FAILED,
  METHOD_NOT_ACTIVE: FAILED,
  METHOD_REQUIRED: FAILED,
  SUCCESS_TOKEN_INVALID: FAILED,
  TWO_FACTOR_REQUIRED: FAILED,
  HISTORY_ENTRY_NOT_FOUND: FAILED,
  TRUSTED_DEVICE_NOT_FOUND: FAILED,
  BACKUP_CODES_NOT_ACTIVE: FAILED,
  NOT_READY: { status: 503 },
  INTERNAL: { status: 500 },
} satisfies DialectErrorTable;
