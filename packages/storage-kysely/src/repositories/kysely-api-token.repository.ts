import type { ApiTokenRecord, ApiTokenRepository, UserRecord } from '@tessera/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { durableWrite } from '../durable-write.js';
import { preparedQuery } from '../prepared-query.js';
import type { StorageDialect } from '../storage-dialect.js';
import type { ApiTokenRow } from '../tables/api-token.table.js';
import type { UserRow } from '../tables/user.table.js';
import { toUserRecord } from './kysely-user.repository.js';
import { toDate, toMillis, toNullableDate, toNullableMillis } from './time-columns.js';

export class KyselyApiTokenRepository implements ApiTokenRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StorageDialect,
  ) {}

  async insert(token: ApiTokenRecord): Promise<void> {
    await durableWrite(this.db, this.dialect, (trx) =>
      trx
        .insertInto('api_tokens')
        .values({
          id: token.id,
          user_id: token.userId,
          name: token.name,
          scope: token.scope,
          token_hash: token.tokenHash,
          created_at: toMillis(token.createdAt),
          last_used_at: toNullableMillis(token.lastUsedAt),
          revoked_at: toNullableMillis(token.revokedAt),
          password_only: token.passwordOnly ? 1 : 0,
        })
        .execute(),
    );
  }

  async findByHash(tokenHash: string): Promise<ApiTokenRecord | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && toApiTokenRecord(row);
  }

  // Every API-token request does this lookup: built and compiled once (see prepared-query.ts).
  private ownerQueryCompiled: ReturnType<typeof buildOwnerQuery> | undefined;
  private get ownerQuery() {
    this.ownerQueryCompiled ??= buildOwnerQuery(this.db);
    return this.ownerQueryCompiled;
  }

  async findWithOwnerByHash(tokenHash: string): Promise<
    | {
        tokenId: string;
        scope: ApiTokenRecord['scope'];
        passwordOnly: boolean;
        lastUsedAt: Date | null;
        owner: UserRecord;
      }
    | undefined
  > {
    const [row] = (await this.ownerQuery({ tokenHash })).rows;
    if (!row) return undefined;
    const { token_id, token_scope, token_password_only, token_last_used_at, ...user } = row;
    return {
      tokenId: token_id,
      scope: token_scope,
      passwordOnly: token_password_only === 1,
      lastUsedAt: toNullableDate(token_last_used_at),
      owner: toUserRecord(user),
    };
  }

  async recordUse(id: string, now: Date, since: Date): Promise<void> {
    // Not durable on purpose: a last-used time lost in a power cut is a minute off, no more.
    await this.db
      .updateTable('api_tokens')
      .set({ last_used_at: toMillis(now) })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', toMillis(since))]))
      .execute();
  }

  async replaceHash(id: string, from: string, to: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ token_hash: to })
      .where('id', '=', id)
      .where('token_hash', '=', from)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async listByUser(userId: string): Promise<ApiTokenRecord[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toApiTokenRecord);
  }

  /**
   * True when the user has a token with this id, revoked now or before: revoking twice is not
   * an error, and the first revocation's time is kept. Another user's token is left alone and
   * reported as absent.
   */
  async revoke(id: string, userId: string, now: Date): Promise<boolean> {
    const result = await durableWrite(this.db, this.dialect, (trx) =>
      trx
        .updateTable('api_tokens')
        .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(toMillis(now))) }))
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst(),
    );
    return result.numUpdatedRows === 1n;
  }
}

function toApiTokenRecord(row: ApiTokenRow): ApiTokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    scope: row.scope,
    tokenHash: row.token_hash,
    createdAt: toDate(row.created_at),
    lastUsedAt: toNullableDate(row.last_used_at),
    revokedAt: toNullableDate(row.revoked_at),
    passwordOnly: row.password_only === 1,
  };
}

function buildOwnerQuery(db: Kysely<Database>) {
  type OwnerRow = UserRow & {
    token_id: string;
    token_scope: ApiTokenRow['scope'];
    token_password_only: ApiTokenRow['password_only'];
    token_last_used_at: ApiTokenRow['last_used_at'];
  };
  return preparedQuery<OwnerRow, 'tokenHash'>(db, (value) =>
    db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .selectAll('users')
      .select([
        'api_tokens.id as token_id',
        'api_tokens.scope as token_scope',
        'api_tokens.password_only as token_password_only',
        'api_tokens.last_used_at as token_last_used_at',
      ])
      .where('api_tokens.token_hash', '=', value('tokenHash'))
      .where('api_tokens.revoked_at', 'is', null),
  );
}
