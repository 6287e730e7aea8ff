import type { FlowRecord, FlowRepository } from '@tessera/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { FlowRow } from '../tables/flow.table.js';
import { toDate, toMillis } from './time-columns.js';

export class KyselyFlowRepository implements FlowRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(flow: FlowRecord): Promise<void> {
    await this.db
      .insertInto('flows')
      .values({
        id: flow.id,
        kind: flow.kind,
        user_id: flow.userId,
        state: flow.state,
        data: flow.data,
        attempts: flow.attempts,
        version: flow.version,
        created_at: toMillis(flow.createdAt),
        expires_at: toMillis(flow.expiresAt),
      })
      .execute();
  }

  async findById(id: string): Promise<FlowRecord | undefined> {
    const row = await this.db.selectFrom('flows').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toFlowRecord(row);
  }

  async updateIfVersion(
    id: string,
    expectedVersion: number,
    next: Pick<FlowRecord, 'state' | 'data' | 'attempts'>,
  ): Promise<boolean> {
    // The version check is in the UPDATE itself, so of two requests that read the same version
    // only one can move the flow on.
    const result = await this.db
      .updateTable('flows')
      .set((eb) => ({
        state: next.state,
        data: next.data,
        attempts: next.attempts,
        version: eb('version', '+', 1),
      }))
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async expireAllForUser(userId: string, now: Date): Promise<number> {
    const result = await this.db
      .updateTable('flows')
      .set((eb) => ({ expires_at: toMillis(now), version: eb('version', '+', 1) }))
      .where('user_id', '=', userId)
      .where('expires_at', '>', toMillis(now))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('flows').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows === 1n;
  }
}

function toFlowRecord(row: FlowRow): FlowRecord {
  return {
    id: row.id,
    kind: row.kind,
    userId: row.user_id,
    state: row.state,
    data: row.data,
    attempts: row.attempts,
    version: row.version,
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
  };
}
