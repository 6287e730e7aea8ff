import { type Kysely, sql } from 'kysely';
import type { StorageDialect } from '../storage-dialect.js';

/**
 * The total of a user's history listing without counting the user's entries
 * (docs/benchmark.md, "Scale").
 *
 * A listing filtered by user counted the user's index entries for its total: 100,000 of them
 * took over 50 ms. `history_user_counts` keeps the number of entries of each user, method and
 * enabled flag, written in the transaction of each insert as `history_counts` is, and starts
 * from the entries already there. Entries of no user (pseudonymised or never a user's) are not
 * counted here: no listing filters on "no user".
 *
 * A user's deletion pseudonymises their history first, in the same transaction, and that takes
 * their counts away (KyselyHistoryRepository.pseudonymise). The cascade is for a user row
 * deleted any other way: its entries lose their user_id (ON DELETE SET NULL), so its counts go.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>, dialect: StorageDialect): Promise<void> {
  await db.schema
    .createTable('history_user_counts')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('entries', dialect === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('history_user_counts_pkey', ['user_id', 'method', 'enabled'])
    .execute();
  await sql`insert into history_user_counts (user_id, method, enabled, entries)
    select user_id, method, enabled, count(*) from history where user_id is not null
    group by user_id, method, enabled`.execute(db);
}
