import { createHash } from 'node:crypto';
import type { DeliveredCodeRecord } from '@tessera/core';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../database.js';

/**
 * First key of PostgreSQL's two-key advisory locks taken for send limits. The two-key space is
 * apart from the one-key space (where Kysely's migration lock lives), and the first key keeps
 * these apart from any other two-key lock a future feature takes. Arbitrary but fixed.
 */
const SEND_LIMIT_LOCK_CLASS = 0x7e55e7a;

/**
 * What a send's limits are counted over: its recipient and, for SMS, its account and its client
 * address. Each becomes the second key of an advisory lock: 32 bits of a hash, so two keys
 * sharing it only wait for each other, they never pass a limit.
 */
export function sendLockKeys(code: DeliveredCodeRecord): number[] {
  const subjects = [`recipient:${code.recipientHash}`];
  if (code.channel === 'sms') {
    subjects.push(`user:${code.userId}`);
    if (code.clientIpHash !== null) subjects.push(`client:${code.clientIpHash}`);
  }
  return subjects.map((subject) => createHash('sha256').update(subject).digest().readInt32BE(0));
}

/**
 * Makes concurrent sends that share a recipient, an account or a client address take turns until
 * the transaction ends (PostgreSQL only). The locks are taken in ascending key order, the same
 * order in every transaction, so two sends waiting for each other's keys cannot deadlock.
 */
export async function lockSendKeys(trx: Transaction<Database>, keys: readonly number[]): Promise<void> {
  for (const key of [...new Set(keys)].sort((a, b) => a - b)) {
    await sql`select pg_advisory_xact_lock(${SEND_LIMIT_LOCK_CLASS}::integer, ${key}::integer)`.execute(trx);
  }
}
