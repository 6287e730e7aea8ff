import type {
  FactorKind,
  FactorStatus,
  LockoutRecord,
  NewUser,
  Role,
  UserRecord,
  UserRepository,
  UserTwoFactorSummary,
} from '@tessera/core';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../database.js';
import { durableWrite } from '../durable-write.js';
import type { StorageDialect } from '../storage-dialect.js';
import type { UserRow, UserTable } from '../tables/user.table.js';
import { sortKinds } from './kysely-factor.repository.js';
import { toLockoutRecord } from './kysely-lockout.repository.js';
import { toDate, toMillis } from './time-columns.js';
import { isUniqueViolation, type UniqueIndex } from './unique-violation.js';

// Named in migration 2026_11_23_000001_initial.
const USERNAME_UNIQUE: UniqueIndex = { name: 'users_username_unique', columns: ['users.username'] };
const EMAIL_UNIQUE: UniqueIndex = { name: 'users_email_unique', columns: ['users.email'] };
// Named in migration 2026_11_25_000031_account_admin.
const EXTERNAL_ID_UNIQUE: UniqueIndex = { name: 'users_external_id_unique', columns: ['users.external_id'] };
/** What `password_hash` holds for an account without a password (no hash verifies against it). */
const NO_PASSWORD = '';

export class KyselyUserRepository implements UserRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StorageDialect,
  ) {}

  async create(user: NewUser): Promise<'created' | 'username_taken' | 'email_taken' | 'external_id_taken'> {
    try {
      await durableWrite(this.db, this.dialect, (trx) =>
        trx
          .insertInto('users')
          .values({
            id: user.id,
            username: user.username,
            email: user.email,
            phone: user.phone,
            password_hash: user.passwordHash ?? NO_PASSWORD,
            role: user.role,
            issuer: user.issuer,
            domain: user.domain,
            owner_id: user.ownerId,
            sub_kind: user.subKind,
            created_at: toMillis(user.createdAt),
            external_id: user.externalId,
            disabled_at: user.disabledAt && toMillis(user.disabledAt),
          })
          .execute(),
      );
      return 'created';
    } catch (error) {
      // Decided by the unique indexes, not by a look-up first: two concurrent sign-ups with the
      // same name must not both pass a check.
      if (isUniqueViolation(error, USERNAME_UNIQUE)) return 'username_taken';
      if (isUniqueViolation(error, EMAIL_UNIQUE)) return 'email_taken';
      if (isUniqueViolation(error, EXTERNAL_ID_UNIQUE)) return 'external_id_taken';
      throw error;
    }
  }

  async findByExternalId(externalId: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('external_id', '=', externalId).executeTakeFirst();
    return row && toUserRecord(row);
  }

  async updateContact(
    id: string,
    contact: { email?: string | null; phone?: string | null },
  ): Promise<'updated' | 'not_found' | 'email_taken'> {
    const values: Partial<Omit<UserTable, 'id'>> = {};
    if (contact.email !== undefined) values.email = contact.email;
    if (contact.phone !== undefined) values.phone = contact.phone;
    if (Object.keys(values).length === 0) return (await this.findById(id)) ? 'updated' : 'not_found';
    try {
      return (await this.update(id, values)) ? 'updated' : 'not_found';
    } catch (error) {
      if (isUniqueViolation(error, EMAIL_UNIQUE)) return 'email_taken';
      throw error;
    }
  }

  async updateIdentity(
    id: string,
    identity: { username?: string; role?: Role },
  ): Promise<'updated' | 'not_found' | 'username_taken'> {
    const values: Partial<Omit<UserTable, 'id'>> = {};
    if (identity.username !== undefined) values.username = identity.username;
    if (identity.role !== undefined) values.role = identity.role;
    if (Object.keys(values).length === 0) return (await this.findById(id)) ? 'updated' : 'not_found';
    try {
      return (await this.update(id, values)) ? 'updated' : 'not_found';
    } catch (error) {
      // Decided by the unique index, as at create: two renames to one name cannot both pass.
      if (isUniqueViolation(error, USERNAME_UNIQUE)) return 'username_taken';
      throw error;
    }
  }

  async setDisabled(id: string, disabledAt: Date | null): Promise<boolean> {
    return this.update(id, { disabled_at: disabledAt && toMillis(disabledAt) });
  }

  async delete(id: string): Promise<boolean> {
    // Factors, their details, codes, sessions, refresh tokens, API tokens, flows, trusted devices
    // and the lockout go with the row (ON DELETE CASCADE); the history's reference is set null.
    const result = await durableWrite(this.db, this.dialect, (trx) =>
      trx.deleteFrom('users').where('id', '=', id).executeTakeFirst(),
    );
    return result.numDeletedRows === 1n;
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUserRecord(row);
  }

  async findByUsername(username: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row && toUserRecord(row);
  }

  async count(): Promise<number> {
    const { count } = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  async findByEmail(email: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return row && toUserRecord(row);
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<boolean> {
    return this.update(id, { password_hash: passwordHash });
  }

  async updateIssuer(id: string, issuer: string | null): Promise<boolean> {
    return this.update(id, { issuer });
  }

  async updatePhone(id: string, phone: string | null): Promise<boolean> {
    return this.update(id, { phone });
  }

  async updateEmail(id: string, email: string | null): Promise<'updated' | 'not_found' | 'email_taken'> {
    try {
      return (await this.update(id, { email })) ? 'updated' : 'not_found';
    } catch (error) {
      if (isUniqueViolation(error, EMAIL_UNIQUE)) return 'email_taken';
      throw error;
    }
  }

  async listUnsealedPhones(sealedPrefix: string, limit: number): Promise<{ id: string; phone: string }[]> {
    // substr, not LIKE: a prefix holding `_` or `%` must match as written, on either database.
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'phone'])
      .where('phone', 'is not', null)
      .where(sql<string>`substr(phone, 1, ${sealedPrefix.length})`, '!=', sealedPrefix)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.flatMap((row) => (row.phone === null ? [] : [{ id: row.id, phone: row.phone }]));
  }

  async listWithFactors(
    limit: number,
    offset: number,
    search?: string,
  ): Promise<{ items: UserTwoFactorSummary[]; total: number }> {
    // Three plain queries rather than one with a per-dialect string aggregate of the kinds.
    // Username order is byte order on SQLite and the database collation on PostgreSQL; paging
    // is stable on either, since usernames are unique.
    if (search === undefined) {
      const [users, total] = await Promise.all([
        this.db.selectFrom('users').selectAll().orderBy('username').limit(limit).offset(offset).execute(),
        this.count(),
      ]);
      return { items: await this.withActiveKinds(users), total };
    }
    // LIKE with its wildcards escaped, so that a `_` or `%` searched for matches only itself;
    // lower() on both sides, because SQLite's LIKE and PostgreSQL's differ in case-sensitivity.
    const pattern = `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const contains = (column: 'username' | 'email' | 'external_id') =>
      sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
    const matching = this.db
      .selectFrom('users')
      .where((eb) => eb.or([contains('username'), contains('email'), contains('external_id')]));
    const [users, counted] = await Promise.all([
      matching.selectAll().orderBy('username').limit(limit).offset(offset).execute(),
      matching.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
    ]);
    return { items: await this.withActiveKinds(users), total: Number(counted.count) };
  }

  async listTopLevelWithFactors(afterUsername: string | null, limit: number): Promise<UserTwoFactorSummary[]> {
    let query = this.db.selectFrom('users').selectAll().where('owner_id', 'is', null);
    if (afterUsername !== null) query = query.where('username', '>', afterUsername);
    return this.withActiveKinds(await query.orderBy('username').limit(limit).execute());
  }

  async listOwnedBy(ownerId: string): Promise<UserRecord[]> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .orderBy('username')
      .execute();
    return rows.map(toUserRecord);
  }

  async ownsAccounts(ownerId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('users')
      .select('id')
      .where('owner_id', '=', ownerId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The kinds of each user's active factors, in one query for the whole page. */
  private async withActiveKinds(users: UserRow[]): Promise<UserTwoFactorSummary[]> {
    const kinds = new Map<string, FactorKind[]>(users.map((user) => [user.id, []]));
    const lockouts = new Map<string, LockoutRecord>();
    if (users.length > 0) {
      const ids = [...kinds.keys()];
      const [factors, locks] = await Promise.all([
        this.db
          .selectFrom('factors')
          .select(['user_id', 'kind'])
          .where('user_id', 'in', ids)
          .where('status', '=', sql.lit<FactorStatus>('active'))
          .execute(),
        this.db.selectFrom('lockouts').selectAll().where('user_id', 'in', ids).execute(),
      ]);
      for (const factor of factors) kinds.get(factor.user_id)?.push(factor.kind);
      for (const lock of locks) lockouts.set(lock.user_id, toLockoutRecord(lock));
    }
    return users.map((user) => ({
      user: toUserRecord(user),
      activeKinds: sortKinds(kinds.get(user.id) ?? []),
      lockout: lockouts.get(user.id),
    }));
  }

  /** Durable: a new password, issuer or phone number the user was told about must not come undone. */
  private async update(id: string, values: Partial<Omit<UserTable, 'id'>>): Promise<boolean> {
    const result = await durableWrite(this.db, this.dialect, (trx) =>
      trx.updateTable('users').set(values).where('id', '=', id).executeTakeFirst(),
    );
    return result.numUpdatedRows === 1n;
  }
}

export function toUserRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    phone: row.phone,
    passwordHash: row.password_hash === NO_PASSWORD ? null : row.password_hash,
    role: row.role,
    issuer: row.issuer,
    domain: row.domain,
    ownerId: row.owner_id,
    subKind: row.sub_kind,
    createdAt: toDate(row.created_at),
    externalId: row.external_id,
    disabledAt: row.disabled_at === null ? null : toDate(row.disabled_at),
  };
}
