import type { Insertable, Selectable } from 'kysely';

/** Only the hash of a success token is stored. Times are milliseconds since the epoch. */
export interface SuccessTokenTable {
  id: string;
  user_id: string;
  token_hash: string;
  operation: string;
  target: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export type SuccessTokenRow = Selectable<SuccessTokenTable>;
export type NewSuccessTokenRow = Insertable<SuccessTokenTable>;
