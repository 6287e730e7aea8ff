import { CompiledQuery, type Kysely, type QueryResult, type SqliteDatabase } from 'kysely';

/** Told of each statement run here, as Kysely's log is of the others (the statement metrics). */
export type StatementObserver = (query: CompiledQuery, seconds: number, failed: boolean) => void;

/**
 * Reads, and the group commit's transactions, run at once on SQLite's one connection when
 * nothing holds it.
 *
 * Kysely hands its one SQLite connection out through a mutex, and each statement goes through
 * its executor, the driver and their promises: about 6 µs for a point lookup that SQLite answers
 * in 2-3 µs, on every read of every verification. A read run synchronously while no one holds
 * the connection (no transaction open, no statement of another caller under way) is the same
 * autocommitted statement the mutex would have let through, with nothing able to run between
 * its start and its end; a transaction of small writes (the group commit's) is the same, from its
 * BEGIN IMMEDIATE to its COMMIT. When the connection is held, they wait their turn the usual way.
 * Only the base database's reads are run here: a repository bound to a transaction runs in it.
 */
export class ImmediateStatements {
  private held = 0;
  private observer: StatementObserver | undefined;

  constructor(
    private readonly database: SqliteDatabase,
    /** What the driver's errors become for callers (storage-unwritable.ts). */
    private readonly translate: (error: unknown) => unknown,
  ) {}

  /** The driver's: the connection was handed out, and then given back. */
  acquired(): void {
    this.held++;
  }

  released(): void {
    this.held--;
  }

  observe(observer: StatementObserver | undefined): void {
    this.observer = observer;
  }

  /** The rows of the read `query`, or undefined when the connection is in use now. */
  tryRead<R>(query: CompiledQuery<R>): QueryResult<R> | undefined {
    if (this.held > 0) return undefined;
    const statement = this.database.prepare(query.sql);
    // A statement that writes goes the usual way, in turn with the others.
    if (!statement.reader) return undefined;
    return this.execute(query);
  }

  /**
   * `work` in one transaction (BEGIN IMMEDIATE … COMMIT) run at once, or undefined when the
   * connection is in use now. `work` runs its statements with the function it is given and must
   * not wait for anything: the whole transaction runs without a turn of the event loop, so no
   * other caller's statement can fall inside it. An error rolls it all back and is thrown.
   */
  tryTransaction<T>(work: (execute: (query: CompiledQuery) => QueryResult<unknown>) => T): { value: T } | undefined {
    if (this.held > 0) return undefined;
    this.execute(BEGIN);
    try {
      const value = work((query) => this.execute(query));
      this.execute(COMMIT);
      return { value };
    } catch (error) {
      this.rollBack();
      throw error;
    }
  }

  /** One statement, now, as Kysely's SQLite connection runs it (rows for a read, counts for a write). */
  private execute<R>(query: CompiledQuery<R>): QueryResult<R> {
    const started = this.observer ? performance.now() : 0;
    try {
      const statement = this.database.prepare(query.sql);
      let result: QueryResult<R>;
      if (statement.reader) {
        result = { rows: statement.all(query.parameters) as R[] };
      } else {
        const { changes, lastInsertRowid } = statement.run(query.parameters);
        result = { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
      }
      this.observer?.(query, (performance.now() - started) / 1000, false);
      return result;
    } catch (error) {
      this.observer?.(query, (performance.now() - started) / 1000, true);
      throw this.translate(error);
    }
  }

  private rollBack(): void {
    try {
      this.execute(ROLLBACK);
    } catch (error) {
      if (!isNoTransactionActive(error)) throw error;
    }
  }
}

/**
 * A ROLLBACK's error when SQLite had already rolled the transaction back itself (a full disk, an
 * I/O error): nothing was left to undo, and the error that matters is the one before it.
 */
export function isNoTransactionActive(error: unknown): boolean {
  return error instanceof Error && /no transaction is active/.test(error.message);
}

// As the dialect's own transactions begin (immediate-sqlite-dialect.ts).
const BEGIN = CompiledQuery.raw('begin immediate');
const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');

const statementsOf = new WeakMap<Kysely<never>, ImmediateStatements>();

/** Runs the base database's reads and group commits through `immediate` (openStorage, on SQLite); undefined: through Kysely again. */
export function useImmediateStatements<DB>(db: Kysely<DB>, immediate: ImmediateStatements | undefined): void {
  if (immediate) statementsOf.set(db as unknown as Kysely<never>, immediate);
  else statementsOf.delete(db as unknown as Kysely<never>);
}

/** The immediate statements of `db`, when it is SQLite's base database (openStorage). */
export function immediateStatementsOf<DB>(db: Kysely<DB>): ImmediateStatements | undefined {
  return statementsOf.get(db as unknown as Kysely<never>);
}

/** Runs `query` at once when it is a read of a database with immediate reads and the connection is free. */
export function executeSoonest<DB, R>(db: Kysely<DB>, query: CompiledQuery<R>): Promise<QueryResult<R>> {
  const immediate = statementsOf.get(db as unknown as Kysely<never>);
  if (immediate) {
    try {
      const result = immediate.tryRead(query);
      if (result) return Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return db.executeQuery(query);
}
