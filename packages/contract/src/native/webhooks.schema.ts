import { Type } from 'typebox';
import { DateTime, Offset, Uuid } from './formats.js';

/** The event types a webhook endpoint may take (packages/core/src/webhooks/events.ts). */
export const WebhookEventType = Type.Enum(
  [
    'factor.added',
    'factor.removed',
    'admin.reset',
    'backup_codes.regenerated',
    'backup_codes.low',
    'lockout.started',
    'user.unlocked',
    'signin.new_device',
    'webauthn.clone_warning',
  ],
  { description: 'An event type; see the catalogue in docs/operations.md.' },
);

const Events = Type.Array(WebhookEventType, {
  maxItems: 20,
  description: 'The event types sent to the endpoint; empty or left out: every type.',
});

const WebhookUrl = Type.String({
  minLength: 1,
  maxLength: 2048,
  description: 'An absolute http(s) URL that receives each event as a signed POST.',
});

const Description = Type.String({ maxLength: 200 });

export const WebhookEndpoint = Type.Object({
  id: Uuid,
  url: Type.String(),
  description: Type.String(),
  events: Type.Array(Type.String(), { description: 'The event types sent; empty: every type.' }),
  enabled: Type.Boolean(),
  disabledReason: Type.Union([Type.String(), Type.Null()], {
    description: 'Why Tessera switched it off (an answer 410 Gone); null when enabled or switched off by an admin.',
  }),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const WebhookEndpointList = Type.Object({ endpoints: Type.Array(WebhookEndpoint) });

export const CreateWebhookBody = Type.Object(
  { url: WebhookUrl, description: Type.Optional(Description), events: Type.Optional(Events) },
  { additionalProperties: false },
);

export const UpdateWebhookBody = Type.Object(
  {
    url: Type.Optional(WebhookUrl),
    description: Type.Optional(Description),
    events: Type.Optional(Events),
    enabled: Type.Optional(Type.Boolean({ description: 'true switches a disabled endpoint on again.' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const WebhookSecret = Type.String({
  description:
    'The signing secret (`whsec_` and base64), shown only in this answer: keep it where the receiver reads it.',
});

export const CreatedWebhook = Type.Object({ endpoint: WebhookEndpoint, secret: WebhookSecret });

export const RotatedWebhookSecret = Type.Object({
  secret: WebhookSecret,
  previousSecretsExpireAt: Type.String({
    format: 'date-time',
    description: 'Until then every delivery is signed with the old secret too (several signatures).',
  }),
});

export const WebhookIdParams = Type.Object({ webhookId: Uuid }, { additionalProperties: false });
export const WebhookDeliveryParams = Type.Object(
  { webhookId: Uuid, deliveryId: Uuid },
  { additionalProperties: false },
);

export const WebhookAttempt = Type.Object({
  id: Uuid,
  attemptedAt: DateTime,
  statusCode: Type.Union([Type.Integer(), Type.Null()], { description: 'The HTTP status; null when no answer came.' }),
  durationMs: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()], {
    description: 'What went wrong when no answer came (a timeout, a refused connection).',
  }),
});

export const WebhookDelivery = Type.Object({
  id: Uuid,
  eventId: Type.String({ description: 'The `webhook-id` header: the same for every attempt.' }),
  eventType: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  status: Type.Enum(['pending', 'delivered', 'failed'], {
    description: 'failed: every retry was used up, or the endpoint answered 410 Gone.',
  }),
  attemptCount: Type.Integer({ description: 'Attempts since it was written or last sent again by hand.' }),
  nextAttemptAt: Type.Union([DateTime, Type.Null()], {
    description: 'When the next attempt is due; null unless pending.',
  }),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  deliveredAt: Type.Union([DateTime, Type.Null()]),
  createdAt: DateTime,
  attempts: Type.Array(WebhookAttempt, { description: 'Every attempt, newest first.' }),
});

export const WebhookDeliveryPage = Type.Object({
  items: Type.Array(WebhookDelivery),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

export const WebhookDeliveryQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })), offset: Type.Optional(Offset) },
  { additionalProperties: false },
);
