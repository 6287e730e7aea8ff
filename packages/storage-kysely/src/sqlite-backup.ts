import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { SQLITE_FILE_NAME } from './dialects/sqlite.js';

/*
 * Online backup and restore of the SQLite database. The copy is taken with SQLite's backup API
 * (better-sqlite3's `backup`), from a connection of its own, while the server keeps serving:
 * in WAL mode the copy's read transaction does not block the server's writes, and the copy is
 * one consistent snapshot, so every write committed before it began is in it and no write is
 * half in it. The secret key is not in the copy: it is kept apart on purpose (a stolen backup
 * alone opens no secret), and without it the copy's TOTP secrets and sealed phones cannot be read.
 */

/** The copy holds password hashes and sealed secrets: only its owner may read it. */
const PRIVATE_FILE_MODE = 0o600;

export class BackupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackupError';
  }
}

export interface BackupResult {
  file: string;
  bytes: number;
  /** The migrations applied in the copy: the schema version a restore brings back. */
  migrations: number;
}

/** The database file of a data directory. */
export function sqliteFile(dataDir: string): string {
  return join(dataDir, SQLITE_FILE_NAME);
}

/**
 * Copies `<dataDir>/tessera.db` to `outFile` (never over an existing file), checks the copy with
 * `PRAGMA integrity_check`, and only then gives it its name: a failed or interrupted backup
 * leaves no file that looks like a good one.
 */
export async function backupSqlite(dataDir: string, outFile: string): Promise<BackupResult> {
  const source = sqliteFile(dataDir);
  if (!existsSync(source)) throw new BackupError(`There is no database at ${source}: check TESSERA_DATA_DIR.`);
  if (existsSync(outFile)) throw new BackupError(`${outFile} already exists; choose a new file name.`);
  mkdirSync(dirname(outFile), { recursive: true });
  const partial = `${outFile}.partial`;
  rmSync(partial, { force: true });
  const database = new SqliteDatabase(source, { readonly: true, fileMustExist: true });
  try {
    // The server may hold the write lock a moment; the copy waits for it rather than failing.
    database.pragma('busy_timeout = 5000');
    // All pages in one step: one read transaction, so one snapshot, whatever is written meanwhile.
    await database.backup(partial, { progress: () => Number.MAX_SAFE_INTEGER });
  } catch (error) {
    rmSync(partial, { force: true });
    throw new BackupError(`The backup of ${source} failed: ${(error as Error).message}`, { cause: error });
  } finally {
    database.close();
  }
  try {
    chmodSync(partial, PRIVATE_FILE_MODE);
    const migrations = checkCopy(partial);
    renameSync(partial, outFile);
    return { file: outFile, bytes: statSync(outFile).size, migrations };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * Puts a backup in place as `<dataDir>/tessera.db` of a data directory that has no database
 * yet (a restore never overwrites a live database), after checking it.
 */
export function restoreSqlite(backupFile: string, dataDir: string): BackupResult {
  if (!existsSync(backupFile)) throw new BackupError(`There is no backup at ${backupFile}.`);
  const target = sqliteFile(dataDir);
  if (existsSync(target)) {
    throw new BackupError(`${target} already exists: restore into a new, empty data directory.`);
  }
  const migrations = checkCopy(backupFile);
  mkdirSync(dataDir, { recursive: true });
  const partial = `${target}.partial`;
  copyFileSync(backupFile, partial);
  chmodSync(partial, PRIVATE_FILE_MODE);
  renameSync(partial, target);
  return { file: target, bytes: statSync(target).size, migrations };
}

/** `PRAGMA integrity_check` must say ok, and the file must be a Tessera database. */
function checkCopy(file: string): number {
  let database: SqliteDatabase.Database;
  try {
    database = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupError(`${file} is not an SQLite database: ${(error as Error).message}`, { cause: error });
  }
  try {
    const verdict = database.pragma('integrity_check', { simple: true });
    if (verdict !== 'ok') throw new BackupError(`${file} failed its integrity check: ${String(verdict)}`);
    const table = database
      .prepare("select name from sqlite_master where type = 'table' and name = 'kysely_migration'")
      .get();
    if (table === undefined) throw new BackupError(`${file} is not a Tessera database (it has no migrations table).`);
    const row = database.prepare('select count(*) as count from kysely_migration').get() as { count: number };
    return row.count;
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${file} could not be checked: ${(error as Error).message}`, { cause: error });
  } finally {
    database.close();
  }
}
