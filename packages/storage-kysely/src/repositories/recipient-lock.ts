import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../database.js';

/**
 * First key of PostgreSQL's two-key advisory locks taken for send limits. The two-key space is
 * apart from the one-key space (where Kysely's migration lock lives), and the first key keeps
 * these apart from any other two-key lock a future feature takes. Arbitrary but fixed.
 */
const SEND_LIMIT_LOCK_CLASS = 0x7e55e7a;

/**
 * Makes concurrent sends to one recipient take turns until the transaction ends (PostgreSQL
 * only). The second key is 32 bits of a hash of the recipient's hash: two recipients sharing it
 * only wait for each other, they never pass a limit.
 */
export async function lockRecipient(trx: Transaction<Database>, recipientHash: string): Promise<void> {
  const key = createHash('sha256').update(recipientHash).digest().readInt32BE(0);
  await sql`select pg_advisory_xact_lock(${SEND_LIMIT_LOCK_CLASS}::integer, ${key}::integer)`.execute(trx);
}
