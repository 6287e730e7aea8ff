import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Database } from './database.js';
import type { StorageDialect } from './storage-dialect.js';
import { inSavepoint } from './transaction.js';

/**
 * Runs `fn` in a transaction whose commit survives a power cut.
 *
 * SQLite runs with `synchronous = NORMAL`: in WAL mode a commit is then not fsynced, so a
 * power cut can lose the last few commits, but never corrupts the file. That is fine for what
 * is written often and cheap to lose: lockout counters, the last-used TOTP step, flows, session
 * start and refresh-token rotation. Losing one of those can at worst let a code or a refresh
 * token accepted in the last moment before the cut be used once more, give back a few failed
 * guesses, or sign a user out. It
 * is not fine for what a user or admin was told has happened: an account created, an
 * authenticator enrolled, activated or removed, an API token issued or revoked, a session
 * revoked, a setting changed. Those writes go through here.
 *
 * Of the second-factor writes, these are durable: a backup-code set replaced, removed or a
 * code used (a backup code never expires, so a lost use would revive it for good), a history
 * entry, a factor inserted active or all of a user's factors removed, a password, issuer or
 * phone change, and a trusted device revoked. These stay on NORMAL, being short-lived or safe
 * to lose: a delivered code sent (checked against the send limits and recorded), discarded,
 * tried, used or invalidated, a success token issued or used (the durable write of the
 * operation it unlocks flushes that use with it), and a trusted device rotated (a loss only asks
 * that device for a second factor again). A device remembered is durable since its
 * `signin.new_device` webhook event is written with it.
 *
 * A unit of work (Storage.transaction: a factor activated together with its flow moved on, a
 * success token used together with a factor removed) is durable as a whole, whatever its parts
 * would be on their own: the user is told it happened.
 *
 * On SQLite this holds the one connection (so no other query can run between the pragma
 * changes), switches it to `synchronous = FULL`, runs `fn` in a transaction on that connection
 * and switches back to NORMAL in a finally. The switch happens outside the transaction because
 * SQLite refuses to change the safety level inside one; the commit then uses FULL.
 *
 * On PostgreSQL every commit is already durable, so this is just a transaction.
 *
 * When `db` is already a transaction (a repository bound to a unit of work), `fn` runs in a
 * savepoint of it: the unit of work commits durably itself, and SQLite could not switch the level
 * inside it anyway.
 *
 * `fn` must use the transaction it is given: on SQLite the outer `db` is held until it returns.
 */
export async function durableWrite<T>(
  db: Kysely<Database>,
  dialect: StorageDialect,
  fn: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return inSavepoint(db as Transaction<Database>, fn);
  if (dialect === 'postgres') return db.transaction().execute(fn);
  return db.connection().execute(async (conn) => {
    await sql`pragma synchronous = FULL`.execute(conn);
    try {
      return await conn.transaction().execute(fn);
    } finally {
      await sql`pragma synchronous = NORMAL`.execute(conn);
    }
  });
}
