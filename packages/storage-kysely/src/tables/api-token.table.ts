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
  /** 1 for a token made by a session that passed no second factor: held to the 2FA policy. */
  password_only: 0 | 1;
}

export type ApiTokenRow = Selectable<ApiTokenTable>;
export type NewApiTokenRow = Insertable<ApiTokenTable>;
