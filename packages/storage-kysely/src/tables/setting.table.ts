import type { Insertable, Selectable } from 'kysely';

/** Run-time settings changed through the admin API or CLI, as plain key/value strings. */
export interface SettingTable {
  key: string;
  value: string;
}

export type SettingRow = Selectable<SettingTable>;
export type NewSettingRow = Insertable<SettingTable>;
