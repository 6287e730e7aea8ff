import type { PostgresDialect } from 'kysely';
import pg from 'pg';
import { CurrentSchemaPostgresDialect } from './current-schema-introspector.js';

/** OID of PostgreSQL's int8 (bigint); also what count(*) returns. */
const INT8_OID = 20;

/** An unquoted schema name: anything else would need quoting inside the `-c search_path=` option. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

export interface PostgresDialectOptions {
  /** A `postgres://` or `postgresql://` URL. */
  url: string;
  /** Schema to put first in the search_path (tables are created and found there). */
  searchPath?: string | undefined;
  /** Pool size; several requests of one process run their queries in parallel. */
  maxConnections?: number | undefined;
}

/**
 * A Kysely dialect over a pg Pool of its own.
 *
 * Times and some counters are BIGINT columns, which pg returns as strings by default. The
 * pool's clients get their own type parser that returns numbers for int8, instead of changing
 * the process-wide `pg.types`, which other code in the process may rely on.
 */
export function createPostgresDialect(options: PostgresDialectOptions): PostgresDialect {
  const { searchPath } = options;
  if (searchPath !== undefined && !SCHEMA_NAME.test(searchPath)) {
    throw new Error(`Invalid PostgreSQL schema name "${searchPath}": use lower-case letters, digits and "_"`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    ...(searchPath !== undefined ? { options: `-c search_path=${searchPath}` } : {}),
    types: { getTypeParser: int8AsNumberTypeParser },
  });
  return new CurrentSchemaPostgresDialect({ pool });
}

const int8AsNumberTypeParser = ((oid: number, format?: 'text' | 'binary') => {
  if (oid === INT8_OID && format !== 'binary') return parseInt8;
  return pg.types.getTypeParser(oid, format);
}) as typeof pg.types.getTypeParser;

function parseInt8(value: string): number {
  const parsed = Number(value);
  // Milliseconds, steps and counts are far below 2^53; past it a silent rounding would be worse
  // than an error.
  if (!Number.isSafeInteger(parsed)) throw new RangeError(`int8 value ${value} does not fit in a JavaScript number`);
  return parsed;
}
