import type {
  DestinationVerificationRecord,
  DestinationVerificationRepository,
  VerificationSendAttempt,
  VerifyServiceRecord,
  VerifyServiceRepository,
  VerifyServiceSettings,
} from '@tessera/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { DestinationVerificationRow, VerifyServiceRow } from '../tables/verify-service.table.js';
import { toDate, toMillis } from './time-columns.js';

export class KyselyVerifyServiceRepository implements VerifyServiceRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(service: VerifyServiceRecord): Promise<void> {
    await this.db
      .insertInto('verify_services')
      .values({
        id: service.id,
        owner_id: service.ownerId,
        friendly_name: service.friendlyName,
        code_length: service.codeLength,
        settings: JSON.stringify(service.settings),
        created_at: toMillis(service.createdAt),
        updated_at: toMillis(service.updatedAt),
      })
      .execute();
  }

  async findById(id: string, ownerId: string): Promise<VerifyServiceRecord | undefined> {
    const row = await this.db
      .selectFrom('verify_services')
      .selectAll()
      .where('id', '=', id)
      .where('owner_id', '=', ownerId)
      .executeTakeFirst();
    return row && toServiceRecord(row);
  }

  async list(ownerId: string, offset: number, limit: number): Promise<VerifyServiceRecord[]> {
    const rows = await this.db
      .selectFrom('verify_services')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .orderBy('created_at')
      .orderBy('id')
      .offset(offset)
      .limit(limit)
      .execute();
    return rows.map(toServiceRecord);
  }

  async update(service: VerifyServiceRecord): Promise<boolean> {
    const result = await this.db
      .updateTable('verify_services')
      .set({
        friendly_name: service.friendlyName,
        code_length: service.codeLength,
        settings: JSON.stringify(service.settings),
        updated_at: toMillis(service.updatedAt),
      })
      .where('id', '=', service.id)
      .where('owner_id', '=', service.ownerId)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async delete(id: string, ownerId: string): Promise<boolean> {
    // Its verifications go with it (ON DELETE CASCADE); their delivered codes expire on their own.
    const result = await this.db
      .deleteFrom('verify_services')
      .where('id', '=', id)
      .where('owner_id', '=', ownerId)
      .executeTakeFirst();
    return result.numDeletedRows === 1n;
  }
}

/**
 * Not durable writes (see durable-write.ts), as the delivered codes they wrap: a verification
 * lives for minutes.
 */
export class KyselyDestinationVerificationRepository implements DestinationVerificationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(verification: DestinationVerificationRecord): Promise<void> {
    await this.db
      .insertInto('destination_verifications')
      .values({
        id: verification.id,
        service_id: verification.serviceId,
        owner_id: verification.ownerId,
        channel: verification.channel,
        sealed_destination: verification.sealedDestination,
        destination_hash: verification.destinationHash,
        status: verification.status,
        code_id: verification.codeId,
        send_attempts: sendAttemptsJson(verification.sendAttempts),
        created_at: toMillis(verification.createdAt),
        updated_at: toMillis(verification.updatedAt),
        expires_at: toMillis(verification.expiresAt),
      })
      .execute();
  }

  async findById(id: string): Promise<DestinationVerificationRecord | undefined> {
    const row = await this.db
      .selectFrom('destination_verifications')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toVerificationRecord(row);
  }

  async findPending(
    serviceId: string,
    destinationHash: string,
    now: Date,
  ): Promise<DestinationVerificationRecord | undefined> {
    const row = await this.db
      .selectFrom('destination_verifications')
      .selectAll()
      .where('service_id', '=', serviceId)
      .where('destination_hash', '=', destinationHash)
      .where('status', '=', 'pending')
      .where('expires_at', '>', toMillis(now))
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toVerificationRecord(row);
  }

  async updatePending(
    id: string,
    change: Partial<Pick<DestinationVerificationRecord, 'status' | 'codeId' | 'sendAttempts' | 'expiresAt'>> & {
      updatedAt: Date;
    },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('destination_verifications')
      .set({
        updated_at: toMillis(change.updatedAt),
        ...(change.status === undefined ? {} : { status: change.status }),
        ...(change.codeId === undefined ? {} : { code_id: change.codeId }),
        ...(change.sendAttempts === undefined ? {} : { send_attempts: sendAttemptsJson(change.sendAttempts) }),
        ...(change.expiresAt === undefined ? {} : { expires_at: toMillis(change.expiresAt) }),
      })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }
}

function sendAttemptsJson(attempts: readonly VerificationSendAttempt[]): string {
  return JSON.stringify(attempts.map((attempt) => ({ channel: attempt.channel, sentAt: toMillis(attempt.sentAt) })));
}

function toServiceRecord(row: VerifyServiceRow): VerifyServiceRecord {
  return {
    id: row.id,
    ownerId: row.owner_id,
    friendlyName: row.friendly_name,
    codeLength: row.code_length,
    settings: JSON.parse(row.settings) as VerifyServiceSettings,
    createdAt: toDate(Number(row.created_at)),
    updatedAt: toDate(Number(row.updated_at)),
  };
}

function toVerificationRecord(row: DestinationVerificationRow): DestinationVerificationRecord {
  const attempts = JSON.parse(row.send_attempts) as { channel: VerificationSendAttempt['channel']; sentAt: number }[];
  return {
    id: row.id,
    serviceId: row.service_id,
    ownerId: row.owner_id,
    channel: row.channel,
    sealedDestination: row.sealed_destination,
    destinationHash: row.destination_hash,
    status: row.status,
    codeId: row.code_id,
    sendAttempts: attempts.map((attempt) => ({ channel: attempt.channel, sentAt: toDate(attempt.sentAt) })),
    createdAt: toDate(Number(row.created_at)),
    updatedAt: toDate(Number(row.updated_at)),
    expiresAt: toDate(Number(row.expires_at)),
  };
}
