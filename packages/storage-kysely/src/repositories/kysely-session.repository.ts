import type { RefreshTokenRecord, SessionFamilyRecord, SessionRepository } from '@tessera/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { durableWrite } from '../durable-write.js';
import { preparedQuery } from '../prepared-query.js';
import type { StorageDialect } from '../storage-dialect.js';
import type { RefreshTokenRow } from '../tables/refresh-token.table.js';
import type { SessionFamilyRow } from '../tables/session-family.table.js';
import { toDate, toMillis, toNullableDate, toNullableMillis } from './time-columns.js';

export class KyselySessionRepository implements SessionRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StorageDialect,
  ) {}

  async createFamily(family: SessionFamilyRecord): Promise<void> {
    await this.db
      .insertInto('session_families')
      .values({
        id: family.id,
        user_id: family.userId,
        created_at: toMillis(family.createdAt),
        revoked_at: toNullableMillis(family.revokedAt),
        last_used_at: toNullableMillis(family.lastUsedAt),
        client_ip: family.clientIp,
        user_agent: family.userAgent,
        second_factor: family.secondFactor ? 1 : 0,
        amr: family.amr?.length ? family.amr.join(' ') : null,
      })
      .execute();
  }

  // Read on every request with an access token (was the session signed out?): compiled once.
  private findFamilyQueryCompiled: ReturnType<typeof buildFindFamilyQuery> | undefined;
  private get findFamilyQuery() {
    this.findFamilyQueryCompiled ??= buildFindFamilyQuery(this.db);
    return this.findFamilyQueryCompiled;
  }

  async findFamily(id: string): Promise<SessionFamilyRecord | undefined> {
    const [row] = (await this.findFamilyQuery({ id })).rows;
    return row && toSessionFamilyRecord(row);
  }

  async revokeFamily(id: string, now: Date): Promise<void> {
    // Durable: a sign-out, or the revocation after a stolen refresh token was replayed, must
    // not come undone in a power cut.
    await durableWrite(this.db, this.dialect, (trx) =>
      trx
        .updateTable('session_families')
        // The first revocation's time is kept.
        .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(toMillis(now))) }))
        .where('id', '=', id)
        .execute(),
    );
  }

  async revokeAllForUser(userId: string, now: Date, exceptFamilyId?: string): Promise<number> {
    // Durable for the same reason: a password reset that ends the sessions must stay done.
    const result = await durableWrite(this.db, this.dialect, (trx) => {
      let query = trx
        .updateTable('session_families')
        .set({ revoked_at: toMillis(now) })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null);
      if (exceptFamilyId !== undefined) query = query.where('id', '!=', exceptFamilyId);
      return query.executeTakeFirst();
    });
    return Number(result.numUpdatedRows);
  }

  async recordUse(familyId: string, now: Date, client: { clientIp: string | null; userAgent: string | null }) {
    await this.db
      .updateTable('session_families')
      .set({ last_used_at: toMillis(now), client_ip: client.clientIp, user_agent: client.userAgent })
      .where('id', '=', familyId)
      .execute();
  }

  async listActive(userId: string, now: Date): Promise<SessionFamilyRecord[]> {
    const rows = await this.db
      .selectFrom('session_families')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('refresh_tokens')
            .select('refresh_tokens.id')
            .whereRef('refresh_tokens.family_id', '=', 'session_families.id')
            .where('refresh_tokens.rotated_at', 'is', null)
            .where('refresh_tokens.expires_at', '>', toMillis(now)),
        ),
      )
      // The id breaks ties between sessions started in the same millisecond.
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toSessionFamilyRecord);
  }

  async revokeOwned(id: string, userId: string, now: Date): Promise<boolean> {
    // Durable, as every revocation: a session the user ended must stay ended.
    const result = await durableWrite(this.db, this.dialect, (trx) =>
      trx
        .updateTable('session_families')
        .set({ revoked_at: toMillis(now) })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst(),
    );
    return result.numUpdatedRows === 1n;
  }

  async insertRefreshToken(token: RefreshTokenRecord): Promise<void> {
    await this.db
      .insertInto('refresh_tokens')
      .values({
        id: token.id,
        family_id: token.familyId,
        user_id: token.userId,
        token_hash: token.tokenHash,
        created_at: toMillis(token.createdAt),
        expires_at: toMillis(token.expiresAt),
        rotated_at: toNullableMillis(token.rotatedAt),
      })
      .execute();
  }

  async findRefreshTokenByHash(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const row = await this.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && toRefreshTokenRecord(row);
  }

  async markRotated(id: string, now: Date): Promise<boolean> {
    // The condition is in the UPDATE: of two requests presenting the same token, one wins and
    // the other is detected as a replay.
    const result = await this.db
      .updateTable('refresh_tokens')
      .set({ rotated_at: toMillis(now) })
      .where('id', '=', id)
      .where('rotated_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async extendRefreshToken(id: string, expiresAt: Date): Promise<void> {
    await this.db
      .updateTable('refresh_tokens')
      .set({ expires_at: toMillis(expiresAt) })
      .where('id', '=', id)
      .where('expires_at', '<', toMillis(expiresAt))
      .execute();
  }
}

function buildFindFamilyQuery(db: Kysely<Database>) {
  return preparedQuery<SessionFamilyRow, 'id'>(db, (value) =>
    db.selectFrom('session_families').selectAll().where('id', '=', value('id')),
  );
}

function toSessionFamilyRecord(row: SessionFamilyRow): SessionFamilyRecord {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: toDate(row.created_at),
    revokedAt: toNullableDate(row.revoked_at),
    lastUsedAt: toNullableDate(row.last_used_at),
    clientIp: row.client_ip,
    userAgent: row.user_agent,
    secondFactor: row.second_factor === 1,
    ...(row.amr ? { amr: row.amr.split(' ') } : {}),
  };
}

function toRefreshTokenRecord(row: RefreshTokenRow): RefreshTokenRecord {
  return {
    id: row.id,
    familyId: row.family_id,
    userId: row.user_id,
    tokenHash: row.token_hash,
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
    rotatedAt: toNullableDate(row.rotated_at),
  };
}
