import type { CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database } from './database.js';

interface PendingWrite {
  query: CompiledQuery;
  resolve(result: QueryResult<unknown>): void;
  reject(error: unknown): void;
}

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
 * Should the shared transaction fail (one statement fails, which on PostgreSQL aborts the
 * others with it), nothing of it was committed, and each write runs again on its own and
 * answers for itself.
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
    return new Promise<QueryResult<R>>((resolve, reject) => {
      this.pending.push({ query, resolve: resolve as PendingWrite['resolve'], reject });
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
    let results: QueryResult<unknown>[];
    this.stats.commits++;
    try {
      results = await this.db.transaction().execute(async (trx) => {
        const out: QueryResult<unknown>[] = [];
        for (const write of batch) out.push(await trx.executeQuery(write.query));
        return out;
      });
    } catch {
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
        write.resolve(await this.db.executeQuery(write.query));
      } catch (error) {
        write.reject(error);
      }
    }
  }
}
