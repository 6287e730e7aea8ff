/**
 * The one table of stable error codes. Every API shape Tessera serves (the native API and each
 * vendor dialect) maps each of these codes to its own body and status, so a code, once
 * published, is never renamed: add a new one and deprecate the old.
 *
 * The value is the default, client-safe message.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 'The request is not valid.',
  MALFORMED_JSON: 'The request body is not valid JSON.',
  BODY_TOO_LARGE: 'The request body is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'The request body must be JSON.',
  ROUTE_NOT_FOUND: 'No such route.',
  RATE_LIMITED: 'Too many requests from this address; try again later.',
  UNAUTHENTICATED: 'Authentication is required.',
  TOKEN_INVALID: 'The access or API token is not valid.',
  INVALID_CREDENTIALS: 'The username or password is wrong.',
  FORBIDDEN: 'You are not allowed to do this.',
  USER_NOT_FOUND: 'No such user.',
  USERNAME_TAKEN: 'That username is already taken.',
  EMAIL_TAKEN: 'That e-mail address is already in use.',
  REFRESH_TOKEN_INVALID: 'The refresh token is not valid.',
  REFRESH_TOKEN_REUSED: 'The refresh token was already used; every session of its family was revoked.',
  CODE_MALFORMED: 'The code must be a string of digits of the right length.',
  CODE_INVALID: 'The code is wrong, expired or already used.',
  SECOND_FACTOR_LOCKED: 'Too many failed second-factor attempts; try again later.',
  FACTOR_NOT_FOUND: 'No such factor.',
  FACTOR_ALREADY_ACTIVE: 'An authenticator app is already active for this account.',
  FACTOR_NOT_PENDING: 'The factor is not waiting for confirmation.',
  NO_ACTIVE_FACTOR: 'The account has no active second factor.',
  ENROLLMENT_EXPIRED: 'The enrollment expired; start it again.',
  ENROLLMENT_SECRET_INVALID: 'The secret is not the one issued for the enrollment waiting to be confirmed.',
  FLOW_NOT_FOUND: 'No such flow.',
  FLOW_EXPIRED: 'The flow expired; start again.',
  FLOW_FINISHED: 'The flow is already finished.',
  FLOW_TRANSITION_INVALID: 'That step is not allowed in the current state of the flow.',
  API_TOKEN_NOT_FOUND: 'No such API token.',
  PHONE_INVALID: 'The phone number must be in E.164 form, e.g. +359888123456.',
  EMAIL_REQUIRED: 'The account has no e-mail address.',
  PHONE_REQUIRED: 'The account has no phone number for SMS codes.',
  DELIVERY_FAILED: 'The code could not be sent; try again later.',
  RESEND_TOO_SOON: 'A code was sent moments ago; wait before asking for another.',
  SEND_LIMIT_REACHED: 'Too many codes were sent to this recipient; try again later.',
  CODE_EXPIRED: 'The code expired; ask for a new one.',
  CODE_ATTEMPTS_EXHAUSTED: 'Too many wrong tries for this code; ask for a new one.',
  METHOD_NOT_ALLOWED: 'This second-factor method is not allowed on this server.',
  METHOD_NOT_ACTIVE: 'That second-factor method is not active for this account.',
  METHOD_REQUIRED: 'Choose a second-factor method first.',
  SUCCESS_TOKEN_INVALID: 'The success token is not valid for this operation, expired or already used.',
  TWO_FACTOR_REQUIRED: 'Two-factor authentication is required: enroll a second factor first.',
  HISTORY_ENTRY_NOT_FOUND: 'No such history entry.',
  TRUSTED_DEVICE_NOT_FOUND: 'No such trusted device.',
  BACKUP_CODES_NOT_ACTIVE: 'The account has no backup codes.',
  INTERNAL: 'An internal error occurred.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
