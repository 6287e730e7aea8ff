import type { DeliveryChannel, DestinationVerificationStatus } from '@tessera/core';
import type { Selectable } from 'kysely';

/** A verify service; `settings` is the JSON of VerifyServiceSettings. Times in epoch milliseconds. */
export interface VerifyServiceTable {
  id: string;
  owner_id: string;
  friendly_name: string;
  code_length: number;
  settings: string;
  created_at: number;
  updated_at: number;
}

/** A destination verification; `send_attempts` is the JSON of its sends (`[{channel, sentAt}]`). */
export interface DestinationVerificationTable {
  id: string;
  service_id: string;
  owner_id: string;
  channel: DeliveryChannel;
  sealed_destination: string;
  destination_hash: string;
  status: DestinationVerificationStatus;
  code_id: string;
  send_attempts: string;
  created_at: number;
  updated_at: number;
  expires_at: number;
}

export type VerifyServiceRow = Selectable<VerifyServiceTable>;
export type DestinationVerificationRow = Selectable<DestinationVerificationTable>;
