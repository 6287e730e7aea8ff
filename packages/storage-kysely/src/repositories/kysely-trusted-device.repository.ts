import type { TrustedDeviceRecord, TrustedDeviceRepository } from '@tessera/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { durableWrite } from '../durable-write.js';
import type { StorageDialect } from '../storage-dialect.js';
import type { TrustedDeviceRow } from '../tables/trusted-device.table.js';
import { toDate, toMillis, toNullableDate, toNullableMillis } from './time-columns.js';

export class KyselyTrustedDeviceRepository implements TrustedDeviceRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StorageDialect,
  ) {}

  async insert(device: TrustedDeviceRecord): Promise<void> {
    // Not durable: losing it only means the device is asked for a second factor again.
    await this.db
      .insertInto('trusted_devices')
      .values({
        id: device.id,
        user_id: device.userId,
        token_hash: device.tokenHash,
        label: device.label,
        created_at: toMillis(device.createdAt),
        expires_at: toMillis(device.expiresAt),
        last_used_at: toNullableMillis(device.lastUsedAt),
        revoked_at: toNullableMillis(device.revokedAt),
      })
      .execute();
  }

  async findByHash(tokenHash: string): Promise<TrustedDeviceRecord | undefined> {
    const row = await this.db
      .selectFrom('trusted_devices')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && toTrustedDeviceRecord(row);
  }

  async rotate(id: string, currentHash: string, nextHash: string, now: Date, expiresAt: Date): Promise<boolean> {
    // The hash comparison is in the UPDATE: of two requests presenting the same token, one
    // rotates it and the other finds it gone. An expired device is not brought back to life by
    // a late rotation. Not durable: after a lost rotation the device's new token is unknown, so
    // it is asked for a second factor again.
    const result = await this.db
      .updateTable('trusted_devices')
      .set({ token_hash: nextHash, last_used_at: toMillis(now), expires_at: toMillis(expiresAt) })
      .where('id', '=', id)
      .where('token_hash', '=', currentHash)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', toMillis(now))
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async listActive(userId: string, now: Date): Promise<TrustedDeviceRecord[]> {
    const rows = await this.db
      .selectFrom('trusted_devices')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', toMillis(now))
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toTrustedDeviceRecord);
  }

  /**
   * True when the user has a device with this id, revoked now or before: revoking twice is not
   * an error, and the first revocation's time is kept. Another user's device is left alone and
   * reported as absent. Durable, like every revocation the user is told about.
   */
  async revoke(id: string, userId: string, now: Date): Promise<boolean> {
    const result = await durableWrite(this.db, this.dialect, (trx) =>
      trx
        .updateTable('trusted_devices')
        .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(toMillis(now))) }))
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst(),
    );
    return result.numUpdatedRows === 1n;
  }

  /** Revokes the devices that were still active; returns how many. */
  async revokeAllForUser(userId: string, now: Date): Promise<number> {
    const result = await durableWrite(this.db, this.dialect, (trx) =>
      trx
        .updateTable('trusted_devices')
        .set({ revoked_at: toMillis(now) })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', toMillis(now))
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows);
  }
}

function toTrustedDeviceRecord(row: TrustedDeviceRow): TrustedDeviceRecord {
  return {
    id: row.id,
    userId: row.user_id,
    tokenHash: row.token_hash,
    label: row.label,
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
    lastUsedAt: toNullableDate(row.last_used_at),
    revokedAt: toNullableDate(row.revoked_at),
  };
}
