import type { Selectable } from 'kysely';

/** A code check of an entity's TOTP factor. Times in epoch milliseconds. */
export interface EntityChallengeTable {
  id: string;
  service_id: string;
  user_id: string;
  factor_id: string;
  status: 'pending' | 'approved';
  created_at: number;
  updated_at: number;
  responded_at: number | null;
  expires_at: number;
}

export type EntityChallengeRow = Selectable<EntityChallengeTable>;
