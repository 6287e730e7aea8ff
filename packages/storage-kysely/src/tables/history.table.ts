import type { HistoryAction, HistoryActor } from '@tessera/core';
import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * The 2FA change history. `enabled` is 0 or 1 on both dialects (SQLite has no boolean).
 * Times are milliseconds since the epoch.
 */
export interface HistoryTable {
  id: string;
  /** 1, 2, 3, … in the order written (migration 2026_12_04_000401); bigint on PostgreSQL, read as text. */
  number: Generated<number | string>;
  user_id: string | null;
  user_pseudonym: string | null;
  method: string;
  action: HistoryAction;
  enabled: 0 | 1;
  actor: HistoryActor;
  actor_id: string | null;
  client_ip: string | null;
  details: string;
  created_at: number;
}

export type HistoryRow = Selectable<HistoryTable>;
export type NewHistoryRow = Insertable<HistoryTable>;
