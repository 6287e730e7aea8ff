import type { WebAuthnCredentialRecord, WebAuthnCredentialRepository } from '@tessera/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { WebAuthnCredentialRow } from '../tables/webauthn-credential.table.js';
import { toDate, toMillis, toNullableDate, toNullableMillis } from './time-columns.js';

export class KyselyWebAuthnCredentialRepository implements WebAuthnCredentialRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(credential: WebAuthnCredentialRecord): Promise<boolean> {
    // ON CONFLICT rather than catching the violation: inside a PostgreSQL transaction a failed
    // statement would abort the whole unit of work.
    const inserted = await this.db
      .insertInto('webauthn_credentials')
      .values({
        id: credential.id,
        user_id: credential.userId,
        factor_id: credential.factorId,
        credential_id: credential.credentialId,
        public_key: credential.publicKey,
        sign_count: credential.signCount,
        transports: JSON.stringify(credential.transports),
        aaguid: credential.aaguid,
        backup_eligible: flag(credential.backupEligible),
        backed_up: flag(credential.backedUp),
        discoverable: flag(credential.discoverable),
        user_verified: flag(credential.userVerified),
        name: credential.name,
        created_at: toMillis(credential.createdAt),
        last_used_at: toNullableMillis(credential.lastUsedAt),
      })
      .onConflict((conflict) => conflict.column('credential_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async listByUser(userId: string): Promise<WebAuthnCredentialRecord[]> {
    const rows = await this.db
      .selectFrom('webauthn_credentials')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toRecord);
  }

  async countByUser(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('webauthn_credentials')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async findByCredentialId(credentialId: string): Promise<WebAuthnCredentialRecord | undefined> {
    const row = await this.db
      .selectFrom('webauthn_credentials')
      .selectAll()
      .where('credential_id', '=', credentialId)
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async recordUse(
    id: string,
    expectedSignCount: number,
    next: { signCount: number; backedUp: boolean; lastUsedAt: Date },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('webauthn_credentials')
      .set({ sign_count: next.signCount, backed_up: flag(next.backedUp), last_used_at: toMillis(next.lastUsedAt) })
      .where('id', '=', id)
      .where('sign_count', '=', expectedSignCount)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async rename(id: string, userId: string, name: string): Promise<boolean> {
    const result = await this.db
      .updateTable('webauthn_credentials')
      .set({ name })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async delete(id: string, userId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('webauthn_credentials')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}

function flag(value: boolean): number {
  return value ? 1 : 0;
}

function toRecord(row: WebAuthnCredentialRow): WebAuthnCredentialRecord {
  return {
    id: row.id,
    userId: row.user_id,
    factorId: row.factor_id,
    credentialId: row.credential_id,
    publicKey: row.public_key,
    signCount: Number(row.sign_count),
    transports: JSON.parse(row.transports) as string[],
    aaguid: row.aaguid,
    backupEligible: row.backup_eligible === 1,
    backedUp: row.backed_up === 1,
    discoverable: row.discoverable === 1,
    userVerified: row.user_verified === 1,
    name: row.name,
    createdAt: toDate(Number(row.created_at)),
    lastUsedAt: toNullableDate(row.last_used_at === null ? null : Number(row.last_used_at)),
  };
}
