import type { CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database } from './database.js';
import { immediateStatementsOf } from './dialects/immediate-statements.js';
import { inTransaction } from './transaction.js';

interface PendingWrite {
  queries: readonly CompiledQuery[];
  /**
   * All or nothing: each statement is a compare-and-set that must change one row; the first that
   * changes none ends the write, and none of its statements is kept.
   */
  allOrNothing: boolean;
  /** The results of the statements run (all of them, or up to and with the one that lost). */
  resolve(results: QueryResult<unknown>[]): void;
  reject(error: unknown): void;
}

/** How an all-or-nothing write ended: every statement applied, or the first that changed no row. */
export type UnitOutcome = { applied: true } | { applied: false; lostAt: number };

/** A statement after the first of an all-or-nothing write lost: what the write did must be undone. */
class UndoNeeded extends Error {}

/**
 * Group commit for the small writes of every second-factor attempt (the lockout's
 * compare-and-set, its reset after a success, the TOTP step used): the writes that arrive
 * together run in one transaction, one after the other, and each caller is answered only once
 * the commit that holds its write has returned. A commit costs more than such a statement;
 * shared by a burst of concurrent attempts it is paid once.
 *
 * Nothing is answered early: a caller's promise settles after the commit (or, alone, after its
 * own autocommitted statement). Each statement keeps its own condition (a version, a step), so
 * running them in one transaction changes no outcome: they see each other's writes in order, as
 * they would have one after the other. A write that arrives while a commit is under way waits
 * for the next one.
 *
 * A write may be several compare-and-sets that hold together or not at all (a valid TOTP code's
 * used step and the reset of its account's failures: one commit for a valid code). One whose
 * first statement changes no row has written nothing and ends there; one that loses later must
 * be undone, which is done by giving up the shared transaction (below). That takes a race with
 * another process between a read and a commit, so it is rare.
 *
 * Should the shared transaction fail (one statement fails, which on PostgreSQL aborts the
 * others with it, or a write must be undone), nothing of it was committed, and each write runs
 * again on its own (several statements in a transaction of their own) and answers for itself.
 */
export class GroupCommit {
  private pending: PendingWrite[] = [];
  private flushing = false;
  /** Writes taken, and commits (shared or alone) that answered them: for tests and the bench. */
  readonly stats = { writes: 0, commits: 0 };

  constructor(
    private readonly db: Kysely<Database>,
    /** Told the size of each batch as it goes to the database (the metrics). @default nothing */
    private readonly onBatch?: (writes: number) => void,
  ) {}

  execute<R>(query: CompiledQuery<R>): Promise<QueryResult<R>> {
    return this.enqueue([query], false).then(([result]) => result as QueryResult<R>);
  }

  /**
   * Compare-and-sets that hold together or not at all, in the same shared commit as the other
   * writes: a TOTP step used and the account's failures reset, say, so that a valid code waits
   * for one commit. Each statement must change exactly one row; when one changes none, nothing of
   * this write is kept and the outcome says which one lost.
   */
  async executeAllOrNothing(queries: readonly CompiledQuery[]): Promise<UnitOutcome> {
    const results = await this.enqueue(queries, true);
    const lostAt = results.findIndex((result) => result.numAffectedRows !== 1n);
    return lostAt === -1 && results.length === queries.length ? { applied: true } : { applied: false, lostAt };
  }

  private enqueue(queries: readonly CompiledQuery[], allOrNothing: boolean): Promise<QueryResult<unknown>[]> {
    return new Promise<QueryResult<unknown>[]>((resolve, reject) => {
      this.pending.push({ queries, allOrNothing, resolve, reject });
      this.stats.writes++;
      if (this.flushing) return;
      this.flushing = true;
      // The writes of the requests being handled in this turn of the event loop join in.
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        this.onBatch?.(batch.length);
        await (batch.length === 1 ? this.alone(batch) : this.together(batch));
      }
    } finally {
      this.flushing = false;
    }
  }

  private async together(batch: PendingWrite[]): Promise<void> {
    let results: QueryResult<unknown>[][];
    this.stats.commits++;
    try {
      // On SQLite, when the connection is free, the whole transaction at once (immediate-statements.ts).
      const now = immediateStatementsOf(this.db)?.tryTransaction((execute) =>
        batch.map((write) => runNow(execute, write)),
      );
      results =
        now?.value ??
        (await this.db.transaction().execute(async (trx) => {
          const out: QueryResult<unknown>[][] = [];
          for (const write of batch) out.push(await run(trx, write));
          return out;
        }));
    } catch {
      // A failed statement, or an all-or-nothing write to undo (rare: a compare-and-set after its
      // first lost to another process): nothing was committed; each write runs again on its own.
      await this.alone(batch);
      return;
    }
    batch.forEach((write, i) => {
      const result = results[i];
      if (result) write.resolve(result);
      else write.reject(new Error('group commit lost a result'));
    });
  }

  private async alone(batch: PendingWrite[]): Promise<void> {
    for (const write of batch) {
      this.stats.commits++;
      try {
        write.resolve(await this.once(write));
      } catch (error) {
        write.reject(error);
      }
    }
  }

  /** One write in a commit of its own (a single statement commits by itself). */
  private async once(write: PendingWrite): Promise<QueryResult<unknown>[]> {
    let undone: QueryResult<unknown>[] | undefined;
    const onUndo = (results: QueryResult<unknown>[]) => {
      undone = results;
    };
    try {
      // On SQLite, when the connection is free, at once (immediate-statements.ts).
      const now = immediateStatementsOf(this.db)?.tryTransaction((execute) => runNow(execute, write, onUndo));
      if (now) return now.value;
    } catch (error) {
      if (error instanceof UndoNeeded && undone) return undone;
      throw error;
    }
    const [only] = write.queries;
    if (only && write.queries.length === 1) return [await this.db.executeQuery(only)];
    try {
      return await this.db.transaction().execute((trx) =>
        run(trx, write, (results) => {
          undone = results;
        }),
      );
    } catch (error) {
      if (error instanceof UndoNeeded && undone) return undone;
      throw error;
    }
  }
}

/**
 * Runs a write's statements in `trx`. An all-or-nothing write stops at the first statement that
 * changes no row; if statements before it changed rows, they must be undone: `onUndo` is told the
 * results and UndoNeeded is thrown, which rolls the transaction back.
 */
async function run(
  trx: Kysely<Database>,
  write: PendingWrite,
  onUndo?: (results: QueryResult<unknown>[]) => void,
): Promise<QueryResult<unknown>[]> {
  const results: QueryResult<unknown>[] = [];
  for (const query of write.queries) {
    const result = await trx.executeQuery(query);
    results.push(result);
    if (write.allOrNothing && result.numAffectedRows !== 1n) {
      if (results.length > 1) {
        onUndo?.(results);
        throw new UndoNeeded();
      }
      break;
    }
  }
  return results;
}

/** As run, with statements run at once inside a transaction of ImmediateStatements.tryTransaction. */
function runNow(
  execute: (query: CompiledQuery) => QueryResult<unknown>,
  write: PendingWrite,
  onUndo?: (results: QueryResult<unknown>[]) => void,
): QueryResult<unknown>[] {
  const results: QueryResult<unknown>[] = [];
  for (const query of write.queries) {
    const result = execute(query);
    results.push(result);
    if (write.allOrNothing && result.numAffectedRows !== 1n) {
      if (results.length > 1) {
        onUndo?.(results);
        throw new UndoNeeded();
      }
      break;
    }
  }
  return results;
}

/**
 * An all-or-nothing write run directly on `db` (a repository bound to a unit of work: in a
 * savepoint of its transaction), for where there is no GroupCommit.
 */
export async function executeAllOrNothing(
  db: Kysely<Database>,
  queries: readonly CompiledQuery[],
): Promise<UnitOutcome> {
  let undone: QueryResult<unknown>[] | undefined;
  let results: QueryResult<unknown>[];
  try {
    results = await inTransaction(db, (trx) =>
      run(trx, { queries, allOrNothing: true, resolve: () => {}, reject: () => {} }, (lost) => {
        undone = lost;
      }),
    );
  } catch (error) {
    if (!(error instanceof UndoNeeded) || !undone) throw error;
    results = undone;
  }
  const lostAt = results.findIndex((result) => result.numAffectedRows !== 1n);
  return lostAt === -1 ? { applied: true } : { applied: false, lostAt };
}
