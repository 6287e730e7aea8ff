import type { NewUser, UserRecord, UserRepository } from '@tessera/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { durableWrite } from '../durable-write.js';
import type { StorageDialect } from '../storage-dialect.js';
import type { UserRow } from '../tables/user.table.js';
import { toDate, toMillis } from './time-columns.js';
import { isUniqueViolation, type UniqueIndex } from './unique-violation.js';

// Named in migration 2026_11_23_000001_initial.
const USERNAME_UNIQUE: UniqueIndex = { name: 'users_username_unique', columns: ['users.username'] };
const EMAIL_UNIQUE: UniqueIndex = { name: 'users_email_unique', columns: ['users.email'] };

export class KyselyUserRepository implements UserRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StorageDialect,
  ) {}

  async create(user: NewUser): Promise<'created' | 'username_taken' | 'email_taken'> {
    try {
      await durableWrite(this.db, this.dialect, (trx) =>
        trx
          .insertInto('users')
          .values({
            id: user.id,
            username: user.username,
            email: user.email,
            phone: user.phone,
            password_hash: user.passwordHash,
            role: user.role,
            issuer: user.issuer,
            created_at: toMillis(user.createdAt),
          })
          .execute(),
      );
      return 'created';
    } catch (error) {
      // Decided by the unique indexes, not by a look-up first: two concurrent sign-ups with the
      // same name must not both pass a check.
      if (isUniqueViolation(error, USERNAME_UNIQUE)) return 'username_taken';
      if (isUniqueViolation(error, EMAIL_UNIQUE)) return 'email_taken';
      throw error;
    }
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
}

export function toUserRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    phone: row.phone,
    passwordHash: row.password_hash,
    role: row.role,
    issuer: row.issuer,
    createdAt: toDate(row.created_at),
  };
}
