import type {
  ActiveOfOwner,
  FactorKind,
  FactorOf,
  FactorRecord,
  FactorRepository,
  FactorStatus,
  FailuresToClear,
  LockoutRecord,
  UsedStepOutcome,
} from '@tessera/core';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../database.js';
import { durableWrite } from '../durable-write.js';
import { executeAllOrNothing, type GroupCommit } from '../group-commit.js';
import { preparedQuery, preparedStatement } from '../prepared-query.js';
import type { StorageDialect } from '../storage-dialect.js';
import type { FactorRow } from '../tables/factor.table.js';
import type { LockoutRow } from '../tables/lockout.table.js';
import {
  asKind,
  DETAIL_COLUMNS,
  type FactorDetailColumns,
  type FactorWithDetailsRow,
  insertFactorDetails,
  selectFactors,
  TOTP_DETAIL_COLUMNS,
  toFactorRecord,
  toFactorRow,
} from './factor-details.js';
import { buildClearFailuresStatement, toLockoutRecord } from './kysely-lockout.repository.js';
import { toMillis } from './time-columns.js';
import { isUniqueViolation, type UniqueIndex } from './unique-violation.js';

/**
 * `status = 'active'` written as a literal, not a bound parameter: only then can SQLite's planner
 * use the partial index `factors_one_active_per_kind` (its WHERE clause must match the query's),
 * which makes the hot lookups about three times faster.
 */
const ACTIVE = sql.lit<FactorStatus>('active');

/**
 * The owner's id, their lockout row's columns (null when there is none), and, from the left
 * joins, every factor and details column (null when the user has no such factor).
 */
type ActiveByOwnerRow = { owner_id: string; owner_disabled_at: number | null } & NullableLockoutColumns & {
    [K in keyof FactorRow]: FactorRow[K] | null;
  } & FactorDetailColumns;

/** The lockout row's columns as the queries that join it name them: null when there is no row. */
interface NullableLockoutColumns {
  lockout_failed_count: LockoutRow['failed_count'] | null;
  lockout_lock_level: LockoutRow['lock_level'] | null;
  lockout_locked_until: LockoutRow['locked_until'];
  lockout_total_failures: LockoutRow['total_failures'] | null;
  lockout_version: LockoutRow['version'] | null;
}

// Named in migration 2026_11_23_000001_initial: a unique index on (user_id, kind) where status = 'active'.
const ONE_ACTIVE_PER_KIND: UniqueIndex = {
  name: 'factors_one_active_per_kind',
  columns: ['factors.user_id', 'factors.kind'],
};

export class KyselyFactorRepository implements FactorRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StorageDialect,
    /** Where the used step is written: shared commits, unless bound to a unit of work. */
    private readonly groupCommit?: GroupCommit,
  ) {}

  async insertPending(factor: FactorRecord): Promise<void> {
    if (factor.status !== 'pending') throw new Error(`insertPending got a factor with status ${factor.status}`);
    await durableWrite(this.db, this.dialect, async (trx) => {
      // A user restarting an enrollment abandons the earlier one; its secret must not linger
      // (its details row goes with it, ON DELETE CASCADE).
      await trx
        .deleteFrom('factors')
        .where('user_id', '=', factor.userId)
        .where('kind', '=', factor.kind)
        .where('status', '=', 'pending')
        .execute();
      await trx.insertInto('factors').values(toFactorRow(factor)).execute();
      await insertFactorDetails(trx, factor);
    });
  }

  async findById(id: string): Promise<FactorRecord | undefined> {
    const row = await selectFactors(this.db).where('factors.id', '=', id).executeTakeFirst();
    return row && toFactorRecord(row);
  }

  async listByUser(userId: string): Promise<FactorRecord[]> {
    const rows = await selectFactors(this.db)
      .where('factors.user_id', '=', userId)
      .orderBy('factors.created_at')
      .orderBy('factors.id')
      .execute();
    return rows.map(toFactorRecord);
  }

  // Hot lookups of every verification, built and compiled once (see prepared-query.ts).
  private activeQueryCompiled: ReturnType<typeof buildActiveQuery> | undefined;
  private get activeQuery() {
    this.activeQueryCompiled ??= buildActiveQuery(this.db);
    return this.activeQueryCompiled;
  }

  // Each of these in two forms: for TOTP (only its details table joined) and for any kind.
  private readonly activeToCheckQueries = new Map<'totp' | 'any', ReturnType<typeof buildActiveToCheckQuery>>();
  private activeToCheckQuery(kind: FactorKind) {
    return memo(this.activeToCheckQueries, forKind(kind), (k) => buildActiveToCheckQuery(this.db, k));
  }

  private readonly activeByOwnerQueries = new Map<string, ReturnType<typeof buildActiveByOwnerQuery>>();
  private activeByOwnerQuery(column: 'users.username' | 'users.external_id', kind: FactorKind) {
    const key = `${column} ${forKind(kind)}`;
    return memo(this.activeByOwnerQueries, key, () => buildActiveByOwnerQuery(this.db, column, forKind(kind)));
  }

  private usedStepQueryCompiled: ReturnType<typeof buildUsedStepQuery> | undefined;
  private get usedStepQuery() {
    this.usedStepQueryCompiled ??= buildUsedStepQuery(this.db, this.groupCommit);
    return this.usedStepQueryCompiled;
  }

  async findActive<K extends FactorKind>(userId: string, kind: K): Promise<FactorOf<K> | undefined> {
    const [row] = (await this.activeQuery({ userId, kind })).rows;
    return row && asKind(toFactorRecord(row), kind);
  }

  async findActiveToCheck<K extends FactorKind>(
    userId: string,
    kind: K,
  ): Promise<{ factor: FactorOf<K>; lockout: LockoutRecord | undefined } | undefined> {
    const [row] = (await this.activeToCheckQuery(kind)({ userId, kind })).rows;
    if (!row) return undefined;
    return { factor: asKind(toFactorRecord(row), kind), lockout: lockoutOf(userId, row) };
  }

  async findPending<K extends FactorKind>(userId: string, kind: K): Promise<FactorOf<K> | undefined> {
    // insertPending keeps one; should two have slipped in (two concurrent enrollments on
    // PostgreSQL), the latest is the one the user is looking at.
    const row = await selectFactors(this.db)
      .where('factors.user_id', '=', userId)
      .where('factors.kind', '=', kind)
      .where('factors.status', '=', 'pending')
      .orderBy('factors.created_at', 'desc')
      .orderBy('factors.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && asKind(toFactorRecord(row), kind);
  }

  async findActiveByUsername<K extends FactorKind>(username: string, kind: K): Promise<ActiveOfOwner<K> | undefined> {
    return ownerAndFactor(
      (await this.activeByOwnerQuery('users.username', kind)({ owner: username, kind })).rows[0],
      kind,
    );
  }

  async findActiveByExternalId<K extends FactorKind>(
    externalId: string,
    kind: K,
  ): Promise<ActiveOfOwner<K> | undefined> {
    return ownerAndFactor(
      (await this.activeByOwnerQuery('users.external_id', kind)({ owner: externalId, kind })).rows[0],
      kind,
    );
  }

  async hasActive(userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('factors')
      .select('id')
      .where('user_id', '=', userId)
      .where('status', '=', ACTIVE)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async activate(id: string, now: Date, usedStep: number | null): Promise<boolean> {
    try {
      return await durableWrite(this.db, this.dialect, async (trx) => {
        const result = await trx
          .updateTable('factors')
          .set({ status: 'active', activated_at: toMillis(now), expires_at: null })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (result.numUpdatedRows !== 1n) return false;
        // The confirming code's step counts as used, so it cannot also sign in. Only TOTP has
        // steps: for another kind there is no row to update.
        if (usedStep !== null) {
          await trx.updateTable('factor_totp').set({ last_used_step: usedStep }).where('factor_id', '=', id).execute();
        }
        return true;
      });
    } catch (error) {
      // Another factor of this kind became active first (two confirmations racing).
      if (isUniqueViolation(error, ONE_ACTIVE_PER_KIND)) return false;
      throw error;
    }
  }

  async recordUsedStep(id: string, step: number): Promise<boolean> {
    // One statement, not a read and a write: of any number of concurrent callers with the same
    // step, across processes, exactly one matches the condition. Not a durable write — see
    // durable-write.ts.
    const result = await this.usedStepQuery({ id, step });
    return result.numAffectedRows === 1n;
  }

  private usedStepStatementBuilt: ReturnType<typeof buildUsedStepStatement> | undefined;
  private clearFailuresStatementBuilt: ReturnType<typeof buildClearFailuresStatement> | undefined;
  private usedStepIfNoLockoutBuilt: ReturnType<typeof buildUsedStepIfLockoutStatement> | undefined;
  private usedStepIfLockoutAtBuilt: ReturnType<typeof buildUsedStepIfLockoutStatement> | undefined;
  private stepOfActiveBuilt: ReturnType<typeof buildStepOfActiveQuery> | undefined;

  async recordUsedStepClearingFailures(
    id: string,
    step: number,
    clearFailures?: FailuresToClear,
  ): Promise<UsedStepOutcome> {
    if (clearFailures && (clearFailures.expectedVersion === 0 || clearFailures.nothingToClear)) {
      return this.recordUsedStepIfLockoutUnchanged(id, step, clearFailures);
    }
    this.usedStepStatementBuilt ??= buildUsedStepStatement(this.db);
    const statements = [this.usedStepStatementBuilt({ id, step })];
    if (clearFailures) {
      this.clearFailuresStatementBuilt ??= buildClearFailuresStatement(this.db);
      statements.push(this.clearFailuresStatementBuilt(clearFailures));
    }
    // Shared commits, unless bound to a unit of work (then in its transaction, all or nothing).
    const outcome = this.groupCommit
      ? await this.groupCommit.executeAllOrNothing(statements)
      : await executeAllOrNothing(this.db, statements);
    if (outcome.applied) return 'recorded';
    return outcome.lostAt === 0 ? 'replayed' : 'lockout_changed';
  }

  /**
   * The step alone, for an account with nothing to clear: the lockout row is not written, only
   * required to be as read (still none, or still that version) by the same UPDATE. One statement
   * instead of two, and one row written instead of two, for most valid codes (an account that
   * never failed has no row at all).
   */
  private async recordUsedStepIfLockoutUnchanged(
    id: string,
    step: number,
    read: FailuresToClear,
  ): Promise<UsedStepOutcome> {
    this.usedStepIfNoLockoutBuilt ??= buildUsedStepIfLockoutStatement(this.db, 'none');
    this.usedStepIfLockoutAtBuilt ??= buildUsedStepIfLockoutStatement(this.db, 'at version');
    const statement = read.expectedVersion === 0 ? this.usedStepIfNoLockoutBuilt : this.usedStepIfLockoutAtBuilt;
    const query = statement({ id, step, userId: read.userId, expectedVersion: read.expectedVersion });
    const result = this.groupCommit ? await this.groupCommit.execute(query) : await this.db.executeQuery(query);
    if (result.numAffectedRows === 1n) return 'recorded';
    // Which condition failed, read after the fact (rare: a replay, or a race). A step not newer,
    // or a factor no longer active, is a replay, as the UPDATE alone says; otherwise the lockout
    // row changed, and the caller reads it again and decides again.
    this.stepOfActiveBuilt ??= buildStepOfActiveQuery(this.db);
    const [row] = (await this.stepOfActiveBuilt({ id })).rows;
    const stillNewer = row !== undefined && (row.last_used_step === null || row.last_used_step < step);
    return stillNewer ? 'lockout_changed' : 'replayed';
  }

  async delete(id: string): Promise<boolean> {
    const result = await durableWrite(this.db, this.dialect, (trx) =>
      trx.deleteFrom('factors').where('id', '=', id).executeTakeFirst(),
    );
    return result.numDeletedRows === 1n;
  }

  async deleteAllForUser(userId: string): Promise<FactorKind[]> {
    // RETURNING reports exactly what this statement removed, so a factor activated or deleted
    // concurrently is never reported wrongly.
    const removed = await durableWrite(this.db, this.dialect, (trx) =>
      trx.deleteFrom('factors').where('user_id', '=', userId).returning(['kind', 'status']).execute(),
    );
    return sortKinds(removed.filter((row) => row.status === 'active').map((row) => row.kind));
  }

  async activeKinds(userId: string): Promise<FactorKind[]> {
    const rows = await this.db
      .selectFrom('factors')
      .select('kind')
      .where('user_id', '=', userId)
      .where('status', '=', ACTIVE)
      .execute();
    return sortKinds(rows.map((row) => row.kind));
  }

  async insertActive(factor: FactorRecord): Promise<'inserted' | 'already_active'> {
    if (factor.status !== 'active') throw new Error(`insertActive got a factor with status ${factor.status}`);
    try {
      await durableWrite(this.db, this.dialect, async (trx) => {
        await trx.insertInto('factors').values(toFactorRow(factor)).execute();
        await insertFactorDetails(trx, factor);
      });
      return 'inserted';
    } catch (error) {
      // Decided by the unique index, not by a look-up first, so two concurrent inserts cannot
      // both win.
      if (isUniqueViolation(error, ONE_ACTIVE_PER_KIND)) return 'already_active';
      throw error;
    }
  }
}

/**
 * Sorted by name, so both dialects give the same order whatever order the rows came in (and
 * without a run-time import of the core for its list of kinds).
 */
export function sortKinds(kinds: readonly FactorKind[]): FactorKind[] {
  return [...kinds].sort();
}

function buildActiveQuery(db: Kysely<Database>) {
  return preparedQuery<FactorWithDetailsRow, 'userId' | 'kind'>(db, (value) =>
    selectFactors(db)
      .where('factors.user_id', '=', value('userId'))
      .where('factors.kind', '=', value('kind'))
      .where('factors.status', '=', ACTIVE),
  );
}

function ownerAndFactor<K extends FactorKind>(
  row: ActiveByOwnerRow | undefined,
  kind: K,
): ActiveOfOwner<K> | undefined {
  if (!row) return undefined;
  const owner = {
    userId: row.owner_id,
    disabled: row.owner_disabled_at !== null,
    lockout: lockoutOf(row.owner_id, row),
  };
  // A left join types every factor column as nullable; a non-null id means the row is whole.
  if (row.id === null) return { ...owner, factor: undefined };
  // The owner and lockout columns ride along unread: toFactorRecord reads the factor's by name.
  return { ...owner, factor: asKind(toFactorRecord(row as FactorWithDetailsRow & typeof row), kind) };
}

/**
 * The account's lockout row from the lockout columns of a left join: a non-null version means it
 * is there, and whole. The columns are read by name, not split off the row with a rest pattern:
 * copying the other twenty columns of every verification's row was a few percent of its CPU.
 */
function lockoutOf(userId: string, row: NullableLockoutColumns): LockoutRecord | undefined {
  if (row.lockout_version === null) return undefined;
  return toLockoutRecord({
    user_id: userId,
    failed_count: row.lockout_failed_count ?? 0,
    lock_level: row.lockout_lock_level ?? 0,
    locked_until: row.lockout_locked_until,
    total_failures: row.lockout_total_failures ?? 0,
    version: row.lockout_version,
  });
}

const LOCKOUT_COLUMNS = [
  'lockouts.failed_count as lockout_failed_count',
  'lockouts.lock_level as lockout_lock_level',
  'lockouts.locked_until as lockout_locked_until',
  'lockouts.total_failures as lockout_total_failures',
  'lockouts.version as lockout_version',
] as const;

/** Which form of a hot lookup a kind is read with: TOTP's own, or the one for any kind. */
function forKind(kind: FactorKind): 'totp' | 'any' {
  return kind === 'totp' ? 'totp' : 'any';
}

/** The value built for `key`, built on its first use. */
function memo<K, V>(built: Map<K, V>, key: K, build: (key: K) => V): V {
  let value = built.get(key);
  if (value === undefined) {
    value = build(key);
    built.set(key, value);
  }
  return value;
}

/** Factors with their details, read as `form`: TOTP ones (only factor_totp joined) or any. */
function selectFactorsAs(db: Kysely<Database>, form: 'totp' | 'any') {
  return form === 'totp'
    ? db
        .selectFrom('factors')
        .leftJoin('factor_totp', 'factor_totp.factor_id', 'factors.id')
        .selectAll('factors')
        .select(TOTP_DETAIL_COLUMNS)
    : selectFactors(db);
}

/** The active factor of a kind with its owner's lockout row (the check of a code reads both). */
function buildActiveToCheckQuery(db: Kysely<Database>, form: 'totp' | 'any') {
  return preparedQuery<FactorWithDetailsRow & NullableLockoutColumns, 'userId' | 'kind'>(db, (value) =>
    selectFactorsAs(db, form)
      .leftJoin('lockouts', 'lockouts.user_id', 'factors.user_id')
      .select(LOCKOUT_COLUMNS)
      .where('factors.user_id', '=', value('userId'))
      .where('factors.kind', '=', value('kind'))
      .where('factors.status', '=', ACTIVE),
  );
}

/** The user named by `column` (a unique one) with their active factor of a kind, in one statement. */
function buildActiveByOwnerQuery(
  db: Kysely<Database>,
  column: 'users.username' | 'users.external_id',
  form: 'totp' | 'any',
) {
  return preparedQuery<ActiveByOwnerRow, 'owner' | 'kind'>(db, (value) => {
    const withFactor = db
      .selectFrom('users')
      .leftJoin('factors', (join) =>
        join
          .onRef('factors.user_id', '=', 'users.id')
          .on('factors.kind', '=', value('kind'))
          .on('factors.status', '=', ACTIVE),
      )
      .leftJoin('factor_totp', 'factor_totp.factor_id', 'factors.id')
      // The lockout row too: the check that follows starts its compare-and-set from it.
      .leftJoin('lockouts', 'lockouts.user_id', 'users.id')
      .select(['users.id as owner_id', 'users.disabled_at as owner_disabled_at'])
      .select(LOCKOUT_COLUMNS)
      .selectAll('factors')
      .where(column, '=', value('owner'));
    if (form === 'totp') return withFactor.select(TOTP_DETAIL_COLUMNS);
    return withFactor
      .leftJoin('factor_sms', 'factor_sms.factor_id', 'factors.id')
      .leftJoin('factor_email', 'factor_email.factor_id', 'factors.id')
      .leftJoin('factor_backup_codes', 'factor_backup_codes.factor_id', 'factors.id')
      .leftJoin('factor_webauthn', 'factor_webauthn.factor_id', 'factors.id')
      .select(DETAIL_COLUMNS);
  });
}

/**
 * The conditional UPDATE that makes a TOTP code single-use: the step is stored only if it is
 * newer, and only for an active factor (a pending one is confirmed through activate).
 */
function buildUsedStepQuery(db: Kysely<Database>, groupCommit: GroupCommit | undefined) {
  const statement = buildUsedStepStatement(db);
  return (values: { id: string; step: number }) =>
    groupCommit ? groupCommit.execute(statement(values)) : db.executeQuery(statement(values));
}

/**
 * The used-step UPDATE, also on condition that the owner's lockout row is as an attempt read it:
 * still none, or still at `expectedVersion`. A failure committed since (one that may have locked
 * the account) makes it change nothing.
 */
function buildUsedStepIfLockoutStatement(db: Kysely<Database>, lockout: 'none' | 'at version') {
  return preparedStatement<never, 'id' | 'step' | 'userId' | 'expectedVersion'>((value) =>
    usedStepUpdate(db, value).where((eb) => {
      const row = eb
        .selectFrom('lockouts')
        .select(sql.lit(1).as('one'))
        .where('lockouts.user_id', '=', value('userId'));
      return lockout === 'none'
        ? eb.not(eb.exists(row))
        : eb.exists(row.where('lockouts.version', '=', value('expectedVersion')));
    }),
  );
}

/** The last used step of an active TOTP factor (none: not active, or gone). */
function buildStepOfActiveQuery(db: Kysely<Database>) {
  return preparedQuery<{ last_used_step: number | null }, 'id'>(db, (value) =>
    db
      .selectFrom('factor_totp')
      .innerJoin('factors', 'factors.id', 'factor_totp.factor_id')
      .select('factor_totp.last_used_step')
      .where('factor_totp.factor_id', '=', value('id'))
      .where('factors.status', '=', ACTIVE),
  );
}

/** The conditional UPDATE that records a used step: it changes a row only for a newer step. */
function buildUsedStepStatement(db: Kysely<Database>) {
  return preparedStatement<never, 'id' | 'step'>((value) => usedStepUpdate(db, value));
}

function usedStepUpdate<Name extends string>(db: Kysely<Database>, value: (name: 'id' | 'step' | Name) => never) {
  return db
    .updateTable('factor_totp')
    .set({ last_used_step: value('step') })
    .where('factor_id', '=', value('id'))
    .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', value('step'))]))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('factors')
          .select(sql.lit(1).as('one'))
          .where('factors.id', '=', value('id'))
          .where('factors.status', '=', ACTIVE),
      ),
    );
}
