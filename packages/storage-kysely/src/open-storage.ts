import { Kysely } from 'kysely';
import type { Database } from './database.js';
import { useImmediateStatements } from './dialects/immediate-statements.js';
import { createSqliteDialect } from './dialects/sqlite.js';
import { createKyselyStorage, type KyselyStorage } from './kysely-storage.js';
import { type StorageMetrics, statementLog, statementObserver } from './storage-metrics.js';
import type { StorageFault } from './storage-unwritable.js';

export interface OpenStorageOptions {
  /** A `postgres://` or `postgresql://` URL selects PostgreSQL; without one, SQLite is used. */
  databaseUrl?: string | undefined;
  /** SQLite: the directory of `tessera.db`, created if missing. */
  dataDir: string;
  /** PostgreSQL: the schema to work in (must exist); the connection's default otherwise. */
  searchPath?: string | undefined;
  /** PostgreSQL: told of each connection lost (see PostgresDialectOptions.onConnectionError). */
  onConnectionError?: ((error: Error) => void) | undefined;
  /** SQLite: told (at most once a minute) of writes the disk refuses: full, read-only, I/O error. */
  onStorageFault?: ((fault: StorageFault) => void) | undefined;
  /** Where statement times, group-commit batches and the pool's figures go. @default not measured */
  metrics?: StorageMetrics | undefined;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/**
 * Opens the database the configuration names. It does not migrate: call `migrate()` (the
 * server does on start, the CLI has a command for it).
 */
export async function openStorage(options: OpenStorageOptions): Promise<KyselyStorage> {
  const { databaseUrl, metrics } = options;
  // Kysely times each statement only when it has a log to give the time to.
  const log = metrics ? { log: statementLog(metrics) } : {};
  // An empty URL (an unset environment variable passed through) counts as none.
  if (databaseUrl !== undefined && databaseUrl !== '') {
    if (!POSTGRES_URL.test(databaseUrl)) {
      throw new Error(
        `Unsupported database URL "${redactPassword(databaseUrl)}": use a postgres:// or postgresql:// URL, or none for SQLite under the data directory`,
      );
    }
    // pg is loaded only for a PostgreSQL URL.
    const { createPostgresDialect } = await import('./dialects/postgres.js');
    const dialect = createPostgresDialect({
      url: databaseUrl,
      searchPath: options.searchPath,
      onConnectionError: options.onConnectionError,
    });
    metrics?.watchConnectionPool(() => dialect.connectionPool());
    return createKyselyStorage(new Kysely<Database>({ dialect, ...log }), 'postgres', { metrics });
  }
  const dialect = createSqliteDialect(options.dataDir, { onStorageFault: options.onStorageFault });
  const db = new Kysely<Database>({ dialect, ...log });
  const immediate = dialect.immediateStatements;
  if (immediate) {
    // Counted in the statement figures as Kysely's own statements are.
    immediate.observe(metrics && statementObserver(metrics));
    useImmediateStatements(db, immediate);
  }
  return createKyselyStorage(db, 'sqlite', { metrics });
}

/** Error messages end up in logs; a password in the URL must not. */
function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
