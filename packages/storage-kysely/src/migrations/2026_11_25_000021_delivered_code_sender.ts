import type { Kysely } from 'kysely';

/**
 * Sent codes record the keyed hash of the requesting client's IP address, for the per-IP limit
 * on distinct SMS destinations. Codes sent before have none (null) and count for no address.
 * Indexes for the per-account and per-address counts over the last day.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('delivered_codes').addColumn('client_ip_hash', 'text').execute();
  await db.schema
    .createIndex('delivered_codes_user_id_sent_at_index')
    .on('delivered_codes')
    .columns(['user_id', 'sent_at'])
    .execute();
  await db.schema
    .createIndex('delivered_codes_client_ip_hash_sent_at_index')
    .on('delivered_codes')
    .columns(['client_ip_hash', 'sent_at'])
    .execute();
}
