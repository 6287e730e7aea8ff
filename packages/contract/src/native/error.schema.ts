import { type Static, Type } from 'typebox';
import { ERROR_CODES, type ErrorCode } from '../error-codes.js';

/** Where every code is listed with its meaning and native status. */
/**
 * Where every error code is explained: docs/errors.md of the repository, which the server also
 * serves at this path, so the link works from any running server's document.
 */
export const ERROR_TABLE_DOC = '/docs/errors.md';

/** The one error body of the native API. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.Enum(Object.keys(ERROR_CODES) as ErrorCode[], {
        type: 'string',
        description: `Stable code: program against it. Every code, its status and its meaning: ${ERROR_TABLE_DOC}.`,
      }),
      message: Type.String({ description: 'A human sentence; may change between versions.' }),
      lockedUntil: Type.Optional(Type.String({ format: 'date-time', description: 'SECOND_FACTOR_LOCKED only.' })),
      retryAt: Type.Optional(
        Type.String({
          format: 'date-time',
          description: 'When to try again: PASSWORD_THROTTLED, and the 503s of a dependency out of reach.',
        }),
      ),
      details: Type.Optional(
        Type.Array(Type.String(), {
          description: 'RATE_LIMITED: `group=<rate-limit group>` and `setting=<the setting that governs its limit>`.',
        }),
      ),
    }),
  },
  {
    $id: 'ErrorBody',
    description: 'Every native error: `{"error":{"code","message"}}`.',
    externalDocs: { description: 'Every error code and its meaning', url: ERROR_TABLE_DOC },
  },
);
export type ErrorBody = Static<typeof ErrorBody>;
