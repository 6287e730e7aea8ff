import type { FactorKind, FactorStatus } from '@tessera/core';
import type { Insertable, Selectable } from 'kysely';

/**
 * The generic part of every factor; what each method keeps is in its own table (factor_totp,
 * factor_sms, factor_email, factor_backup_codes). Times are milliseconds since the epoch (see
 * database.ts).
 */
export interface FactorTable {
  id: string;
  user_id: string;
  kind: FactorKind;
  status: FactorStatus;
  created_at: number;
  expires_at: number | null;
  activated_at: number | null;
}

export type FactorRow = Selectable<FactorTable>;
export type NewFactorRow = Insertable<FactorTable>;
