import type { Insertable, Selectable } from 'kysely';

/** One sign-in and every refresh token rotated from it. Times are milliseconds since the epoch. */
export interface SessionFamilyTable {
  id: string;
  user_id: string;
  created_at: number;
  revoked_at: number | null;
  /** The last sign-in or refresh; null for sessions started before it was recorded. */
  last_used_at: number | null;
  client_ip: string | null;
  user_agent: string | null;
  /** 1 when the sign-in passed a second factor (or a remembered device standing for one). */
  second_factor: 0 | 1;
  /** RFC 8176 authentication method references of the sign-in, space-separated; null when not said. */
  amr: string | null;
}

export type SessionFamilyRow = Selectable<SessionFamilyTable>;
export type NewSessionFamilyRow = Insertable<SessionFamilyTable>;
