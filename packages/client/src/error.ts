import type { ErrorCode } from '@tessera/contract';

/**
 * A code the client itself gives an answer that is not a Tessera error body (a proxy's HTML
 * error page, say): every other code is one the server sent.
 */
export type UnexpectedResponseCode = 'UNEXPECTED_RESPONSE';

export type TesseraErrorCode = ErrorCode | UnexpectedResponseCode;

/** The `error` object of a Tessera error body, with the fields some codes add. */
export interface TesseraErrorBody {
  code: TesseraErrorCode;
  message: string;
  /** SECOND_FACTOR_LOCKED: when the second factor may be tried again. */
  lockedUntil?: string;
  /** PASSWORD_THROTTLED: when the password may be tried again. */
  retryAt?: string;
  /** VALIDATION_FAILED: what is wrong, one line per problem. */
  details?: string[];
}

/** Any answer of the server that is not a success, with the stable code to program against. */
export class TesseraError extends Error {
  override readonly name = 'TesseraError';
  readonly code: TesseraErrorCode;
  readonly status: number;
  /** Seconds to wait before trying again, from `Retry-After` (429 and 503 answers that carry one). */
  readonly retryAfter: number | undefined;
  readonly body: TesseraErrorBody;
  /** The operation that was refused, by its operationId in the OpenAPI document. */
  readonly operationId: string;

  constructor(options: { status: number; body: TesseraErrorBody; retryAfter?: number; operationId: string }) {
    super(options.body.message);
    this.code = options.body.code;
    this.status = options.status;
    this.retryAfter = options.retryAfter;
    this.body = options.body;
    this.operationId = options.operationId;
  }
}

/** Whether an unknown value (a caught one) is a TesseraError, optionally with one of these codes. */
export function isTesseraError(value: unknown, ...codes: TesseraErrorCode[]): value is TesseraError {
  return value instanceof TesseraError && (codes.length === 0 || codes.includes(value.code));
}

/**
 * `Retry-After` in seconds: either delta-seconds or an HTTP date (RFC 9110 §10.2.3), the date
 * taken relative to now.
 */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
