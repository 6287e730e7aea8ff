/**
 * How many history entries there are of each method and enabled flag: the total of an admin
 * listing filtered by neither user nor time, without counting a million rows (migration
 * 2026_11_25_000070). Kept in the transaction of each history insert; history entries are never
 * deleted (a user's deletion only clears their user_id), so the counts only ever grow.
 */
export interface HistoryCountTable {
  method: string;
  enabled: 0 | 1;
  /** BIGINT on PostgreSQL, which the driver returns as a string. */
  entries: number | string;
}
