import { type ColumnDataType, type Kysely, sql } from 'kysely';

/*
 * FROZEN: this migration has been released. Never edit it; change the schema with a new,
 * later-named migration. It takes Kysely<any>, not the app's Database type, so that later
 * changes to the row types cannot change what it does.
 *
 * One file serves both dialects; it branches on `dialect` only where they differ.
 */

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  // Milliseconds since the epoch need 64 bits. SQLite's INTEGER already is 64-bit; PostgreSQL's
  // is 32-bit, so it gets BIGINT (its driver is told to parse int8 as a number).
  const millis: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';

  // Ids are UUID strings but stored as text on both dialects: a malformed id coming from a
  // request must simply find nothing, not raise a cast error on PostgreSQL only.
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text')
    .addColumn('created_at', millis, (c) => c.notNull())
    .execute();
  // Named unique indexes: the user repository tells a username clash from an email clash by
  // the index name (PostgreSQL) or the column named in the message (SQLite).
  await db.schema.createIndex('users_username_unique').unique().on('users').column('username').execute();
  // NULLs are distinct in both dialects, so any number of users may have no email.
  await db.schema.createIndex('users_email_unique').unique().on('users').column('email').execute();

  await db.schema
    .createTable('factors')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('sealed_secret', 'text')
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('last_used_step', millis)
    .addColumn('created_at', millis, (c) => c.notNull())
    .addColumn('expires_at', millis)
    .addColumn('activated_at', millis)
    .addCheckConstraint('factors_status_check', sql`status in ('pending', 'active')`)
    .execute();
  await db.schema.createIndex('factors_user_id_index').on('factors').column('user_id').execute();
  // At most one active factor per user and kind, enforced by the database so that two
  // concurrent confirmations cannot both win. A partial index works the same on both dialects.
  await db.schema
    .createIndex('factors_one_active_per_kind')
    .unique()
    .on('factors')
    .columns(['user_id', 'kind'])
    .where(sql.ref('status'), '=', 'active')
    .execute();

  await db.schema
    .createTable('session_families')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', millis, (c) => c.notNull())
    .addColumn('revoked_at', millis)
    .execute();
  await db.schema.createIndex('session_families_user_id_index').on('session_families').column('user_id').execute();

  await db.schema
    .createTable('refresh_tokens')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('family_id', 'text', (c) => c.notNull().references('session_families.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', millis, (c) => c.notNull())
    .addColumn('expires_at', millis, (c) => c.notNull())
    .addColumn('rotated_at', millis)
    .execute();
  await db.schema
    .createIndex('refresh_tokens_token_hash_unique')
    .unique()
    .on('refresh_tokens')
    .column('token_hash')
    .execute();
  await db.schema.createIndex('refresh_tokens_family_id_index').on('refresh_tokens').column('family_id').execute();
  // Without it, deleting a user would scan the whole table for the cascade on PostgreSQL.
  await db.schema.createIndex('refresh_tokens_user_id_index').on('refresh_tokens').column('user_id').execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', millis, (c) => c.notNull())
    .addColumn('last_used_at', millis)
    .addColumn('revoked_at', millis)
    .execute();
  await db.schema.createIndex('api_tokens_token_hash_unique').unique().on('api_tokens').column('token_hash').execute();
  await db.schema.createIndex('api_tokens_user_id_index').on('api_tokens').column('user_id').execute();

  await db.schema
    .createTable('flows')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', millis, (c) => c.notNull())
    .addColumn('expires_at', millis, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('flows_user_id_index').on('flows').column('user_id').execute();

  await db.schema
    .createTable('lockouts')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('failed_count', 'integer', (c) => c.notNull())
    .addColumn('lock_level', 'integer', (c) => c.notNull())
    .addColumn('locked_until', millis)
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('lockouts_pkey', ['user_id'])
    .execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.notNull().primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
