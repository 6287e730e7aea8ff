import { randomUUID } from 'node:crypto';
import type {
  ClaimedWebhookDelivery,
  WebhookAttemptRecord,
  WebhookDeliveryRecord,
  WebhookDeliveryStatus,
  WebhookDeliveryWithAttempts,
  WebhookEndpointChanges,
  WebhookEndpointRecord,
  WebhookEventRecord,
  WebhookRepository,
  WebhookSecretRecord,
} from '@tessera/core';
import { type Kysely, sql, type Updateable } from 'kysely';
import type { Database } from '../database.js';
import { durableWrite } from '../durable-write.js';
import type { StorageDialect } from '../storage-dialect.js';
import type {
  WebhookAttemptRow,
  WebhookDeliveryRow,
  WebhookEndpointRow,
  WebhookEndpointTable,
} from '../tables/webhook.tables.js';
import { toDate, toMillis, toNullableDate } from './time-columns.js';

export class KyselyWebhookRepository implements WebhookRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StorageDialect,
  ) {}

  async insertEndpoint(endpoint: WebhookEndpointRecord, secret: WebhookSecretRecord): Promise<void> {
    // Durable: the admin was shown the secret; it must still sign after a power cut.
    await durableWrite(this.db, this.dialect, async (trx) => {
      await trx
        .insertInto('webhook_endpoints')
        .values({
          id: endpoint.id,
          url: endpoint.url,
          description: endpoint.description,
          event_types: JSON.stringify(endpoint.eventTypes),
          enabled: endpoint.enabled ? 1 : 0,
          disabled_reason: endpoint.disabledReason,
          created_at: toMillis(endpoint.createdAt),
          updated_at: toMillis(endpoint.updatedAt),
        })
        .execute();
      await trx
        .insertInto('webhook_secrets')
        .values({
          id: secret.id,
          endpoint_id: secret.endpointId,
          sealed_secret: secret.sealedSecret,
          created_at: toMillis(secret.createdAt),
          expires_at: null,
        })
        .execute();
    });
  }

  async listEndpoints(): Promise<WebhookEndpointRecord[]> {
    const rows = await this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toEndpoint);
  }

  async findEndpoint(id: string): Promise<WebhookEndpointRecord | undefined> {
    const row = await this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toEndpoint(row);
  }

  async updateEndpoint(
    id: string,
    changes: WebhookEndpointChanges,
    now: Date,
  ): Promise<WebhookEndpointRecord | undefined> {
    const set: Updateable<WebhookEndpointTable> = { updated_at: toMillis(now) };
    if (changes.url !== undefined) set.url = changes.url;
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.eventTypes !== undefined) set.event_types = JSON.stringify(changes.eventTypes);
    if (changes.enabled !== undefined) set.enabled = changes.enabled ? 1 : 0;
    if (changes.disabledReason !== undefined) set.disabled_reason = changes.disabledReason;
    const row = await durableWrite(this.db, this.dialect, (trx) =>
      trx.updateTable('webhook_endpoints').set(set).where('id', '=', id).returningAll().executeTakeFirst(),
    );
    return row && toEndpoint(row);
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    const result = await durableWrite(this.db, this.dialect, async (trx) => {
      // The events no other endpoint still has a delivery of go with it.
      const events = trx.selectFrom('webhook_deliveries').select('event_id').where('endpoint_id', '=', id);
      const deleted = await trx.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
      await trx
        .deleteFrom('webhook_events')
        .where('id', 'not in', trx.selectFrom('webhook_deliveries').select('event_id'))
        .where('id', 'in', events)
        .execute();
      return deleted;
    });
    return Number(result.numDeletedRows) > 0;
  }

  async rotateSecret(endpointId: string, next: WebhookSecretRecord, previousUntil: Date, now: Date): Promise<boolean> {
    return durableWrite(this.db, this.dialect, async (trx) => {
      const endpoint = await trx
        .selectFrom('webhook_endpoints')
        .select('id')
        .where('id', '=', endpointId)
        .executeTakeFirst();
      if (!endpoint) return false;
      await trx
        .deleteFrom('webhook_secrets')
        .where('endpoint_id', '=', endpointId)
        .where('expires_at', 'is not', null)
        .where('expires_at', '<=', toMillis(now))
        .execute();
      await trx
        .updateTable('webhook_secrets')
        .set({ expires_at: toMillis(previousUntil) })
        .where('endpoint_id', '=', endpointId)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', toMillis(previousUntil))]))
        .execute();
      await trx
        .insertInto('webhook_secrets')
        .values({
          id: next.id,
          endpoint_id: endpointId,
          sealed_secret: next.sealedSecret,
          created_at: toMillis(next.createdAt),
          expires_at: null,
        })
        .execute();
      return true;
    });
  }

  async enqueue(event: WebhookEventRecord): Promise<number> {
    // Read in the caller's transaction: an endpoint added meanwhile gets the events after it.
    const endpoints = await this.db
      .selectFrom('webhook_endpoints')
      .select(['id', 'event_types'])
      .where('enabled', '=', 1)
      .orderBy('id')
      .execute();
    const taking = endpoints.filter((endpoint) => {
      const types = JSON.parse(endpoint.event_types) as string[];
      return types.length === 0 || types.includes(event.type);
    });
    if (taking.length === 0) return 0;
    const createdAt = toMillis(event.createdAt);
    // Durable: the change it reports was (or is, in the caller's unit of work) durable too.
    await durableWrite(this.db, this.dialect, async (trx) => {
      await trx
        .insertInto('webhook_events')
        .values({
          id: event.id,
          type: event.type,
          user_id: event.userId,
          payload: event.payload,
          created_at: createdAt,
        })
        .execute();
      await trx
        .insertInto('webhook_deliveries')
        .values(
          taking.map((endpoint) => ({
            id: randomUUID(),
            event_id: event.id,
            endpoint_id: endpoint.id,
            event_type: event.type,
            user_id: event.userId,
            order_key: event.userId ?? '',
            status: 'pending',
            attempt_count: 0,
            next_attempt_at: createdAt,
            lease_owner: null,
            lease_until: null,
            last_status_code: null,
            last_error: null,
            delivered_at: null,
            created_at: createdAt,
          })),
        )
        .execute();
    });
    return taking.length;
  }

  async claimDue(now: Date, leaseUntil: Date, leaseOwner: string, limit: number): Promise<ClaimedWebhookDelivery[]> {
    const at = toMillis(now);
    // One statement: the candidates are chosen and leased together, and the lease condition is
    // checked again on each row as it is written. On PostgreSQL a concurrent claim of the same
    // row waits for the first, then finds the lease taken and skips it; SQLite has one writer.
    const due = this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
      .select('d.seq')
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', at)
      .where((eb) => eb.or([eb('d.lease_until', 'is', null), eb('d.lease_until', '<=', at)]))
      .where('e.enabled', '=', 1)
      // An account's earlier event to this endpoint goes first, however long it waits for a retry.
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('webhook_deliveries as p')
              .select(sql.lit(1).as('one'))
              .whereRef('p.endpoint_id', '=', 'd.endpoint_id')
              .whereRef('p.order_key', '=', 'd.order_key')
              .where('p.status', '=', 'pending')
              .whereRef('p.seq', '<', 'd.seq'),
          ),
        ),
      )
      .orderBy('d.seq')
      .limit(limit);
    const claimed = await this.db
      .updateTable('webhook_deliveries')
      .set({ lease_owner: leaseOwner, lease_until: toMillis(leaseUntil) })
      .where('seq', 'in', due)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at)]))
      .returningAll()
      .execute();
    if (claimed.length === 0) return [];
    const eventIds = [...new Set(claimed.map((row) => row.event_id))];
    const endpointIds = [...new Set(claimed.map((row) => row.endpoint_id))];
    const [events, endpoints, secrets] = await Promise.all([
      this.db.selectFrom('webhook_events').select(['id', 'payload']).where('id', 'in', eventIds).execute(),
      this.db.selectFrom('webhook_endpoints').select(['id', 'url']).where('id', 'in', endpointIds).execute(),
      this.db
        .selectFrom('webhook_secrets')
        .select(['id', 'endpoint_id', 'sealed_secret', 'expires_at'])
        .where('endpoint_id', 'in', endpointIds)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
        .orderBy('created_at', 'desc')
        .execute(),
    ]);
    const payloads = new Map(events.map((row) => [row.id, row.payload]));
    const urls = new Map(endpoints.map((row) => [row.id, row.url]));
    return claimed
      .sort((a, b) => Number(a.seq) - Number(b.seq))
      .flatMap((row) => {
        const payload = payloads.get(row.event_id);
        const url = urls.get(row.endpoint_id);
        if (payload === undefined || url === undefined) return [];
        return [
          {
            delivery: toDelivery(row),
            payload,
            url,
            secrets: secrets
              .filter((secret) => secret.endpoint_id === row.endpoint_id)
              .map((secret) => ({ id: secret.id, sealedSecret: secret.sealed_secret })),
          },
        ];
      });
  }

  async finishAttempt(
    deliveryId: string,
    leaseOwner: string,
    attempt: WebhookAttemptRecord,
    next: { status: WebhookDeliveryStatus; nextAttemptAt: Date; deliveredAt: Date | null },
  ): Promise<boolean> {
    return durableWrite(this.db, this.dialect, async (trx) => {
      await trx
        .insertInto('webhook_attempts')
        .values({
          id: attempt.id,
          delivery_id: deliveryId,
          attempted_at: toMillis(attempt.attemptedAt),
          status_code: attempt.statusCode,
          duration_ms: attempt.durationMs,
          error: attempt.error,
        })
        .execute();
      const result = await trx
        .updateTable('webhook_deliveries')
        .set((eb) => ({
          status: next.status,
          attempt_count: eb('attempt_count', '+', 1),
          next_attempt_at: toMillis(next.nextAttemptAt),
          last_status_code: attempt.statusCode,
          last_error: attempt.error,
          delivered_at: next.deliveredAt === null ? null : toMillis(next.deliveredAt),
          lease_owner: null,
          lease_until: null,
        }))
        .where('id', '=', deliveryId)
        .where('lease_owner', '=', leaseOwner)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  async countDue(now: Date): Promise<number> {
    const row = await this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', toMillis(now))
      .where('e.enabled', '=', 1)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async listDeliveries(
    endpointId: string,
    limit: number,
    offset: number,
  ): Promise<{ items: WebhookDeliveryWithAttempts[]; total: number }> {
    const [rows, count] = await Promise.all([
      this.db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('endpoint_id', '=', endpointId)
        .orderBy('seq', 'desc')
        .limit(limit)
        .offset(offset)
        .execute(),
      this.db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('endpoint_id', '=', endpointId)
        .executeTakeFirstOrThrow(),
    ]);
    return { items: await this.withAttempts(rows), total: Number(count.count) };
  }

  async findDelivery(endpointId: string, deliveryId: string): Promise<WebhookDeliveryWithAttempts | undefined> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .where('id', '=', deliveryId)
      .executeTakeFirst();
    if (!row) return undefined;
    return (await this.withAttempts([row]))[0];
  }

  async redeliver(endpointId: string, deliveryId: string, now: Date): Promise<boolean> {
    const result = await durableWrite(this.db, this.dialect, (trx) =>
      trx
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', attempt_count: 0, next_attempt_at: toMillis(now) })
        .where('endpoint_id', '=', endpointId)
        .where('id', '=', deliveryId)
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) > 0;
  }

  private async withAttempts(rows: WebhookDeliveryRow[]): Promise<WebhookDeliveryWithAttempts[]> {
    if (rows.length === 0) return [];
    const attempts = await this.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where(
        'delivery_id',
        'in',
        rows.map((row) => row.id),
      )
      .orderBy('attempted_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      ...toDelivery(row),
      attempts: attempts.filter((attempt) => attempt.delivery_id === row.id).map(toAttempt),
    }));
  }
}

function toEndpoint(row: WebhookEndpointRow): WebhookEndpointRecord {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: JSON.parse(row.event_types) as string[],
    enabled: Number(row.enabled) === 1,
    disabledReason: row.disabled_reason,
    createdAt: toDate(Number(row.created_at)),
    updatedAt: toDate(Number(row.updated_at)),
  };
}

function toDelivery(row: WebhookDeliveryRow): WebhookDeliveryRecord {
  return {
    id: row.id,
    eventId: row.event_id,
    endpointId: row.endpoint_id,
    eventType: row.event_type,
    userId: row.user_id,
    status: row.status as WebhookDeliveryStatus,
    attemptCount: Number(row.attempt_count),
    nextAttemptAt: toDate(Number(row.next_attempt_at)),
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    lastError: row.last_error,
    deliveredAt: toNullableDate(row.delivered_at === null ? null : Number(row.delivered_at)),
    createdAt: toDate(Number(row.created_at)),
  };
}

function toAttempt(row: WebhookAttemptRow): WebhookAttemptRecord {
  return {
    id: row.id,
    deliveryId: row.delivery_id,
    attemptedAt: toDate(Number(row.attempted_at)),
    statusCode: row.status_code === null ? null : Number(row.status_code),
    durationMs: Number(row.duration_ms),
    error: row.error,
  };
}
