import type { ColumnDataType, Kysely } from 'kysely';
import type { StorageDialect } from '../storage-dialect.js';

/*
 * Code checks of a platform user's TOTP factor under a verify service (Twilio Verify's
 * Challenges), kept so they can be fetched and listed. They go with the service, the account
 * and the factor they name.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>, dialect: StorageDialect): Promise<void> {
  const millis: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('entity_challenges')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull().references('verify_services.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('factor_id', 'text', (c) => c.notNull().references('factors.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', millis, (c) => c.notNull())
    .addColumn('updated_at', millis, (c) => c.notNull())
    .addColumn('responded_at', millis)
    .addColumn('expires_at', millis, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('entity_challenges_user_index')
    .on('entity_challenges')
    .columns(['service_id', 'user_id', 'created_at'])
    .execute();
}
