import type { Insertable, Selectable } from 'kysely';

/** Only the hash of a trusted-device token is stored. Times are milliseconds since the epoch. */
export interface TrustedDeviceTable {
  id: string;
  user_id: string;
  token_hash: string;
  label: string;
  created_at: number;
  expires_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export type TrustedDeviceRow = Selectable<TrustedDeviceTable>;
export type NewTrustedDeviceRow = Insertable<TrustedDeviceTable>;
