import { type Kysely, sql } from 'kysely';

/**
 * cPanel's account model: a primary domain on an account, and sub-accounts (cPanel's e-mail
 * accounts and team users) owned by a top-level account. `owner_id` references the owner with
 * no cascade, so the database too refuses to delete an owner that still owns accounts.
 *
 * Two partial indexes: sub-accounts by owner (the owner's listing, the delete check), and
 * top-level accounts by username, which WHM's get_user_configs pages through by keyset. Without
 * the second, a planner may pick the owner index for `owner_id is null` (nearly every row) and
 * sort the whole table for each page.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('domain', 'text').execute();
  await db.schema
    .alterTable('users')
    .addColumn('owner_id', 'text', (c) => c.references('users.id'))
    .execute();
  await db.schema.alterTable('users').addColumn('sub_kind', 'text').execute();
  await db.schema
    .createIndex('users_owner_id_index')
    .on('users')
    .column('owner_id')
    .where(sql.ref('owner_id'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('users_top_level_username_index')
    .on('users')
    .column('username')
    .where(sql.ref('owner_id'), 'is', null)
    .execute();
}
