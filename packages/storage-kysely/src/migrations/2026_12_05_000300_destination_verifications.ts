import type { ColumnDataType, Kysely } from 'kysely';
import type { StorageDialect } from '../storage-dialect.js';

/*
 * Verify services (a namespace of destination verifications and TOTP defaults, owned by the
 * account that made it) and destination verifications: a code sent to a phone number or e-mail
 * address that belongs to no account. The code itself is a row of `delivered_codes`, under its
 * send limits; a verification names the one it sent last. The destination is sealed; its keyed
 * hash finds the pending verification a check by destination names.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>, dialect: StorageDialect): Promise<void> {
  const millis: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('verify_services')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('code_length', 'integer', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('created_at', millis, (c) => c.notNull())
    .addColumn('updated_at', millis, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('verify_services_owner_index')
    .on('verify_services')
    .columns(['owner_id', 'created_at'])
    .execute();
  await db.schema
    .createTable('destination_verifications')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull().references('verify_services.id').onDelete('cascade'))
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('sealed_destination', 'text', (c) => c.notNull())
    .addColumn('destination_hash', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('code_id', 'text', (c) => c.notNull())
    .addColumn('send_attempts', 'text', (c) => c.notNull())
    .addColumn('created_at', millis, (c) => c.notNull())
    .addColumn('updated_at', millis, (c) => c.notNull())
    .addColumn('expires_at', millis, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('destination_verifications_lookup_index')
    .on('destination_verifications')
    .columns(['service_id', 'destination_hash', 'status'])
    .execute();
}
