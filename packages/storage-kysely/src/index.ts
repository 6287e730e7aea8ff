export type { Database } from './database.js';
export { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailableError } from './database-unavailable.js';
export { SQLITE_FILE_NAME } from './dialects/sqlite.js';
export { durableWrite } from './durable-write.js';
export { createKyselyStorage, type KyselyStorage } from './kysely-storage.js';
export { type MigrateOptions, type MigrationOutcome, migrateToLatest } from './migrate.js';
export { listMigrations } from './migrations/migration-list.js';
export { type OpenStorageOptions, openStorage } from './open-storage.js';
export {
  BackupError,
  type BackupResult,
  backupSqlite,
  restoreSqlite,
  sqliteFile,
} from './sqlite-backup.js';
export type { StorageDialect } from './storage-dialect.js';
export type { ConnectionPoolFigures, StatementKind, StorageMetrics } from './storage-metrics.js';
export { isStorageUnwritableError, type StorageFault } from './storage-unwritable.js';
