import type { Insertable, Selectable } from 'kysely';

/** Only the hash of an API token is stored. Times are milliseconds since the epoch. */
export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  /** `write` or `read`. */
  scope: 'write' | 'read';
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export type ApiTokenRow = Selectable<ApiTokenTable>;
export type NewApiTokenRow = Insertable<ApiTokenTable>;
