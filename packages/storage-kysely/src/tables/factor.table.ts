import type { FactorKind, FactorStatus } from '@tessera/core';
import type { Insertable, Selectable } from 'kysely';

/** Times are milliseconds since the epoch (see database.ts). */
export interface FactorTable {
  id: string;
  user_id: string;
  kind: FactorKind;
  status: FactorStatus;
  sealed_secret: string | null;
  params: string;
  last_used_step: number | null;
  created_at: number;
  expires_at: number | null;
  activated_at: number | null;
}

export type FactorRow = Selectable<FactorTable>;
export type NewFactorRow = Insertable<FactorTable>;
