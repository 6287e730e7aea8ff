/** A unique index (or primary key) named in the migrations, as each driver reports a clash on it. */
export interface UniqueIndex {
  /** The index or constraint name: PostgreSQL reports it as `error.constraint`. */
  name: string;
  /** `table.column` for each column: SQLite lists them in its message, which has no index name. */
  columns: readonly string[];
}

const SQLITE_UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const PG_UNIQUE_VIOLATION = '23505';

/**
 * True when `error` is a unique violation of `index`, from either driver. The errors are
 * recognised by their fields (better-sqlite3's SqliteError, pg's DatabaseError) rather than by
 * class, so this file needs neither driver.
 */
export function isUniqueViolation(error: unknown, index: UniqueIndex): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint, message } = error as { code?: unknown; constraint?: unknown; message?: unknown };
  if (code === PG_UNIQUE_VIOLATION) return constraint === index.name;
  if (typeof code === 'string' && SQLITE_UNIQUE_CODES.has(code) && typeof message === 'string') {
    // e.g. "UNIQUE constraint failed: factors.user_id, factors.kind"
    const failed = message.replace(/^UNIQUE constraint failed: /, '').split(', ');
    return failed.length === index.columns.length && index.columns.every((column, i) => failed[i] === column);
  }
  return false;
}
