import type { ColumnDataType, Kysely } from 'kysely';
import type { StorageDialect } from '../storage-dialect.js';

/*
 * Signed webhooks. `webhook_endpoints` are the URLs admins registered, each with its signing
 * secrets in `webhook_secrets` (sealed; a rotated one keeps an expiry). `webhook_events` is the
 * outbox: the body of each event, written in the transaction of the change it reports, and
 * `webhook_deliveries` one row per event and endpoint, numbered by `seq` in the order written
 * (the order an account's events reach an endpoint), with the lease a dispatcher takes it
 * under. `webhook_attempts` records every try.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>, dialect: StorageDialect): Promise<void> {
  const millis: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    // A JSON array of event types; empty: every type.
    .addColumn('event_types', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('disabled_reason', 'text')
    .addColumn('created_at', millis, (c) => c.notNull())
    .addColumn('updated_at', millis, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('webhook_secrets')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    .addColumn('sealed_secret', 'text', (c) => c.notNull())
    .addColumn('created_at', millis, (c) => c.notNull())
    .addColumn('expires_at', millis)
    .execute();
  await db.schema.createIndex('webhook_secrets_endpoint_index').on('webhook_secrets').column('endpoint_id').execute();
  await db.schema
    .createTable('webhook_events')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', millis, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('seq', dialect === 'postgres' ? 'bigint' : 'integer', (c) =>
      dialect === 'postgres'
        ? c.generatedByDefaultAsIdentity().primaryKey()
        : // INTEGER PRIMARY KEY is the rowid: numbered on insert, never renumbered.
          c.primaryKey().autoIncrement(),
    )
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('event_id', 'text', (c) => c.notNull().references('webhook_events.id').onDelete('cascade'))
    .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    // The account whose events keep their order ('' for events of no account).
    .addColumn('order_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempt_count', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', millis, (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', millis)
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', millis)
    .addColumn('created_at', millis, (c) => c.notNull())
    .execute();
  // The dispatcher's look for due deliveries, and the check for an earlier pending one of the account.
  await db.schema
    .createIndex('webhook_deliveries_due_index')
    .on('webhook_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_order_index')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'order_key', 'status', 'seq'])
    .execute();
  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('delivery_id', 'text', (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
    .addColumn('attempted_at', millis, (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('webhook_attempts_delivery_index').on('webhook_attempts').column('delivery_id').execute();
}
