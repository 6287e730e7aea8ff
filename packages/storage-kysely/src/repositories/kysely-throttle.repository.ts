import type { ThrottleRecord, ThrottleRepository } from '@tessera/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { preparedQuery } from '../prepared-query.js';
import type { ThrottleRow } from '../tables/throttle.table.js';
import { toNullableDate, toNullableMillis } from './time-columns.js';

export class KyselyThrottleRepository implements ThrottleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  // Read on every password check: built and compiled once (see prepared-query.ts).
  private findQueryCompiled: ReturnType<typeof buildFindQuery> | undefined;
  private get findQuery() {
    this.findQueryCompiled ??= buildFindQuery(this.db);
    return this.findQueryCompiled;
  }

  async find(key: string): Promise<ThrottleRecord | undefined> {
    const [row] = (await this.findQuery({ key })).rows;
    return row && toThrottleRecord(row);
  }

  async compareAndSet(expectedVersion: number, next: ThrottleRecord): Promise<boolean> {
    // A version that does not move forward would let a stale writer match again later.
    if (next.version <= expectedVersion) {
      throw new RangeError(`throttle version must increase (expected ${expectedVersion}, next ${next.version})`);
    }
    const values = {
      failures: next.failures,
      level: next.level,
      blocked_until: toNullableMillis(next.blockedUntil),
      window_started_at: toNullableMillis(next.windowStartedAt),
      version: next.version,
    };
    if (expectedVersion === 0) {
      // Of concurrent first failures the primary key lets one insert win; the others retry.
      const result = await this.db
        .insertInto('throttles')
        .values({ key: next.key, ...values })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      return result.numInsertedOrUpdatedRows === 1n;
    }
    const result = await this.db
      .updateTable('throttles')
      .set(values)
      .where('key', '=', next.key)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async reset(key: string): Promise<void> {
    // Bumping the version makes a concurrent compare-and-set based on the old state lose.
    await this.db
      .updateTable('throttles')
      .set((eb) => ({
        failures: 0,
        level: 0,
        blocked_until: null,
        window_started_at: null,
        version: eb('version', '+', 1),
      }))
      .where('key', '=', key)
      .execute();
  }
}

function toThrottleRecord(row: ThrottleRow): ThrottleRecord {
  return {
    key: row.key,
    failures: row.failures,
    level: row.level,
    blockedUntil: toNullableDate(row.blocked_until),
    windowStartedAt: toNullableDate(row.window_started_at),
    version: row.version,
  };
}

function buildFindQuery(db: Kysely<Database>) {
  return preparedQuery<ThrottleRow, 'key'>(db, (value) =>
    db.selectFrom('throttles').selectAll().where('key', '=', value('key')),
  );
}
