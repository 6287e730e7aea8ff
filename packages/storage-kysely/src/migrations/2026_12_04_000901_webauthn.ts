import type { ColumnDataType, Kysely } from 'kysely';
import type { StorageDialect } from '../storage-dialect.js';

/*
 * Security keys and passkeys. `factor_webauthn` is the details row of a user's `webauthn` factor
 * (the marker that says the method is on); `webauthn_credentials` holds each key, up to the cap.
 * A credential id is unique across all accounts: one authenticator credential belongs to one
 * account. `webauthn_challenges` keeps each challenge handed to a browser until it is used once
 * or expires.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>, dialect: StorageDialect): Promise<void> {
  const millis: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('factor_webauthn')
    .addColumn('factor_id', 'text', (c) => c.notNull().primaryKey().references('factors.id').onDelete('cascade'))
    .addColumn('rp_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('webauthn_credentials')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('factor_id', 'text', (c) => c.notNull().references('factors.id').onDelete('cascade'))
    .addColumn('credential_id', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    // The counter is 32 bits unsigned: past PostgreSQL's integer.
    .addColumn('sign_count', millis, (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('aaguid', 'text', (c) => c.notNull())
    .addColumn('backup_eligible', 'integer', (c) => c.notNull())
    .addColumn('backed_up', 'integer', (c) => c.notNull())
    .addColumn('discoverable', 'integer', (c) => c.notNull())
    .addColumn('user_verified', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', millis, (c) => c.notNull())
    .addColumn('last_used_at', millis)
    .execute();
  await db.schema
    .createIndex('webauthn_credentials_credential_id_unique')
    .unique()
    .on('webauthn_credentials')
    .column('credential_id')
    .execute();
  await db.schema
    .createIndex('webauthn_credentials_user_id_index')
    .on('webauthn_credentials')
    .column('user_id')
    .execute();
  await db.schema
    .createTable('webauthn_challenges')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('challenge', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('flow_id', 'text')
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('created_at', millis, (c) => c.notNull())
    .addColumn('expires_at', millis, (c) => c.notNull())
    .addColumn('used_at', millis)
    .execute();
  await db.schema
    .createIndex('webauthn_challenges_expires_at_index')
    .on('webauthn_challenges')
    .column('expires_at')
    .execute();
}
