import { type ColumnDataType, type Kysely, sql } from 'kysely';

/*
 * Backup codes, codes sent by SMS or e-mail, success tokens, the 2FA change history and
 * trusted devices. Same rules as the initial migration: Kysely<any>, one file for both
 * dialects, ids as text, times as integer milliseconds.
 *
 * Open sets of values (a delivery channel, a code's purpose, a history action or actor) are
 * not pinned by check constraints, as factors.kind is not: widening a check on SQLite means
 * rebuilding the table, which for the history could be millions of rows. Checks guard only
 * invariants that never change.
 */

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const millis: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';

  await db.schema
    .createTable('backup_codes')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', millis, (c) => c.notNull())
    .addColumn('used_at', millis)
    .execute();
  // Its leading user_id also serves the per-user look-ups and the cascade, so no separate
  // user_id index is needed.
  await db.schema
    .createIndex('backup_codes_user_id_code_hash_unique')
    .unique()
    .on('backup_codes')
    .columns(['user_id', 'code_hash'])
    .execute();

  await db.schema
    .createTable('delivered_codes')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('recipient_hash', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('sent_at', millis, (c) => c.notNull())
    .addColumn('expires_at', millis, (c) => c.notNull())
    .addColumn('consumed_at', millis)
    // The conditional UPDATE that counts a wrong try keeps this; the check makes a bug loud.
    .addCheckConstraint('delivered_codes_attempts_check', sql`attempts >= 0 and attempts <= max_attempts`)
    .execute();
  // The send limits: sends to one recipient in the last hour, and the latest one.
  await db.schema
    .createIndex('delivered_codes_recipient_hash_sent_at_index')
    .on('delivered_codes')
    .columns(['recipient_hash', 'sent_at'])
    .execute();
  await db.schema.createIndex('delivered_codes_user_id_index').on('delivered_codes').column('user_id').execute();

  await db.schema
    .createTable('success_tokens')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('created_at', millis, (c) => c.notNull())
    .addColumn('expires_at', millis, (c) => c.notNull())
    .addColumn('used_at', millis)
    .execute();
  await db.schema
    .createIndex('success_tokens_token_hash_unique')
    .unique()
    .on('success_tokens')
    .column('token_hash')
    .execute();
  // For the cascade when a user is deleted, as in the initial migration.
  await db.schema.createIndex('success_tokens_user_id_index').on('success_tokens').column('user_id').execute();

  await db.schema
    .createTable('history')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    // The record of what happened outlives the account it was about.
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    // 0 or 1 on both dialects: SQLite has no boolean type, and one representation keeps the
    // queries the same.
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('client_ip', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('created_at', millis, (c) => c.notNull())
    .addCheckConstraint('history_enabled_check', sql`enabled in (0, 1)`)
    .execute();
  // Listings are ordered by (created_at, id) in either direction; each index below hands a
  // filtered listing its rows already in that order, so a page costs its size plus the offset,
  // not a sort of the whole table. The user_id one also serves the ON DELETE SET NULL.
  await db.schema
    .createIndex('history_user_id_created_at_index')
    .on('history')
    .columns(['user_id', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('history_created_at_index').on('history').columns(['created_at', 'id']).execute();
  await db.schema
    .createIndex('history_user_id_method_created_at_index')
    .on('history')
    .columns(['user_id', 'method', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('trusted_devices')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', millis, (c) => c.notNull())
    .addColumn('expires_at', millis, (c) => c.notNull())
    .addColumn('last_used_at', millis)
    .addColumn('revoked_at', millis)
    .execute();
  await db.schema
    .createIndex('trusted_devices_token_hash_unique')
    .unique()
    .on('trusted_devices')
    .column('token_hash')
    .execute();
  await db.schema.createIndex('trusted_devices_user_id_index').on('trusted_devices').column('user_id').execute();
}
