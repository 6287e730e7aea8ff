import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '@tessera/core';
import { listMigrations, openStorage, SQLITE_FILE_NAME } from '@tessera/storage-kysely';

/** Which database the configuration names, and whether it holds Tessera's schema yet. */
export interface DatabaseState {
  kind: 'sqlite' | 'postgres';
  /** The SQLite file, or the PostgreSQL URL without its password. */
  location: string;
  dataDir: string;
  /** False for a SQLite file not there yet, or a PostgreSQL schema with no migration applied. */
  exists: boolean;
  /** The last migration applied, or null. */
  schemaVersion: string | null;
  appliedMigrations: number;
  pendingMigrations: string[];
}

/** Thrown when a command would make a new, empty database and `--create` was not given (exit 3). */
export class NewDatabaseRefused extends Error {}

/**
 * Looks at the database without creating it: a missing SQLite file is not opened (opening
 * creates it), a PostgreSQL schema is asked which migrations it has.
 */
export async function inspectDatabase(config: Config): Promise<DatabaseState> {
  const dataDir = resolve(config.dataDir);
  const all = config.databaseUrl ? Object.keys(listMigrations('postgres')) : Object.keys(listMigrations('sqlite'));
  const base = config.databaseUrl
    ? { kind: 'postgres' as const, location: redactPassword(config.databaseUrl), dataDir }
    : { kind: 'sqlite' as const, location: join(dataDir, SQLITE_FILE_NAME), dataDir };
  if (base.kind === 'sqlite' && !existsSync(base.location)) {
    return { ...base, exists: false, schemaVersion: null, appliedMigrations: 0, pendingMigrations: all };
  }
  const storage = await openStorage({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const pending = await storage.pendingMigrations();
    const applied = all.filter((name) => !pending.includes(name));
    return {
      ...base,
      exists: applied.length > 0,
      schemaVersion: applied.at(-1) ?? null,
      appliedMigrations: applied.length,
      pendingMigrations: pending,
    };
  } finally {
    await storage.close();
  }
}

/**
 * Run beside a server on PostgreSQL with TESSERA_DATABASE_URL forgotten, a command would quietly
 * make an empty SQLite database and act on it (a token the server then rejects). So a command
 * refuses a database that does not exist yet, naming what it looked at, unless it was asked to
 * make one (`--create`) or making one is its job (`migrate`, `serve`), which then says so.
 */
export async function guardNewDatabase(
  config: Config,
  options: { mayCreate: boolean; warn: (line: string) => void },
): Promise<void> {
  const state = await inspectDatabase(config);
  if (state.exists) return;
  const what =
    state.kind === 'sqlite'
      ? `a new SQLite database at ${state.location} (TESSERA_DATABASE_URL is not set)`
      : `Tessera's tables in the empty PostgreSQL database ${state.location}`;
  if (options.mayCreate) {
    options.warn(`tessera: creating ${what}`);
    return;
  }
  throw new NewDatabaseRefused(
    `no database yet: this would create ${what}. If the server uses another database, set ` +
      'TESSERA_DATABASE_URL (or TESSERA_DATA_DIR) as it has them; to make a new one here, add --create.',
  );
}

/** Error messages and `status` end up in logs and terminals; a password in the URL must not. */
function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
