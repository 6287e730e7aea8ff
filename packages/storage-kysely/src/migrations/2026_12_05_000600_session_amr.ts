import type { Kysely } from 'kysely';

/**
 * How a session's sign-in was made (RFC 8176 `amr` values, space-separated), so every access
 * token of the session says it, not only the first: a refresh re-issues the claim from here.
 * Sessions started before this migration have none, as their refreshed tokens had none.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('session_families').addColumn('amr', 'text').execute();
}
