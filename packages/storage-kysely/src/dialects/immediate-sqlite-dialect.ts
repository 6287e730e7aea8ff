import type { SqliteDialectConfig } from 'kysely';
import { CompiledQuery, type DatabaseConnection, type Driver, SqliteDialect, SqliteDriver } from 'kysely';

/**
 * SQLite begins a plain BEGIN's write lock only at the first write. A transaction that reads and
 * then writes (the send-limit check, a unit of work) could then find that another connection
 * wrote in between, and fail with SQLITE_BUSY at once, without waiting out busy_timeout. Every
 * transaction Tessera runs writes, so they all begin with BEGIN IMMEDIATE: the write lock is
 * taken (or waited for) up front, and what the transaction reads stays true until it commits.
 * Readers are not blocked (WAL).
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}
