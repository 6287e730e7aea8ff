import type { Insertable, Selectable } from 'kysely';

/** One code of a user's backup-code set; only its keyed hash is stored. Times are milliseconds since the epoch. */
export interface BackupCodeTable {
  id: string;
  user_id: string;
  code_hash: string;
  created_at: number;
  used_at: number | null;
}

export type BackupCodeRow = Selectable<BackupCodeTable>;
export type NewBackupCodeRow = Insertable<BackupCodeTable>;
