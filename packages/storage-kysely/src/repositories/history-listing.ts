import type { HistoryFilter } from '@tessera/core';
import type { Kysely, SelectQueryBuilder } from 'kysely';
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
 * Whether `history_counts` holds the filtered set's total: it does for every filter on neither a
 * user nor a time, which are the ones whose sets run to millions.
 */
export function isCountedFilter(filter: HistoryFilter): boolean {
  return filter.userId === undefined && filter.from === undefined && filter.to === undefined;
}

/** The total of a counted filter (see isCountedFilter), from at most a few dozen rows. */
export function countedTotalQuery(db: Kysely<Database>, filter: HistoryFilter) {
  let query = db.selectFrom('history_counts');
  if (filter.method !== undefined) query = query.where('method', '=', filter.method);
  if (filter.enabled !== undefined) query = query.where('enabled', '=', filter.enabled ? 1 : 0);
  return query.select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('entries'), eb.lit(0)).as('count'));
}

/**
 * Counts one new entry, in the transaction that inserts it, so a change rolled back is not
 * counted. On PostgreSQL the counter's row stays locked until that transaction ends: changes
 * that record the same kind of entry at the same moment commit one after the other (changes
 * are rare next to reads). A change that records several entries records them in one order
 * (FactorChanges.recordAllIn), so two of them cannot wait for each other.
 */
export async function countEntry(trx: Kysely<Database>, method: string, enabled: 0 | 1): Promise<void> {
  await trx
    .insertInto('history_counts')
    .values({ method, enabled, entries: 1 })
    .onConflict((oc) =>
      oc.columns(['method', 'enabled']).doUpdateSet((eb) => ({ entries: eb('history_counts.entries', '+', 1) })),
    )
    .execute();
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
