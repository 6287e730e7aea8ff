import type { HistoryFilter, HistoryPage, HistoryRecord, HistoryRepository } from '@tessera/core';
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from '../database.js';
import { durableWrite } from '../durable-write.js';
import type { StorageDialect } from '../storage-dialect.js';
import type { HistoryRow } from '../tables/history.table.js';
import { toDate, toMillis } from './time-columns.js';

export class KyselyHistoryRepository implements HistoryRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StorageDialect,
  ) {}

  async insert(entry: HistoryRecord): Promise<void> {
    // Durable: the record of a change must not be lost while the change itself is kept.
    await durableWrite(this.db, this.dialect, (trx) =>
      trx
        .insertInto('history')
        .values({
          id: entry.id,
          user_id: entry.userId,
          user_pseudonym: entry.userPseudonym,
          method: entry.method,
          action: entry.action,
          enabled: entry.enabled ? 1 : 0,
          actor: entry.actor,
          actor_id: entry.actorId,
          client_ip: entry.clientIp,
          details: entry.details,
          created_at: toMillis(entry.createdAt),
        })
        .execute(),
    );
  }

  async findById(id: string): Promise<HistoryRecord | undefined> {
    const row = await this.db.selectFrom('history').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toHistoryRecord(row);
  }

  async list(filter: HistoryFilter, order: 'asc' | 'desc', limit: number, offset: number): Promise<HistoryPage> {
    const filtered = this.db.selectFrom('history').$call((qb) => applyFilter(qb, filter));
    // Ordered by id after created_at so entries of the same millisecond keep one order and no
    // entry shows on two pages or none. The count is a query of its own: a window function
    // would count the whole filtered set for every page anyway, and return nothing past the end.
    const [rows, { count }] = await Promise.all([
      filtered.selectAll().orderBy('created_at', order).orderBy('id', order).limit(limit).offset(offset).execute(),
      filtered.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toHistoryRecord), total: Number(count) };
  }

  async pseudonymise(userId: string, pseudonym: string): Promise<number> {
    return durableWrite(this.db, this.dialect, async (trx) => {
      const about = await trx
        .updateTable('history')
        .set({ user_id: null, user_pseudonym: pseudonym })
        .where('user_id', '=', userId)
        .executeTakeFirst();
      // What the account did itself (or to others, as an admin): the address it came from goes too.
      await trx
        .updateTable('history')
        .set({ actor_id: pseudonym, client_ip: null })
        .where('actor_id', '=', userId)
        .execute();
      return Number(about.numUpdatedRows);
    });
  }
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

function toHistoryRecord(row: HistoryRow): HistoryRecord {
  return {
    id: row.id,
    userId: row.user_id,
    userPseudonym: row.user_pseudonym,
    method: row.method,
    action: row.action,
    enabled: row.enabled === 1,
    actor: row.actor,
    actorId: row.actor_id,
    clientIp: row.client_ip,
    details: row.details,
    createdAt: toDate(row.created_at),
  };
}
