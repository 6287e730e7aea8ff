import type { DeliveryChannel } from '@tessera/core';
import type { Insertable, Selectable } from 'kysely';

/** A code sent by SMS or e-mail; only its keyed hash is stored. Times are milliseconds since the epoch. */
export interface DeliveredCodeTable {
  id: string;
  user_id: string;
  purpose: string;
  channel: DeliveryChannel;
  recipient_hash: string;
  /** Keyed hash of the requesting client's IP address; null when unknown or sent before it was kept. */
  client_ip_hash: string | null;
  code_hash: string;
  attempts: number;
  max_attempts: number;
  sent_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export type DeliveredCodeRow = Selectable<DeliveredCodeTable>;
export type NewDeliveredCodeRow = Insertable<DeliveredCodeTable>;
