import type { Insertable, Selectable } from 'kysely';

/** At most one row per key; `version` drives the compare-and-set. Times are milliseconds since the epoch. */
export interface ThrottleTable {
  key: string;
  failures: number;
  level: number;
  blocked_until: number | null;
  window_started_at: number | null;
  version: number;
}

export type ThrottleRow = Selectable<ThrottleTable>;
export type NewThrottleRow = Insertable<ThrottleTable>;
