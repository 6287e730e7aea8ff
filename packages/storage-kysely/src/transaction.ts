import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from './database.js';

/**
 * Runs `fn` in a transaction of `db`; when `db` already is one (a repository bound to a unit of
 * work, see kysely-storage.ts), in a savepoint of it instead, since Kysely refuses to begin a
 * transaction inside a transaction.
 *
 * The savepoint keeps the repository call all-or-nothing within the outer transaction, as it was
 * on its own: when `fn` throws, its statements are undone and the outer transaction goes on. On
 * PostgreSQL that also matters when a repository turns an error into a result (a unique clash
 * into `already_active`, say): a failed statement aborts the whole transaction unless it is
 * rolled back to a savepoint first.
 */
export async function inTransaction<T>(
  db: Kysely<Database>,
  fn: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return inSavepoint(db as Transaction<Database>, fn);
  return db.transaction().execute(fn);
}

/**
 * One fixed name: savepoints of one name nest (release and rollback act on the latest), and a
 * fixed SQL text stays one entry of SQLite's statement cache. It assumes the calls inside one
 * transaction are awaited one after the other, as the unit of work asks.
 */
const SAVEPOINT = sql.raw('tessera_nested');

export async function inSavepoint<T>(
  trx: Transaction<Database>,
  fn: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  await sql`savepoint ${SAVEPOINT}`.execute(trx);
  let result: T;
  try {
    result = await fn(trx);
  } catch (error) {
    await sql`rollback to savepoint ${SAVEPOINT}`.execute(trx);
    await sql`release savepoint ${SAVEPOINT}`.execute(trx);
    throw error;
  }
  await sql`release savepoint ${SAVEPOINT}`.execute(trx);
  return result;
}
