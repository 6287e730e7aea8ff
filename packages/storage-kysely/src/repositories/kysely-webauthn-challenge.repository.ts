import type { WebAuthnChallengeRecord, WebAuthnChallengeRepository } from '@tessera/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { toDate, toMillis, toNullableDate, toNullableMillis } from './time-columns.js';

/** Challenges live for minutes; not durable writes (losing one makes the browser ask again). */
export class KyselyWebAuthnChallengeRepository implements WebAuthnChallengeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(challenge: WebAuthnChallengeRecord): Promise<void> {
    // Expired challenges are of no use to anyone: each insert sweeps a few away.
    const now = toMillis(challenge.createdAt);
    const stale = this.db.selectFrom('webauthn_challenges').select('id').where('expires_at', '<', now).limit(20);
    await this.db.deleteFrom('webauthn_challenges').where('id', 'in', stale).execute();
    await this.db
      .insertInto('webauthn_challenges')
      .values({
        id: challenge.id,
        challenge: challenge.challenge,
        purpose: challenge.purpose,
        flow_id: challenge.flowId,
        user_id: challenge.userId,
        created_at: now,
        expires_at: toMillis(challenge.expiresAt),
        used_at: toNullableMillis(challenge.usedAt),
      })
      .execute();
  }

  async consume(id: string, purpose: string, now: Date): Promise<WebAuthnChallengeRecord | undefined> {
    const row = await this.db
      .updateTable('webauthn_challenges')
      .set({ used_at: toMillis(now) })
      .where('id', '=', id)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', toMillis(now))
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      challenge: row.challenge,
      purpose: row.purpose,
      flowId: row.flow_id,
      userId: row.user_id,
      createdAt: toDate(Number(row.created_at)),
      expiresAt: toDate(Number(row.expires_at)),
      usedAt: toNullableDate(row.used_at === null ? null : Number(row.used_at)),
    };
  }
}
