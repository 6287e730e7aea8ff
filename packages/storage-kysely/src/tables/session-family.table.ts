import type { Insertable, Selectable } from 'kysely';

/** One sign-in and every refresh token rotated from it. Times are milliseconds since the epoch. */
export interface SessionFamilyTable {
  id: string;
  user_id: string;
  created_at: number;
  revoked_at: number | null;
}

export type SessionFamilyRow = Selectable<SessionFamilyTable>;
export type NewSessionFamilyRow = Insertable<SessionFamilyTable>;
