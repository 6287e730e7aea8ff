import type { DeliveredCodeRecord, DeliveredCodeRepository } from '@tessera/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { DeliveredCodeRow } from '../tables/delivered-code.table.js';
import { toDate, toMillis, toNullableDate, toNullableMillis } from './time-columns.js';

/**
 * None of these writes is durable (see durable-write.ts): a code lives for minutes, and a power
 * cut can at worst lose a send record, a wrong try or a use from the last moment before it.
 */
export class KyselyDeliveredCodeRepository implements DeliveredCodeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(code: DeliveredCodeRecord): Promise<void> {
    await this.db
      .insertInto('delivered_codes')
      .values({
        id: code.id,
        user_id: code.userId,
        purpose: code.purpose,
        channel: code.channel,
        recipient_hash: code.recipientHash,
        code_hash: code.codeHash,
        attempts: code.attempts,
        max_attempts: code.maxAttempts,
        sent_at: toMillis(code.sentAt),
        expires_at: toMillis(code.expiresAt),
        consumed_at: toNullableMillis(code.consumedAt),
      })
      .execute();
  }

  async findById(id: string): Promise<DeliveredCodeRecord | undefined> {
    const row = await this.db.selectFrom('delivered_codes').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toDeliveredCodeRecord(row);
  }

  async consume(id: string, codeHash: string, now: Date): Promise<boolean> {
    // Every condition is in the one UPDATE: of concurrent callers with the right code, one wins,
    // and none can win once the code is used, expired or out of tries.
    const result = await this.db
      .updateTable('delivered_codes')
      .set({ consumed_at: toMillis(now) })
      .where('id', '=', id)
      .where('code_hash', '=', codeHash)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', toMillis(now))
      .where((eb) => eb('attempts', '<', eb.ref('max_attempts')))
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async recordFailedAttempt(id: string): Promise<number | undefined> {
    // Increment and read back in one statement, so concurrent wrong tries each get their own
    // count and together can never pass max_attempts.
    const row = await this.db
      .updateTable('delivered_codes')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .where((eb) => eb('attempts', '<', eb.ref('max_attempts')))
      .returning('attempts')
      .executeTakeFirst();
    return row?.attempts;
  }

  async invalidate(id: string, now: Date): Promise<void> {
    // A code already used keeps the time it was used.
    await this.db
      .updateTable('delivered_codes')
      .set({ consumed_at: toMillis(now) })
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .execute();
  }

  async sendStats(recipientHash: string, since: Date): Promise<{ count: number; lastSentAt: Date | null }> {
    // Two subqueries on the (recipient_hash, sent_at) index: a range count and a max, which is a
    // single index step. The latest send is looked up without the `since` bound, so the cooldown
    // holds even if it were ever longer than the counting window.
    const row = await this.db
      .selectNoFrom((eb) => [
        eb
          .selectFrom('delivered_codes')
          .select((sub) => sub.fn.countAll<number>().as('count'))
          .where('recipient_hash', '=', recipientHash)
          .where('sent_at', '>=', toMillis(since))
          .as('count'),
        eb
          .selectFrom('delivered_codes')
          .select((sub) => sub.fn.max('sent_at').as('last_sent_at'))
          .where('recipient_hash', '=', recipientHash)
          .as('last_sent_at'),
      ])
      .executeTakeFirstOrThrow();
    return {
      count: Number(row.count ?? 0),
      lastSentAt: row.last_sent_at === null ? null : toDate(Number(row.last_sent_at)),
    };
  }
}

function toDeliveredCodeRecord(row: DeliveredCodeRow): DeliveredCodeRecord {
  return {
    id: row.id,
    userId: row.user_id,
    purpose: row.purpose,
    channel: row.channel,
    recipientHash: row.recipient_hash,
    codeHash: row.code_hash,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    sentAt: toDate(row.sent_at),
    expiresAt: toDate(row.expires_at),
    consumedAt: toNullableDate(row.consumed_at),
  };
}
