import type { ErrorCode } from '@tessera/contract';
import type { DialectFailure } from '../dialect-errors.js';

/** UAPI's envelope: module TwoFactorAuth, version 3, the outcome under `result`. */
export interface UapiEnvelope {
  apiversion: 3;
  func: string;
  module: 'TwoFactorAuth';
  result: {
    data?: unknown;
    errors: string[] | null;
    messages: null;
    metadata: Record<string, never>;
    status: 0 | 1;
    warnings: null;
  };
}

export function uapiSuccess(func: string, data: unknown): UapiEnvelope {
  return envelope(func, { data, errors: null, status: 1 });
}

/**
 * A failure: status 0, the messages in `errors`, and no `data`. cPanel's server writes `data:
 * null` there, but its published UAPI document types every function's `data` as an object, not
 * nullable, and a client generated from it refuses null; an absent key it accepts, and a script
 * reading `result.data` finds nothing there either way.
 */
export function uapiFailure(func: string, errors: string[]): UapiEnvelope {
  return envelope(func, { errors, status: 0 });
}

function envelope(func: string, outcome: { data?: unknown; errors: string[] | null; status: 0 | 1 }): UapiEnvelope {
  return {
    apiversion: 3,
    func,
    module: 'TwoFactorAuth',
    result: {
      ...(outcome.data === undefined ? {} : { data: outcome.data }),
      errors: outcome.errors,
      messages: null,
      metadata: {},
      status: outcome.status,
      warnings: null,
    },
  };
}

/** UAPI's answer for a function the module does not have. */
export function unknownFunctionError(func: string): string {
  return `Could not find function “${func}” in module “TwoFactorAuth”.`;
}

const WRONG_CODE: readonly ErrorCode[] = ['CODE_INVALID', 'CODE_MALFORMED', 'CODE_EXPIRED', 'CODE_ATTEMPTS_EXHAUSTED'];
const BAD_SECRET: readonly ErrorCode[] = [
  'ENROLLMENT_SECRET_INVALID',
  'ENROLLMENT_EXPIRED',
  'FACTOR_NOT_PENDING',
  'FLOW_NOT_FOUND',
  'FLOW_EXPIRED',
  'FLOW_FINISHED',
];

/**
 * The error text of a failed call as cPanel words it (catalogue section 3): set and remove
 * prefix the cause ("Failed to set user configuration: …"); the WHM reason beneath is worded as
 * WHM words it.
 */
export function uapiError(func: string, failure: DialectFailure): string {
  const { code, message } = failure;
  switch (func) {
    case 'set_user_configuration': {
      const reason = WRONG_CODE.includes(code)
        ? 'The security code is invalid.'
        : BAD_SECRET.includes(code)
          ? 'Missing or Invalid: secret'
          : message;
      return `Failed to set user configuration: ${reason}`;
    }
    case 'remove_user_configuration':
      return `Failed to remove user configuration: ${WRONG_CODE.includes(code) ? 'The security code is invalid.' : message}`;
    case 'generate_user_configuration':
      return `Failed to generate two-factor authentication configuration: ${message}`;
    default:
      return message;
  }
}
