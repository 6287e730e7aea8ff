import type { ColumnDataType, Kysely } from 'kysely';

/**
 * What a user sees of their own sessions: when each was last used (sign-in or refresh), and
 * from which client address and user agent. Sessions started before have none (null).
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const millis: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('session_families').addColumn('last_used_at', millis).execute();
  await db.schema.alterTable('session_families').addColumn('client_ip', 'text').execute();
  await db.schema.alterTable('session_families').addColumn('user_agent', 'text').execute();
}
