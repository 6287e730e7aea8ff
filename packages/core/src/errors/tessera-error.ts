import { ERROR_CODES, type ErrorCode } from '@tessera/contract';

export interface TesseraErrorOptions {
  /** Client-safe message; defaults to the code's message in the error table. */
  message?: string;
  /** Internal detail for the log. Never serialised to a client. */
  detail?: string;
  /** Structured, client-safe facts an API shape may render (for example `lockedUntil`). */
  meta?: Record<string, string | number | boolean>;
  cause?: unknown;
}

/**
 * An expected failure with a stable code. Adapters turn it into their own error shape; anything
 * that is not a TesseraError is a bug and becomes INTERNAL.
 */
export class TesseraError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly meta: Readonly<Record<string, string | number | boolean>>;

  constructor(code: ErrorCode, options: TesseraErrorOptions = {}) {
    super(options.message ?? ERROR_CODES[code], { cause: options.cause });
    this.name = 'TesseraError';
    this.code = code;
    this.detail = options.detail;
    this.meta = options.meta ?? {};
  }
}

export function isTesseraError(error: unknown): error is TesseraError {
  return error instanceof TesseraError;
}
