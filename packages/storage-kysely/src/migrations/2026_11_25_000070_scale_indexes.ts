import { type Kysely, sql } from 'kysely';
import type { StorageDialect } from '../storage-dialect.js';

/**
 * History listings stay fast with millions of rows (docs/benchmark.md, "Scale").
 *
 * A listing is a page and a count of the filtered set. The indexes of 2026_11_23_000002 hand a
 * page its rows in order, but the filters on `enabled` (and on `method` where the index has no
 * method) were checked against the table, one row lookup per candidate: counting a user's
 * 100,000 entries with `filter[isEnabled]` read 100,000 table rows. With the filtered columns
 * appended, each index covers every filter, so a count is a scan of index entries only, and so
 * is the skipping of an OFFSET. The leading columns, and so the order they hand out, are
 * unchanged; the user_id index still serves the ON DELETE SET NULL.
 *
 * The admin listing filtered by method had no index that led with method: its count read the
 * whole table.
 *
 * The admin listing's total without a user or a time filter counted every entry: 1,000,000 of
 * them took over 100 ms on PostgreSQL. `history_counts` keeps the number of entries of each
 * method and enabled flag, written in the transaction of each insert, and starts from the
 * entries already there.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>, dialect: StorageDialect): Promise<void> {
  const replacements: [old: string, name: string, columns: string[]][] = [
    [
      'history_user_id_created_at_index',
      'history_user_id_created_at_covering_index',
      ['user_id', 'created_at', 'id', 'method', 'enabled'],
    ],
    [
      'history_user_id_method_created_at_index',
      'history_user_id_method_created_at_covering_index',
      ['user_id', 'method', 'created_at', 'id', 'enabled'],
    ],
    ['history_created_at_index', 'history_created_at_covering_index', ['created_at', 'id', 'method', 'enabled']],
  ];
  for (const [old, name, columns] of replacements) {
    // The new index first, so no listing is ever left without one.
    await db.schema.createIndex(name).on('history').columns(columns).execute();
    await db.schema.dropIndex(old).execute();
  }
  await db.schema
    .createIndex('history_method_created_at_index')
    .on('history')
    .columns(['method', 'created_at', 'id', 'enabled'])
    .execute();

  await db.schema
    .createTable('history_counts')
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('entries', dialect === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('history_counts_pkey', ['method', 'enabled'])
    .execute();
  await sql`insert into history_counts (method, enabled, entries)
    select method, enabled, count(*) from history group by method, enabled`.execute(db);
}
