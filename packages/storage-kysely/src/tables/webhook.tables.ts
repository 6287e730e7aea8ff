import type { Generated, Selectable } from 'kysely';

export interface WebhookEndpointTable {
  id: string;
  url: string;
  description: string;
  /** JSON array of event types; empty: all. */
  event_types: string;
  enabled: number;
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookSecretTable {
  id: string;
  endpoint_id: string;
  sealed_secret: string;
  created_at: number;
  expires_at: number | null;
}

export interface WebhookEventTable {
  id: string;
  type: string;
  user_id: string | null;
  payload: string;
  created_at: number;
}

export interface WebhookDeliveryTable {
  seq: Generated<number>;
  id: string;
  event_id: string;
  endpoint_id: string;
  event_type: string;
  user_id: string | null;
  order_key: string;
  status: string;
  attempt_count: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: number | null;
  created_at: number;
}

export interface WebhookAttemptTable {
  id: string;
  delivery_id: string;
  attempted_at: number;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
}

export type WebhookEndpointRow = Selectable<WebhookEndpointTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveryTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptTable>;
