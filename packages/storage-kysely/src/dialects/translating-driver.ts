import type {
  CompiledQuery,
  DatabaseConnection,
  Driver,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';

/**
 * A Kysely driver that passes every call to `inner` and turns what it throws through `translate`
 * (database-unavailable.ts: a lost connection becomes DATABASE_UNAVAILABLE). Every statement of
 * every repository goes through a driver, so this is the one place that sees them all; the
 * repositories and the core stay free of driver-specific error shapes.
 *
 * The inner driver gets its own connection objects back (it keeps private state on them: the
 * PostgreSQL driver marks a connection whose rollback failed to be dropped from the pool).
 */
export class TranslatingDriver implements Driver {
  readonly #inner: Driver;
  readonly #translate: (error: unknown) => unknown;
  readonly #innerOf = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(inner: Driver, translate: (error: unknown) => unknown) {
    this.#inner = inner;
    this.#translate = translate;
  }

  init(): Promise<void> {
    return this.#run(() => this.#inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.#run(() => this.#inner.acquireConnection());
    const outer = new TranslatingConnection(connection, this.#translate);
    this.#innerOf.set(outer, connection);
    return outer;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#run(() => this.#inner.beginTransaction(this.#unwrap(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#run(() => this.#inner.commitTransaction(this.#unwrap(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#run(() => this.#inner.rollbackTransaction(this.#unwrap(connection)));
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    const { savepoint } = this.#inner;
    if (!savepoint) throw new Error('the database driver has no savepoints');
    await this.#run(() => savepoint.call(this.#inner, this.#unwrap(connection), name, compile));
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    const { rollbackToSavepoint } = this.#inner;
    if (!rollbackToSavepoint) throw new Error('the database driver has no savepoints');
    await this.#run(() => rollbackToSavepoint.call(this.#inner, this.#unwrap(connection), name, compile));
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    const { releaseSavepoint } = this.#inner;
    if (!releaseSavepoint) throw new Error('the database driver has no savepoints');
    await this.#run(() => releaseSavepoint.call(this.#inner, this.#unwrap(connection), name, compile));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(this.#unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }

  #unwrap(connection: DatabaseConnection): DatabaseConnection {
    return this.#innerOf.get(connection) ?? connection;
  }

  async #run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.#translate(error);
    }
  }
}

/** A connection whose statements' errors pass through `translate`. */
export class TranslatingConnection implements DatabaseConnection {
  constructor(
    private readonly inner: DatabaseConnection,
    private readonly translate: (error: unknown) => unknown,
  ) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(compiledQuery);
    } catch (error) {
      throw this.translate(error);
    }
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(compiledQuery, chunkSize);
    } catch (error) {
      throw this.translate(error);
    }
  }
}
