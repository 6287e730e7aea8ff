import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { type StorageFault, storageUnwritableTranslator } from '../storage-unwritable.js';
import { ImmediateSqliteDialect } from './immediate-sqlite-dialect.js';
import { ImmediateStatements } from './immediate-statements.js';
import { withStatementCache } from './statement-cache.js';

/** The database file inside the data directory. */
export const SQLITE_FILE_NAME = 'tessera.db';

/** The database holds password hashes and sealed secrets: only its owner may read it. */
const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates the database file readable and writable by its owner only, before SQLite opens it
 * (SQLite would create it 0644 under the usual umask), and narrows a file, WAL or shared-memory
 * file that an older version left open to others. SQLite gives the -wal and -shm files it
 * creates the mode of the database file.
 */
function createPrivately(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(path) && (statSync(path).mode & 0o077) !== 0) chmodSync(path, PRIVATE_FILE_MODE);
  }
}

/**
 * Opens (creating if needed) `<dataDir>/tessera.db` and returns a Kysely dialect over it.
 *
 * - WAL: readers never block the writer, and a power cut can lose only the last commits,
 *   never corrupt the file — which is what makes `synchronous = NORMAL` acceptable (see
 *   durable-write.ts for the writes that still get FULL).
 * - foreign_keys: SQLite leaves them off per connection unless asked; the schema relies on
 *   ON DELETE CASCADE.
 * - busy_timeout: another process (the CLI next to a running server) may hold the write lock
 *   briefly; wait for it instead of failing at once.
 * - transactions begin IMMEDIATE (see immediate-sqlite-dialect.ts).
 * - a full disk, a read-only file system or an I/O error is STORAGE_UNWRITABLE (storage-unwritable.ts).
 */
export function createSqliteDialect(
  dataDir: string,
  options: { onStorageFault?: ((fault: StorageFault) => void) | undefined } = {},
): ImmediateSqliteDialect {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, SQLITE_FILE_NAME);
  createPrivately(file);
  const database = new SqliteDatabase(file);
  try {
    const mode = database.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      // Without WAL, synchronous = NORMAL could corrupt the file on a power cut.
      throw new Error(`SQLite database ${file} cannot use WAL journal mode (got ${String(mode)})`);
    }
    database.pragma('foreign_keys = ON');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 5000');
    database.pragma('cache_size = -65536');
  } catch (error) {
    database.close();
    throw error;
  }
  // A write the disk refuses (full, read-only, I/O error) is answered STORAGE_UNWRITABLE.
  const translate = storageUnwritableTranslator(file, options.onStorageFault);
  const cached = withStatementCache(database);
  return new ImmediateSqliteDialect({ database: cached }, translate, new ImmediateStatements(cached, translate));
}
