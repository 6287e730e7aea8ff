import type { Kysely } from 'kysely';

/**
 * API tokens get a scope: `write` (everything their owner may do, as before) or `read`.
 * Existing tokens keep full access.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('api_tokens')
    .addColumn('scope', 'text', (c) => c.notNull().defaultTo('write'))
    .execute();
}
