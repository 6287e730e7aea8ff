import type { BackupCodeRecord, BackupCodeRepository } from '@tessera/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { durableWrite } from '../durable-write.js';
import type { StorageDialect } from '../storage-dialect.js';
import { toMillis, toNullableMillis } from './time-columns.js';

export class KyselyBackupCodeRepository implements BackupCodeRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StorageDialect,
  ) {}

  async replaceSet(userId: string, codes: BackupCodeRecord[]): Promise<void> {
    const stranger = codes.find((code) => code.userId !== userId);
    if (stranger) throw new Error(`replaceSet for user ${userId} got a code of user ${stranger.userId}`);
    await durableWrite(this.db, this.dialect, async (trx) => {
      if (this.dialect === 'postgres') {
        // Under READ COMMITTED, two concurrent replacements would each delete only the rows
        // they can see and then both insert, leaving two sets. Locking the user row first
        // makes them take turns. NO KEY UPDATE does not block the foreign-key checks of other
        // tables' inserts for this user. SQLite needs nothing: its writers already take turns.
        await trx.selectFrom('users').select('id').where('id', '=', userId).forNoKeyUpdate().execute();
      }
      await trx.deleteFrom('backup_codes').where('user_id', '=', userId).execute();
      if (codes.length === 0) return;
      await trx
        .insertInto('backup_codes')
        .values(
          codes.map((code) => ({
            id: code.id,
            user_id: code.userId,
            code_hash: code.codeHash,
            created_at: toMillis(code.createdAt),
            used_at: toNullableMillis(code.usedAt),
          })),
        )
        .execute();
    });
  }

  async consume(userId: string, codeHash: string, now: Date): Promise<boolean> {
    // One statement, not a read and a write: of concurrent callers with the same code, exactly
    // one matches `used_at is null`. Durable, unlike a TOTP step: a code never expires, so a
    // use lost in a power cut would make a spent code good again for good.
    const result = await durableWrite(this.db, this.dialect, (trx) =>
      trx
        .updateTable('backup_codes')
        .set({ used_at: toMillis(now) })
        .where('user_id', '=', userId)
        .where('code_hash', '=', codeHash)
        .where('used_at', 'is', null)
        .executeTakeFirst(),
    );
    return result.numUpdatedRows === 1n;
  }

  async countRemaining(userId: string): Promise<number> {
    const { count } = await this.db
      .selectFrom('backup_codes')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  async deleteAll(userId: string): Promise<void> {
    // Durable: removing the codes is part of turning the method off.
    await durableWrite(this.db, this.dialect, (trx) =>
      trx.deleteFrom('backup_codes').where('user_id', '=', userId).execute(),
    );
  }
}
