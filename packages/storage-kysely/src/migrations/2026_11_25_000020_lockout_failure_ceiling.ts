import type { Kysely } from 'kysely';

/**
 * The lockout keeps the consecutive failures since the last success across locks, for the
 * failure ceiling (NIST SP 800-63B §5.2.2). Existing rows start from zero: their history across
 * earlier locks was not kept.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('lockouts')
    .addColumn('total_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
