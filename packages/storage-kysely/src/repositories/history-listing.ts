import type { HistoryFilter } from '@tessera/core';
import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from '../database.js';
import { toMillis } from './time-columns.js';

/**
 * The two queries of a history listing, kept apart from the repository so that their plans can
 * be checked (history-listing.test.ts): with millions of rows, a plan that sorts or reads the
 * table instead of one index is the difference between milliseconds and seconds.
 */

/** One page, ordered by created_at then id (entries of the same millisecond keep one order). */
export function historyPageQuery(
  db: Kysely<Database>,
  filter: HistoryFilter,
  order: 'asc' | 'desc',
  limit: number,
  offset: number,
) {
  return db
    .selectFrom('history')
    .$call((qb) => applyFilter(qb, filter))
    .selectAll()
    .orderBy('created_at', order)
    .orderBy('id', order)
    .limit(limit)
    .offset(offset);
}

/**
 * The size of the filtered set. A query of its own: a window function would count the whole
 * filtered set for every page anyway, and return nothing past the end. Every filter column is
 * in the indexes (migration 2026_11_25_000070), so this reads index entries, never the table.
 */
export function historyCountQuery(db: Kysely<Database>, filter: HistoryFilter) {
  return db
    .selectFrom('history')
    .$call((qb) => applyFilter(qb, filter))
    .select((eb) => eb.fn.countAll<number | string>().as('count'));
}

/**
 * The filtered set's total from at most a few dozen counter rows, for every filter without a
 * time (the others return undefined and are counted by historyCountQuery): `history_counts`
 * for one on no user, whose set runs to millions, `history_user_counts` for one on a user, whose
 * set runs to 100,000. Each also narrowed by method and enabled flag.
 */
export function countedTotalQuery(db: Kysely<Database>, filter: HistoryFilter) {
  const { userId, method, enabled } = filter;
  if (filter.from !== undefined || filter.to !== undefined) return undefined;
  const flag = enabled ? 1 : 0;
  const total = sql<number | string>`coalesce(sum(entries), 0)`.as('count');
  if (userId !== undefined)
    return db
      .selectFrom('history_user_counts')
      .where('user_id', '=', userId)
      .$if(method !== undefined, (qb) => qb.where('method', '=', method as string))
      .$if(enabled !== undefined, (qb) => qb.where('enabled', '=', flag))
      .select(total);
  return db
    .selectFrom('history_counts')
    .$if(method !== undefined, (qb) => qb.where('method', '=', method as string))
    .$if(enabled !== undefined, (qb) => qb.where('enabled', '=', flag))
    .select(total);
}

/**
 * Counts one new entry, in the transaction that inserts it, so a change rolled back is not
 * counted: in `history_counts`, and in `history_user_counts` when it is about a user. On
 * PostgreSQL each counter's row stays locked until that transaction ends: changes that record
 * the same kind of entry at the same moment commit one after the other (changes are rare next
 * to reads). Every insert takes its two rows in one order (the kind's, then the user's), and a
 * change that records several entries records them in one order (FactorChanges.recordAllIn), so
 * two changes cannot wait for each other. Pseudonymise takes a user's rows in the same order.
 */
export async function countEntry(
  trx: Kysely<Database>,
  userId: string | null,
  method: string,
  enabled: 0 | 1,
): Promise<void> {
  await trx
    .insertInto('history_counts')
    .values({ method, enabled, entries: 1 })
    .onConflict((oc) =>
      oc.columns(['method', 'enabled']).doUpdateSet((eb) => ({ entries: eb('history_counts.entries', '+', 1) })),
    )
    .execute();
  if (userId === null) return;
  await trx
    .insertInto('history_user_counts')
    .values({ user_id: userId, method, enabled, entries: 1 })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'method', 'enabled'])
        .doUpdateSet((eb) => ({ entries: eb('history_user_counts.entries', '+', 1) })),
    )
    .execute();
}

/**
 * Takes entries moved away from a user (pseudonymised) off the user's counts, in the
 * transaction that moved them: by what was moved, not by deleting the rows, so an entry that
 * another transaction added for the user meanwhile stays counted. In the order of countEntry
 * (method, then enabled), so this and an insert for the same user cannot wait for each other.
 */
export async function uncountUserEntries(
  trx: Kysely<Database>,
  userId: string,
  moved: readonly { method: string; enabled: 0 | 1 }[],
): Promise<void> {
  const byKind = new Map<string, { method: string; enabled: 0 | 1; entries: number }>();
  for (const { method, enabled } of moved) {
    const key = `${method}\u0000${enabled}`;
    const kind = byKind.get(key) ?? { method, enabled, entries: 0 };
    kind.entries += 1;
    byKind.set(key, kind);
  }
  const kinds = [...byKind.values()].sort(
    (a, b) => (a.method < b.method ? -1 : a.method > b.method ? 1 : 0) || a.enabled - b.enabled,
  );
  for (const { method, enabled, entries } of kinds) {
    await trx
      .updateTable('history_user_counts')
      .set((eb) => ({ entries: eb('entries', '-', entries) }))
      .where('user_id', '=', userId)
      .where('method', '=', method)
      .where('enabled', '=', enabled)
      .execute();
  }
  await trx.deleteFrom('history_user_counts').where('user_id', '=', userId).where('entries', '<=', 0).execute();
}

/** Absent and undefined filter fields both mean "any". */
function applyFilter<O>(
  qb: SelectQueryBuilder<Database, 'history', O>,
  filter: HistoryFilter,
): SelectQueryBuilder<Database, 'history', O> {
  let query = qb;
  if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
  if (filter.method !== undefined) query = query.where('method', '=', filter.method);
  if (filter.enabled !== undefined) query = query.where('enabled', '=', filter.enabled ? 1 : 0);
  if (filter.from !== undefined) query = query.where('created_at', '>=', toMillis(filter.from));
  if (filter.to !== undefined) query = query.where('created_at', '<', toMillis(filter.to));
  return query;
}
