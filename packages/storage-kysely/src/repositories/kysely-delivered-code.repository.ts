import type { DeliveredCodeRecord, DeliveredCodeRepository, SendLimitRefusal, SendLimits } from '@tessera/core';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { StorageDialect } from '../storage-dialect.js';
import type { DeliveredCodeRow } from '../tables/delivered-code.table.js';
import { inTransaction } from '../transaction.js';
import { lockSendKeys, sendLockKeys } from './recipient-lock.js';
import { toDate, toMillis, toNullableDate, toNullableMillis } from './time-columns.js';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * None of these writes is durable (see durable-write.ts): a code lives for minutes, and a power
 * cut can at worst lose a send record, a wrong try or a use from the last moment before it.
 */
export class KyselyDeliveredCodeRepository implements DeliveredCodeRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StorageDialect,
  ) {}

  async insertWithinLimits(code: DeliveredCodeRecord, limits: SendLimits): Promise<SendLimitRefusal | undefined> {
    // Check and insert in one transaction that concurrent sends to the recipient take in turns:
    // on PostgreSQL behind a lock on the recipient, on SQLite behind the write lock its
    // transactions take at BEGIN (see immediate-sqlite-dialect.ts). Otherwise two sends could
    // both count the same past and both pass.
    return inTransaction(this.db, async (trx) => {
      if (this.dialect === 'postgres') await lockSendKeys(trx, sendLockKeys(code));
      const refusal =
        checkLimits(await sendStats(trx, code, limits.cooldownSeconds * 1000), code.sentAt, limits) ??
        (code.channel === 'sms' ? await checkSmsLimits(trx, code, limits) : undefined);
      if (refusal) return refusal;
      await trx
        .insertInto('delivered_codes')
        .values({
          id: code.id,
          user_id: code.userId,
          purpose: code.purpose,
          channel: code.channel,
          recipient_hash: code.recipientHash,
          client_ip_hash: code.clientIpHash,
          code_hash: code.codeHash,
          attempts: code.attempts,
          max_attempts: code.maxAttempts,
          sent_at: toMillis(code.sentAt),
          expires_at: toMillis(code.expiresAt),
          consumed_at: toNullableMillis(code.consumedAt),
        })
        .execute();
      return undefined;
    });
  }

  async discard(id: string): Promise<void> {
    // Gone, not marked: a message that never left must not count against the send limits.
    await this.db.deleteFrom('delivered_codes').where('id', '=', id).execute();
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
}

interface SendStats {
  /** Codes sent to the recipient in the hour before the new one (or after it: a clock ahead). */
  count: number;
  /** The latest send to the recipient for the same purpose within the cooldown. */
  lastSentAt: number | null;
}

async function sendStats(
  trx: Transaction<Database>,
  code: DeliveredCodeRecord,
  cooldownMs: number,
): Promise<SendStats> {
  // Two subqueries on the (recipient_hash, sent_at) index: a range count and a max over the
  // cooldown's range. The cooldown is per purpose (a sign-in code does not hold back the code
  // that confirms an enrollment to the same phone, nor a recovery e-mail); the hourly count is
  // per recipient, whatever the purpose, so a recipient is not flooded by switching purposes.
  const row = await trx
    .selectNoFrom((eb) => [
      eb
        .selectFrom('delivered_codes')
        .select((sub) => sub.fn.countAll<number>().as('count'))
        .where('recipient_hash', '=', code.recipientHash)
        .where('sent_at', '>=', toMillis(code.sentAt) - HOUR_MS)
        .as('count'),
      eb
        .selectFrom('delivered_codes')
        .select((sub) => sub.fn.max('sent_at').as('last_sent_at'))
        .where('recipient_hash', '=', code.recipientHash)
        .where('sent_at', '>', toMillis(code.sentAt) - cooldownMs)
        .where('purpose', '=', code.purpose)
        .as('last_sent_at'),
    ])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count ?? 0), lastSentAt: row.last_sent_at === null ? null : Number(row.last_sent_at) };
}

/** The cooldown first: it tells the user when to ask again, the hourly limit only to wait. */
function checkLimits(stats: SendStats, sentAt: Date, limits: SendLimits): SendLimitRefusal | undefined {
  const cooldownMs = limits.cooldownSeconds * 1000;
  if (stats.lastSentAt !== null && toMillis(sentAt) - stats.lastSentAt < cooldownMs) {
    return { reason: 'cooldown', retryAt: toDate(stats.lastSentAt + cooldownMs) };
  }
  if (stats.count >= limits.hourlyLimit) return { reason: 'hourly_limit' };
  return undefined;
}

/**
 * The SMS-pumping limits: SMS codes for the account in the hour, and the different numbers the
 * account and the client address had codes sent to in the day. A number already sent to in the
 * day is not a new destination, so resending to it never meets the destination limits.
 */
async function checkSmsLimits(
  trx: Transaction<Database>,
  code: DeliveredCodeRecord,
  limits: SendLimits,
): Promise<SendLimitRefusal | undefined> {
  const sentAt = toMillis(code.sentAt);
  if (limits.accountHourlySmsLimit !== undefined) {
    const { count } = await trx
      .selectFrom('delivered_codes')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('user_id', '=', code.userId)
      .where('channel', '=', 'sms')
      .where('sent_at', '>=', sentAt - HOUR_MS)
      .executeTakeFirstOrThrow();
    if (Number(count) >= limits.accountHourlySmsLimit) return { reason: 'account_hourly_limit' };
  }
  if (limits.accountDailySmsDestinations !== undefined) {
    const recipients = await trx
      .selectFrom('delivered_codes')
      .select('recipient_hash')
      .distinct()
      .where('user_id', '=', code.userId)
      .where('channel', '=', 'sms')
      .where('sent_at', '>=', sentAt - DAY_MS)
      .execute();
    if (isNewBeyond(recipients, code.recipientHash, limits.accountDailySmsDestinations)) {
      return { reason: 'account_destinations' };
    }
  }
  if (limits.clientDailySmsDestinations !== undefined && code.clientIpHash !== null) {
    const recipients = await trx
      .selectFrom('delivered_codes')
      .select('recipient_hash')
      .distinct()
      .where('client_ip_hash', '=', code.clientIpHash)
      .where('channel', '=', 'sms')
      .where('sent_at', '>=', sentAt - DAY_MS)
      .execute();
    if (isNewBeyond(recipients, code.recipientHash, limits.clientDailySmsDestinations)) {
      return { reason: 'client_destinations' };
    }
  }
  return undefined;
}

/** The recipient is not among those already sent to, and they already reach the limit. */
function isNewBeyond(recipients: { recipient_hash: string }[], recipientHash: string, limit: number): boolean {
  return recipients.length >= limit && !recipients.some((row) => row.recipient_hash === recipientHash);
}

function toDeliveredCodeRecord(row: DeliveredCodeRow): DeliveredCodeRecord {
  return {
    id: row.id,
    userId: row.user_id,
    purpose: row.purpose,
    channel: row.channel,
    recipientHash: row.recipient_hash,
    clientIpHash: row.client_ip_hash,
    codeHash: row.code_hash,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    sentAt: toDate(row.sent_at),
    expiresAt: toDate(row.expires_at),
    consumedAt: toNullableDate(row.consumed_at),
  };
}
