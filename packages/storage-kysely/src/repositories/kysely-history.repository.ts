import type { HistoryFilter, HistoryPage, HistoryRecord, HistoryRepository, StoredHistoryRecord } from '@tessera/core';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../database.js';
import { durableWrite } from '../durable-write.js';
import type { StorageDialect } from '../storage-dialect.js';
import type { HistoryRow } from '../tables/history.table.js';
import {
  countEntry,
  countedTotalQuery,
  historyCountQuery,
  historyPageQuery,
  uncountUserEntries,
} from './history-listing.js';
import { toDate, toMillis } from './time-columns.js';

export class KyselyHistoryRepository implements HistoryRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StorageDialect,
  ) {}

  async insert(entry: HistoryRecord): Promise<number> {
    // Durable: the record of a change must not be lost while the change itself is kept.
    return durableWrite(this.db, this.dialect, async (trx) => {
      const inserted = await trx
        .insertInto('history')
        .values({
          id: entry.id,
          // PostgreSQL's identity column numbers the entry; SQLite's single writer makes this safe.
          ...(this.dialect === 'postgres'
            ? {}
            : { number: sql<number>`(select coalesce(max(number), 0) + 1 from history)` }),
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
        .returning('number')
        .executeTakeFirstOrThrow();
      await countEntry(trx, entry.userId, entry.method, entry.enabled ? 1 : 0);
      return Number(inserted.number);
    });
  }

  async findById(id: string): Promise<StoredHistoryRecord | undefined> {
    const row = await this.db.selectFrom('history').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toHistoryRecord(row);
  }

  async findByNumber(number: number): Promise<StoredHistoryRecord | undefined> {
    const row = await this.db.selectFrom('history').selectAll().where('number', '=', number).executeTakeFirst();
    return row && toHistoryRecord(row);
  }

  async list(filter: HistoryFilter, order: 'asc' | 'desc', limit: number, offset: number): Promise<HistoryPage> {
    const [rows, { count }] = await Promise.all([
      historyPageQuery(this.db, filter, order, limit, offset).execute(),
      (countedTotalQuery(this.db, filter) ?? historyCountQuery(this.db, filter)).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toHistoryRecord), total: Number(count) };
  }

  async pseudonymise(userId: string, pseudonym: string): Promise<number> {
    return durableWrite(this.db, this.dialect, async (trx) => {
      // PostgreSQL: the user's row first. A change for this user inserting an entry meanwhile
      // holds a key-share lock on it (the entry's foreign key) and then wants the user's counter
      // row; taken here before any counter row, the two queue instead of deadlocking when the
      // account is deleted right after this. (SQLite has one writer at a time.)
      if (this.dialect === 'postgres')
        await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
      const moved = await trx
        .updateTable('history')
        .set({ user_id: null, user_pseudonym: pseudonym })
        .where('user_id', '=', userId)
        .returning(['method', 'enabled'])
        .execute();
      // Entries of no user are not counted per user: the user's counts go with them.
      await uncountUserEntries(trx, userId, moved);
      // What the account did itself (or to others, as an admin): the address it came from goes too.
      await trx
        .updateTable('history')
        .set({ actor_id: pseudonym, client_ip: null })
        .where('actor_id', '=', userId)
        .execute();
      return moved.length;
    });
  }
}

function toHistoryRecord(row: HistoryRow): StoredHistoryRecord {
  return {
    id: row.id,
    number: Number(row.number),
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
