import type { ColumnDataType, Kysely } from 'kysely';

/*
 * Accounts a platform manages through the admin API:
 * - `users.external_id`: the platform's own id for the user (unique when set; NULLs are distinct
 *   on both dialects, so any number of accounts may have none);
 * - `users.disabled_at`: when an admin disabled the account (null: enabled);
 * - `history.user_pseudonym`: what stands for a deleted account in its history (the user_id
 *   reference is set null when the account goes).
 *
 * An account created without a password keeps `password_hash` NOT NULL and stores '' instead:
 * SQLite cannot drop a NOT NULL without rebuilding `users`, which a dozen tables reference, and
 * '' is no hash any password verifies against. The repository reads '' as "no password".
 */

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const millis: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('users').addColumn('external_id', 'text').execute();
  await db.schema.alterTable('users').addColumn('disabled_at', millis).execute();
  // Named: the user repository tells this clash from a username or e-mail clash by the name.
  await db.schema.createIndex('users_external_id_unique').unique().on('users').column('external_id').execute();
  await db.schema.alterTable('history').addColumn('user_pseudonym', 'text').execute();
  // The actor of an entry may be the deleted account too: its id is replaced by the pseudonym.
  await db.schema.createIndex('history_actor_id_index').on('history').column('actor_id').execute();
}
