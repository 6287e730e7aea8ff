import type { EntityChallengeRecord, EntityChallengeRepository } from '@tessera/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { EntityChallengeRow } from '../tables/entity-challenge.table.js';
import { toDate, toMillis, toNullableMillis } from './time-columns.js';

export class KyselyEntityChallengeRepository implements EntityChallengeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(challenge: EntityChallengeRecord): Promise<void> {
    await this.db
      .insertInto('entity_challenges')
      .values({
        id: challenge.id,
        service_id: challenge.serviceId,
        user_id: challenge.userId,
        factor_id: challenge.factorId,
        status: challenge.status,
        created_at: toMillis(challenge.createdAt),
        updated_at: toMillis(challenge.updatedAt),
        responded_at: toNullableMillis(challenge.respondedAt),
        expires_at: toMillis(challenge.expiresAt),
      })
      .execute();
  }

  async findById(id: string, serviceId: string, userId: string): Promise<EntityChallengeRecord | undefined> {
    const row = await this.db
      .selectFrom('entity_challenges')
      .selectAll()
      .where('id', '=', id)
      .where('service_id', '=', serviceId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async list(serviceId: string, userId: string, offset: number, limit: number): Promise<EntityChallengeRecord[]> {
    const rows = await this.db
      .selectFrom('entity_challenges')
      .selectAll()
      .where('service_id', '=', serviceId)
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .offset(offset)
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }

  async approve(id: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('entity_challenges')
      .set({ status: 'approved', responded_at: toMillis(now), updated_at: toMillis(now) })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('expires_at', '>', toMillis(now))
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }
}

function toRecord(row: EntityChallengeRow): EntityChallengeRecord {
  return {
    id: row.id,
    serviceId: row.service_id,
    userId: row.user_id,
    factorId: row.factor_id,
    status: row.status,
    createdAt: toDate(Number(row.created_at)),
    updatedAt: toDate(Number(row.updated_at)),
    respondedAt: row.responded_at === null ? null : toDate(Number(row.responded_at)),
    expiresAt: toDate(Number(row.expires_at)),
  };
}
