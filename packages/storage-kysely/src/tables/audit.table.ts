import type { AuditActorKind, SecurityEventAction } from '@tessera/core';
import type { Selectable } from 'kysely';

/** One link of the audit chain (migration 2026_12_05_000100). Times are milliseconds since the epoch. */
export interface AuditEntryTable {
  seq: number;
  prev_hash: string;
  hash: string;
  created_at: number;
  actor_kind: AuditActorKind;
  actor_id: string | null;
  action: SecurityEventAction;
  target_user_id: string | null;
  client_ip: string | null;
  details: string;
}

/** The chain's one head row (id 1). */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
  pruned_through: number;
}

export interface AuditCheckpointTable {
  seq: number;
  hash: string;
  created_at: number;
  kid: string;
  signature: string;
}

export type AuditEntryRow = Selectable<AuditEntryTable>;
export type AuditCheckpointRow = Selectable<AuditCheckpointTable>;
