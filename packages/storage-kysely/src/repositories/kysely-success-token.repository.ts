import type { SuccessTokenRecord, SuccessTokenRepository } from '@tessera/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { toMillis, toNullableMillis } from './time-columns.js';

/**
 * Not durable writes (see durable-write.ts): a token lives for minutes. Losing its issue makes
 * the user pass the challenge again; losing its use is covered by the durable write of the
 * operation it unlocked, whose commit also flushes the earlier one to disk.
 */
export class KyselySuccessTokenRepository implements SuccessTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(token: SuccessTokenRecord): Promise<void> {
    await this.db
      .insertInto('success_tokens')
      .values({
        id: token.id,
        user_id: token.userId,
        token_hash: token.tokenHash,
        operation: token.operation,
        target: token.target,
        created_at: toMillis(token.createdAt),
        expires_at: toMillis(token.expiresAt),
        used_at: toNullableMillis(token.usedAt),
      })
      .execute();
  }

  async consume(
    tokenHash: string,
    operation: string,
    target: string | null,
    now: Date,
    userId?: string,
  ): Promise<string | undefined> {
    // One UPDATE that checks everything and returns the owner: of concurrent callers with the
    // same token, only the one whose UPDATE matched gets a user id back.
    let update = this.db
      .updateTable('success_tokens')
      .set({ used_at: toMillis(now) })
      .where('token_hash', '=', tokenHash)
      .where('operation', '=', operation)
      // A token for "no target" must not unlock an operation on some target, nor the reverse.
      .where('target', target === null ? 'is' : '=', target)
      .where('used_at', 'is', null)
      .where('expires_at', '>', toMillis(now));
    if (userId !== undefined) update = update.where('user_id', '=', userId);
    const row = await update.returning('user_id').executeTakeFirst();
    return row?.user_id;
  }
}
