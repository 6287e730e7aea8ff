import type { SqliteDialectConfig } from 'kysely';
import { CompiledQuery, type DatabaseConnection, type Driver, SqliteDialect, SqliteDriver } from 'kysely';
import { type ImmediateStatements, isNoTransactionActive } from './immediate-statements.js';
import { TranslatingConnection } from './translating-driver.js';

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
  readonly #translate: (error: unknown) => unknown;

  /** `translate` turns what the driver throws into what callers see (storage-unwritable.ts). */
  constructor(
    config: SqliteDialectConfig,
    translate: (error: unknown) => unknown = (error) => error,
    /** Told when the connection is handed out and given back, so that reads can run when it is free. */
    readonly immediateStatements?: ImmediateStatements,
  ) {
    super(config);
    this.#config = config;
    this.#translate = translate;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config, this.#translate, this.immediateStatements);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  readonly #translate: (error: unknown) => unknown;
  readonly #immediate: ImmediateStatements | undefined;

  constructor(config: SqliteDialectConfig, translate: (error: unknown) => unknown, immediate?: ImmediateStatements) {
    super(config);
    this.#translate = translate;
    this.#immediate = immediate;
  }

  /**
   * The one connection, with its statements' errors translated. The transaction statements below
   * run on this same object, so they are translated (and logged by Kysely) like any other.
   */
  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    this.#immediate?.acquired();
    return new TranslatingConnection(connection, this.#translate);
  }

  override async releaseConnection(): Promise<void> {
    this.#immediate?.released();
    await super.releaseConnection();
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  /**
   * On a full disk or an I/O error SQLite may already have rolled the whole transaction back;
   * the ROLLBACK that follows would then fail and hide the error that matters.
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } catch (error) {
      if (!isNoTransactionActive(error)) throw error;
    }
  }
}
