/** A backup-code set's shape; one row per `factors` row of kind `backup_codes` (the codes are in backup_codes). */
export interface FactorBackupCodesTable {
  factor_id: string;
  count: number;
  digits: number;
}
