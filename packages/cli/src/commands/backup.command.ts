import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '@tessera/core';
import { createLogger, openRuntime, SECRET_KEY_FILE } from '@tessera/server';
import { backupSqlite, restoreSqlite } from '@tessera/storage-kysely';
import type { CliIo } from '../cli-context.js';
import { type ParsedFlags, requireFlag } from '../flags.js';

const POSTGRES_ADVICE =
  'With PostgreSQL, back up with pg_dump (or continuous archiving for point-in-time recovery) and keep the ' +
  'secret key beside it: see docs/operations.md.';

/**
 * `tessera backup --out FILE`: an online copy of the SQLite database, taken while the server
 * runs, checked, and never over an existing file. Prints what else must be kept: the secret key.
 */
export async function backupCommand(io: CliIo, flags: ParsedFlags): Promise<number> {
  const out = resolve(requireFlag(flags, 'out'));
  const config = loadConfig(io.env);
  if (config.databaseUrl) {
    io.err(`tessera: backup copies the SQLite database only. ${POSTGRES_ADVICE}`);
    return 1;
  }
  const result = await backupSqlite(config.dataDir, out);
  io.out(`backed up ${result.file} (${result.bytes} bytes, ${result.migrations} migrations, integrity ok)`);
  io.out(keyReminder(config.secretKey !== undefined, config.dataDir));
  return 0;
}

/**
 * `tessera restore --from FILE [--data-dir DIR] [--secret-key-file PATH]`: puts a backup in place
 * in a data directory without a database (TESSERA_DATA_DIR unless given), with the key file when
 * one is given, and then, when a key is at hand, checks that it opens the copy, migrating it to
 * this version's schema. A copy the key cannot open is removed again: nothing is left half-done.
 */
export async function restoreCommand(io: CliIo, flags: ParsedFlags): Promise<number> {
  const from = resolve(requireFlag(flags, 'from'));
  const config = loadConfig(io.env);
  if (config.databaseUrl) {
    io.err(`tessera: restore brings back an SQLite backup only. ${POSTGRES_ADVICE}`);
    return 1;
  }
  const dataDir = resolve(flags['data-dir'] ?? config.dataDir);
  const keyFile = join(dataDir, SECRET_KEY_FILE);
  const givenKeyFile = flags['secret-key-file'];
  if (givenKeyFile !== undefined && existsSync(keyFile)) {
    io.err(`tessera: ${keyFile} already exists; restore into a new, empty data directory.`);
    return 1;
  }
  const result = restoreSqlite(from, dataDir);
  const written = [result.file];
  if (givenKeyFile !== undefined) {
    copyFileSync(resolve(givenKeyFile), keyFile);
    written.push(keyFile);
  }
  io.out(`restored ${from} to ${result.file} (${result.migrations} migrations, integrity ok)`);
  const keyAtHand = config.secretKey !== undefined || existsSync(keyFile);
  if (!keyAtHand) {
    io.out(
      `No secret key is at hand: before starting Tessera on ${dataDir}, set TESSERA_SECRET_KEY to the key the ` +
        `backup was made under, or put its secret.key in ${dataDir}. Without it no TOTP secret or sealed phone opens.`,
    );
    return 0;
  }
  // Opening the runtime checks the key against the copy (and migrates it); it generates nothing,
  // since a key is at hand.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  try {
    const runtime = await openRuntime({ ...config, dataDir }, logger, io.env);
    await runtime.close();
  } catch (error) {
    for (const file of written) rmSync(file, { force: true });
    for (const suffix of ['-wal', '-shm']) rmSync(`${result.file}${suffix}`, { force: true });
    throw error;
  }
  io.out(`the secret key opens the restored database: start Tessera with TESSERA_DATA_DIR=${dataDir}`);
  return 0;
}

function keyReminder(keyFromEnvironment: boolean, dataDir: string): string {
  const where = keyFromEnvironment
    ? 'TESSERA_SECRET_KEY (from the environment)'
    : `${join(resolve(dataDir), SECRET_KEY_FILE)}`;
  return (
    `Keep the secret key too, apart from this copy: ${where}. It is not in the backup, and without it the ` +
    'TOTP secrets and sealed phone numbers in the copy cannot be opened.'
  );
}
