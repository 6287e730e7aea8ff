import type { Actor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import { newId } from '../crypto/random.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { WebhookAttemptRecord, WebhookEndpointRecord, WebhookSecretRecord } from '../storage/records.js';
import type {
  WebhookDeliveryWithAttempts,
  WebhookEndpointChanges,
  WebhookRepository,
} from '../storage/repositories.js';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES } from './events.js';
import { newWebhookSecret, webhookSecretSealContext } from './webhook-secret.js';

export const WEBHOOK_URL_MAX_LENGTH = 2048;
export const WEBHOOK_DESCRIPTION_MAX_LENGTH = 200;
export const WEBHOOK_DELIVERIES_MAX_LIMIT = 100;
/** How long a replaced secret keeps signing beside the new one, unless configured otherwise. */
export const DEFAULT_WEBHOOK_SECRET_OVERLAP_SECONDS = 24 * 3600;

export interface WebhookEndpointView {
  id: string;
  url: string;
  description: string;
  /** The event types sent; empty: all of them. */
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookAttemptView {
  id: string;
  attemptedAt: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

export interface WebhookDeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  userId: string | null;
  status: 'pending' | 'delivered' | 'failed';
  attemptCount: number;
  /** When the next attempt is due; null unless pending. */
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
  attempts: WebhookAttemptView[];
}

export interface WebhookEndpointInput {
  url: string;
  description?: string;
  events?: string[];
}

export interface WebhookEndpointUpdate {
  url?: string;
  description?: string;
  events?: string[];
  enabled?: boolean;
}

/**
 * Admins' webhook endpoints: register one (its secret is shown once), change or remove it,
 * rotate its secret, see its deliveries and send one again. The secrets are sealed at rest;
 * Tessera must be able to sign with them, so they cannot be one-way hashes.
 */
export class WebhookAdminService {
  constructor(
    private readonly deps: {
      webhooks: WebhookRepository;
      secretBox: SecretBox;
      authorizer: Authorizer;
      clock: Clock;
      secretOverlapSeconds: number;
    },
  ) {}

  async create(actor: Actor, input: WebhookEndpointInput): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const now = this.deps.clock.now();
    const endpoint: WebhookEndpointRecord = {
      id: newId(),
      url: checkedUrl(input.url),
      description: checkedDescription(input.description ?? ''),
      eventTypes: checkedEvents(input.events ?? []),
      enabled: true,
      disabledReason: null,
      createdAt: now,
      updatedAt: now,
    };
    const { record, secret } = this.newSecret(endpoint.id, now);
    await this.deps.webhooks.insertEndpoint(endpoint, record);
    return { endpoint: toEndpointView(endpoint), secret };
  }

  async list(actor: Actor): Promise<WebhookEndpointView[]> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    return (await this.deps.webhooks.listEndpoints()).map(toEndpointView);
  }

  async get(actor: Actor, id: string): Promise<WebhookEndpointView> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    return toEndpointView(await this.found(id));
  }

  /** Changes what is given; enabling it again clears why it was disabled. */
  async update(actor: Actor, id: string, update: WebhookEndpointUpdate): Promise<WebhookEndpointView> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const changes: WebhookEndpointChanges = {};
    if (update.url !== undefined) changes.url = checkedUrl(update.url);
    if (update.description !== undefined) changes.description = checkedDescription(update.description);
    if (update.events !== undefined) changes.eventTypes = checkedEvents(update.events);
    if (update.enabled !== undefined) {
      changes.enabled = update.enabled;
      changes.disabledReason = null;
    }
    const updated = await this.deps.webhooks.updateEndpoint(id, changes, this.deps.clock.now());
    if (!updated) throw new TesseraError('WEBHOOK_NOT_FOUND');
    return toEndpointView(updated);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    if (!(await this.deps.webhooks.deleteEndpoint(id))) throw new TesseraError('WEBHOOK_NOT_FOUND');
  }

  /**
   * A new current secret, shown once. The ones it replaces keep signing beside it for the
   * overlap (each delivery meanwhile carries a signature by each), so receivers can switch over
   * without losing an event.
   */
  async rotateSecret(actor: Actor, id: string): Promise<{ secret: string; previousSecretsExpireAt: string }> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const now = this.deps.clock.now();
    const { record, secret } = this.newSecret(id, now);
    const previousUntil = new Date(now.getTime() + this.deps.secretOverlapSeconds * 1000);
    if (!(await this.deps.webhooks.rotateSecret(id, record, previousUntil, now)))
      throw new TesseraError('WEBHOOK_NOT_FOUND');
    return { secret, previousSecretsExpireAt: previousUntil.toISOString() };
  }

  async deliveries(
    actor: Actor,
    id: string,
    page: { limit?: number; offset?: number },
  ): Promise<{ items: WebhookDeliveryView[]; total: number; limit: number; offset: number }> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    await this.found(id);
    const limit = Math.min(page.limit ?? 20, WEBHOOK_DELIVERIES_MAX_LIMIT);
    const offset = page.offset ?? 0;
    const { items, total } = await this.deps.webhooks.listDeliveries(id, limit, offset);
    return { items: items.map(toDeliveryView), total, limit, offset };
  }

  /** Sends the delivery again, due at once, with a fresh round of retries (an endpoint disabled stays so). */
  async redeliver(actor: Actor, id: string, deliveryId: string): Promise<WebhookDeliveryView> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const { webhooks, clock } = this.deps;
    if (!(await webhooks.redeliver(id, deliveryId, clock.now()))) throw new TesseraError('WEBHOOK_DELIVERY_NOT_FOUND');
    const delivery = await webhooks.findDelivery(id, deliveryId);
    if (!delivery) throw new TesseraError('WEBHOOK_DELIVERY_NOT_FOUND');
    return toDeliveryView(delivery);
  }

  private async found(id: string): Promise<WebhookEndpointRecord> {
    const endpoint = await this.deps.webhooks.findEndpoint(id);
    if (!endpoint) throw new TesseraError('WEBHOOK_NOT_FOUND');
    return endpoint;
  }

  private newSecret(endpointId: string, now: Date): { record: WebhookSecretRecord; secret: string } {
    const secret = newWebhookSecret();
    const id = newId();
    const sealedSecret = this.deps.secretBox.seal(Buffer.from(secret, 'utf8'), webhookSecretSealContext(id));
    return { record: { id, endpointId, sealedSecret, createdAt: now, expiresAt: null }, secret };
  }
}

function invalid(message: string): TesseraError {
  return new TesseraError('VALIDATION_FAILED', { message });
}

/** An absolute http(s) URL without credentials in it (those would be logged and shown to admins). */
function checkedUrl(value: string): string {
  if (value.length > WEBHOOK_URL_MAX_LENGTH) throw invalid(`url must be at most ${WEBHOOK_URL_MAX_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('url must be an absolute http or https URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('url must be an http or https URL.');
  if (url.username || url.password) throw invalid('url must not hold a user name or password.');
  return url.toString();
}

function checkedDescription(value: string): string {
  if (value.length > WEBHOOK_DESCRIPTION_MAX_LENGTH)
    throw invalid(`description must be at most ${WEBHOOK_DESCRIPTION_MAX_LENGTH} characters.`);
  return value;
}

function checkedEvents(events: readonly string[]): string[] {
  const unknown = events.filter((event) => !isWebhookEventType(event));
  if (unknown.length > 0)
    throw invalid(`Unknown event type ${unknown.join(', ')}; known: ${WEBHOOK_EVENT_TYPES.join(', ')}.`);
  return [...new Set(events)].sort();
}

export function toEndpointView(record: WebhookEndpointRecord): WebhookEndpointView {
  return {
    id: record.id,
    url: record.url,
    description: record.description,
    events: record.eventTypes,
    enabled: record.enabled,
    disabledReason: record.disabledReason,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}

function toAttemptView(attempt: WebhookAttemptRecord): WebhookAttemptView {
  return {
    id: attempt.id,
    attemptedAt: attempt.attemptedAt.toISOString(),
    statusCode: attempt.statusCode,
    durationMs: attempt.durationMs,
    error: attempt.error,
  };
}

function toDeliveryView(delivery: WebhookDeliveryWithAttempts): WebhookDeliveryView {
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    userId: delivery.userId,
    status: delivery.status,
    attemptCount: delivery.attemptCount,
    nextAttemptAt: delivery.status === 'pending' ? delivery.nextAttemptAt.toISOString() : null,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    createdAt: delivery.createdAt.toISOString(),
    attempts: delivery.attempts.map(toAttemptView),
  };
}
