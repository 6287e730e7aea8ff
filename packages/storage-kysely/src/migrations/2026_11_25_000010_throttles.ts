import type { ColumnDataType, Kysely } from 'kysely';
import type { StorageDialect } from '../storage-dialect.js';

/**
 * Failure budgets by key: password failures per account and per client address, recovery
 * failures per account. Kept apart from `lockouts` (the second factor's budget), so that
 * guessing one never uses up another. Keys are not user ids (an address has no user), so there
 * is no foreign key; an account's rows are keyed by its id and go stale harmlessly.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>, dialect: StorageDialect): Promise<void> {
  const millis: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('throttles')
    .addColumn('key', 'text', (c) => c.notNull().primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('blocked_until', millis)
    .addColumn('window_started_at', millis)
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
}
