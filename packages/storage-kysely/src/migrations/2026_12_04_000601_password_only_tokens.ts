import type { Kysely } from 'kysely';

/**
 * Whether a session passed a second factor, and whether an API token was made by a session that
 * did not (or by a password sent with the request): such a token is held to the "2FA required"
 * policy as that session is, instead of outliving it. Sessions started before this migration
 * count as password-only; tokens made before it keep working as server-to-server tokens, since
 * how they were made is not known (docs/security.md says how to find and revoke them).
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('session_families')
    .addColumn('second_factor', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('api_tokens')
    .addColumn('password_only', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
