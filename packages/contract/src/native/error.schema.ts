import { type Static, Type } from 'typebox';

/** The one error body of the native API. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable code from the error table (docs/errors.md).' }),
      message: Type.String({ description: 'A human sentence; may change between versions.' }),
      lockedUntil: Type.Optional(Type.String({ format: 'date-time' })),
      retryAt: Type.Optional(Type.String({ format: 'date-time' })),
      details: Type.Optional(Type.Array(Type.String())),
    }),
  },
  { $id: 'ErrorBody', description: 'Every native error: `{"error":{"code","message"}}`.' },
);
export type ErrorBody = Static<typeof ErrorBody>;
