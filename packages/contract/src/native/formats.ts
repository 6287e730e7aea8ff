import { Type } from 'typebox';

/** String formats the native schemas share. Internal to the contract: not re-exported from the index. */
export const DateTime = Type.String({
  format: 'date-time',
  description: 'RFC 3339, like 2026-06-30T23:59:59Z. A leap second (:60) is refused.',
});
export const Uuid = Type.String({ format: 'uuid' });
export const TokenString = Type.String({ minLength: 1, maxLength: 200 });

/**
 * Where a page starts. Bounded: Ajv counts 1e400 (Infinity) as an integer, and a number past
 * 2^63 overflows PostgreSQL's bigint, so an unbounded offset fails in the database, not here.
 */
export const Offset = Type.Integer({ minimum: 0, maximum: 10_000_000 });
