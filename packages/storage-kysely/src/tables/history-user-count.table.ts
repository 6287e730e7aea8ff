/**
 * How many history entries each user has of each method and enabled flag: the total of a
 * listing filtered by user (and optionally method or enabled) without counting the user's
 * entries, which run to 100,000 for a busy account (migration 2026_11_25_000080). Kept in the
 * transaction of each history insert; a user's deletion moves their entries to no user and takes
 * their counts away in the same transaction (HistoryRepository.pseudonymise), and a user row
 * deleted any other way takes its counts with it (ON DELETE CASCADE).
 */
export interface HistoryUserCountTable {
  user_id: string;
  method: string;
  enabled: 0 | 1;
  /** BIGINT on PostgreSQL, which the driver returns as a string. */
  entries: number | string;
}
