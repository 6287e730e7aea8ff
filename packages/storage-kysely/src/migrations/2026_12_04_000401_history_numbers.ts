import { type Kysely, sql } from 'kysely';
import type { StorageDialect } from '../storage-dialect.js';

/**
 * A number for every history entry: 1, 2, 3, … in the order entries are written, unique, never
 * changed. B2Core's clients type a change's id as an integer (`"id": 1`) and pass it back to
 * `GET /2fa/changes/{changeId}`; the native API keeps the UUIDs.
 *
 * PostgreSQL numbers the entries with an identity column (existing rows are numbered as the
 * column is added). SQLite cannot add an auto-incrementing column to a table, and its rowid is
 * no stable id (VACUUM may renumber the rowids of a table without an INTEGER PRIMARY KEY): the
 * column is a plain integer, existing entries take their rowid once, and each insert writes
 * `max(number) + 1` in the same statement, which SQLite's single writer makes safe; the unique
 * index makes the maximum one index lookup and refuses a duplicate should two ever collide.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>, dialect: StorageDialect): Promise<void> {
  if (dialect === 'postgres') {
    await db.schema
      .alterTable('history')
      .addColumn('number', 'bigint', (c) => c.generatedByDefaultAsIdentity().notNull())
      .execute();
  } else {
    await db.schema.alterTable('history').addColumn('number', 'integer').execute();
    await sql`update history set number = rowid`.execute(db);
  }
  await db.schema.createIndex('history_number').unique().on('history').column('number').execute();
}
