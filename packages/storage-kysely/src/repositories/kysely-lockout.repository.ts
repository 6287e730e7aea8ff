import type { LockoutRecord, LockoutRepository } from '@tessera/core';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { GroupCommit } from '../group-commit.js';
import { preparedQuery, preparedStatement } from '../prepared-query.js';
import type { StorageDialect } from '../storage-dialect.js';
import type { LockoutRow } from '../tables/lockout.table.js';
import { inTransaction } from '../transaction.js';
import { toNullableDate, toNullableMillis } from './time-columns.js';

export class KyselyLockoutRepository implements LockoutRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StorageDialect,
    /** Where the attempt's writes go: shared commits, unless bound to a unit of work. */
    private readonly groupCommit?: GroupCommit,
  ) {}

  // Read on every second-factor attempt: built and compiled once (see prepared-query.ts).
  private findQueryCompiled: ReturnType<typeof buildFindQuery> | undefined;
  private get findQuery() {
    this.findQueryCompiled ??= buildFindQuery(this.db);
    return this.findQueryCompiled;
  }

  private casQueryCompiled: ReturnType<typeof buildCasQuery> | undefined;
  private get casQuery() {
    this.casQueryCompiled ??= buildCasQuery(this.db, this.groupCommit);
    return this.casQueryCompiled;
  }

  private insertQueryCompiled: ReturnType<typeof buildInsertQuery> | undefined;
  private get insertQuery() {
    this.insertQueryCompiled ??= buildInsertQuery(this.db, this.groupCommit);
    return this.insertQueryCompiled;
  }

  private resetQueryCompiled: ReturnType<typeof buildResetQuery> | undefined;
  private get resetQuery() {
    this.resetQueryCompiled ??= buildResetQuery(this.db, this.groupCommit);
    return this.resetQueryCompiled;
  }

  async find(userId: string): Promise<LockoutRecord | undefined> {
    const [row] = (await this.findQuery({ userId })).rows;
    return row && toLockoutRecord(row);
  }

  async compareAndSet(expectedVersion: number, next: LockoutRecord): Promise<boolean> {
    // A version that does not move forward would let a stale writer match again later.
    if (next.version <= expectedVersion) {
      throw new RangeError(`lockout version must increase (expected ${expectedVersion}, next ${next.version})`);
    }
    const values = {
      failed_count: next.failedCount,
      lock_level: next.lockLevel,
      locked_until: toNullableMillis(next.lockedUntil),
      total_failures: next.totalFailures,
      version: next.version,
    };
    if (expectedVersion === 0) {
      // "No row yet": of concurrent first failures, the primary key lets one insert win; the
      // others see no row inserted and retry against the row it wrote.
      const result = await this.insertQuery({ ...values, userId: next.userId });
      return result.numAffectedRows === 1n;
    }
    const result = await this.casQuery({ ...values, userId: next.userId, expectedVersion });
    return result.numAffectedRows === 1n;
  }

  async updateSerialized<R>(
    userId: string,
    decide: (current: LockoutRecord | undefined) => { next?: LockoutRecord; result: R },
  ): Promise<R> {
    // SQLite: the transaction begins IMMEDIATE (immediate-sqlite-dialect.ts), so it holds the
    // database's write lock from its first statement. PostgreSQL: the row lock of FOR UPDATE;
    // a row that does not exist yet cannot be locked, so of two first writers one inserts and
    // the other, finding the row there, locks it and decides again.
    return inTransaction(this.db, async (trx) => {
      for (;;) {
        const current = await this.lockedRow(trx, userId);
        const { next, result } = decide(current);
        if (!next) return result;
        if (current) {
          await trx
            .updateTable('lockouts')
            .set(lockoutColumns(next))
            .where('user_id', '=', userId)
            .executeTakeFirstOrThrow();
          return result;
        }
        const inserted = await trx
          .insertInto('lockouts')
          .values({ user_id: userId, ...lockoutColumns(next) })
          .onConflict((oc) => oc.column('user_id').doNothing())
          .executeTakeFirst();
        if (inserted.numInsertedOrUpdatedRows === 1n) return result;
      }
    });
  }

  private async lockedRow(trx: Transaction<Database>, userId: string): Promise<LockoutRecord | undefined> {
    const query = trx.selectFrom('lockouts').selectAll().where('user_id', '=', userId);
    const row = await (this.dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
    return row && toLockoutRecord(row);
  }

  async reset(userId: string): Promise<void> {
    // Bumping the version makes a concurrent compare-and-set based on the old state lose.
    await this.resetQuery({ userId });
  }
}

function lockoutColumns(next: LockoutRecord): Omit<LockoutRow, 'user_id'> {
  return {
    failed_count: next.failedCount,
    lock_level: next.lockLevel,
    locked_until: toNullableMillis(next.lockedUntil),
    total_failures: next.totalFailures,
    version: next.version,
  };
}

export function toLockoutRecord(row: LockoutRow): LockoutRecord {
  return {
    userId: row.user_id,
    failedCount: row.failed_count,
    lockLevel: row.lock_level,
    lockedUntil: toNullableDate(row.locked_until),
    totalFailures: row.total_failures,
    version: row.version,
  };
}

function buildFindQuery(db: Kysely<Database>) {
  return preparedQuery<LockoutRow, 'userId'>(db, (value) =>
    db.selectFrom('lockouts').selectAll().where('user_id', '=', value('userId')),
  );
}

/** An account's first failed attempt (or first attempt at all): the row does not exist yet. */
function buildInsertQuery(db: Kysely<Database>, groupCommit: GroupCommit | undefined) {
  return preparedQuery<never, keyof Omit<LockoutRow, 'user_id'> | 'userId'>(
    db,
    (value) =>
      db
        .insertInto('lockouts')
        .values({
          user_id: value('userId'),
          failed_count: value('failed_count'),
          lock_level: value('lock_level'),
          locked_until: value('locked_until'),
          total_failures: value('total_failures'),
          version: value('version'),
        })
        .onConflict((oc) => oc.column('user_id').doNothing()),
    groupCommit && ((query) => groupCommit.execute(query)),
  );
}

/** The compare-and-set of every failed attempt. */
function buildCasQuery(db: Kysely<Database>, groupCommit: GroupCommit | undefined) {
  return preparedQuery<
    never,
    'failed_count' | 'lock_level' | 'locked_until' | 'total_failures' | 'version' | 'userId' | 'expectedVersion'
  >(
    db,
    (value) =>
      db
        .updateTable('lockouts')
        .set({
          failed_count: value('failed_count'),
          lock_level: value('lock_level'),
          locked_until: value('locked_until'),
          total_failures: value('total_failures'),
          version: value('version'),
        })
        .where('user_id', '=', value('userId'))
        .where('version', '=', value('expectedVersion')),
    groupCommit && ((query) => groupCommit.execute(query)),
  );
}

/** The reset after every success. */
function buildResetQuery(db: Kysely<Database>, groupCommit: GroupCommit | undefined) {
  return preparedQuery<never, 'userId'>(
    db,
    (value) =>
      db
        .updateTable('lockouts')
        .set((eb) => ({
          failed_count: 0,
          lock_level: 0,
          locked_until: null,
          total_failures: 0,
          version: eb('version', '+', 1),
        }))
        .where('user_id', '=', value('userId')),
    groupCommit && ((query) => groupCommit.execute(query)),
  );
}

/**
 * The reset a valid code brings, as a compare-and-set: only while the row is still the version
 * the attempt was decided on (see FactorRepository.recordUsedStepClearingFailures).
 */
export function buildClearFailuresStatement(db: Kysely<Database>) {
  return preparedStatement<never, 'userId' | 'expectedVersion'>((value) =>
    db
      .updateTable('lockouts')
      .set((eb) => ({
        failed_count: 0,
        lock_level: 0,
        locked_until: null,
        total_failures: 0,
        version: eb('version', '+', 1),
      }))
      .where('user_id', '=', value('userId'))
      .where('version', '=', value('expectedVersion')),
  );
}
