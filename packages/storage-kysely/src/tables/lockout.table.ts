import type { Insertable, Selectable } from 'kysely';

/** At most one row per user; `version` drives the compare-and-set. Times are milliseconds since the epoch. */
export interface LockoutTable {
  user_id: string;
  failed_count: number;
  lock_level: number;
  locked_until: number | null;
  total_failures: number;
  version: number;
}

export type LockoutRow = Selectable<LockoutTable>;
export type NewLockoutRow = Insertable<LockoutTable>;
