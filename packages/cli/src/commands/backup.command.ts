import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '@tessera/core';
import { createLogger, openRuntime, SECRET_KEY_FILE } from '@tessera/server';
import { BackupError, backupSqlite, restoreSqlite } from '@tessera/storage-kysely';
import { defineCommand, required } from '../command.js';

const POSTGRES_ADVICE =
  'With PostgreSQL, back up with pg_dump (or continuous archiving for point-in-time recovery) and keep the ' +
  'secret key beside it: see docs/operations.md.';

/**
 * `tessera backup --out FILE`: an online copy of the SQLite database, taken while the server
 * runs, checked, and never over an existing file. Prints what else must be kept: the secret key.
 */
export const backup = defineCommand({
  name: 'backup',
  summary: 'an online copy of the SQLite database, safe while the server runs (keep the secret key too)',
  details: POSTGRES_ADVICE,
  database: 'none',
  flags: { out: { type: 'string', value: 'FILE', description: 'the new file to write (never overwritten)' } },
  async run({ io }, flags) {
    const out = resolve(required(flags.out, 'out'));
    const config = loadConfig(io.env);
    if (config.databaseUrl) throw new BackupError(`backup copies the SQLite database only. ${POSTGRES_ADVICE}`);
    const result = await backupSqlite(config.dataDir, out);
    const reminder = keyReminder(config.secretKey !== undefined, config.dataDir);
    return {
      data: { ...result, integrity: 'ok', keep: reminder },
      text: `backed up ${result.file} (${result.bytes} bytes, ${result.migrations} migrations, integrity ok)\n${reminder}`,
    };
  },
});

/**
 * `tessera restore --from FILE [--data-dir DIR] [--secret-key-file PATH]`: puts a backup in place
 * in a data directory without a database (TESSERA_DATA_DIR unless given), with the key file when
 * one is given, and then, when a key is at hand, checks that it opens the copy, migrating it to
 * this version's schema. A copy the key cannot open is removed again: nothing is left half-done.
 */
export const restore = defineCommand({
  name: 'restore',
  summary: 'put a backup in place in a data directory without a database, and check the key opens it',
  details: POSTGRES_ADVICE,
  database: 'none',
  flags: {
    from: { type: 'string', value: 'FILE', description: 'the backup to restore' },
    'data-dir': { type: 'string', value: 'DIR', description: 'where to put it (TESSERA_DATA_DIR unless given)' },
    'secret-key-file': { type: 'string', value: 'PATH', description: 'the secret.key to put beside it' },
  },
  async run({ io }, flags) {
    const lines = await restoreBackup(io.env, flags);
    return { data: { messages: lines }, text: lines.join('\n') };
  },
});

async function restoreBackup(
  env: Record<string, string | undefined>,
  flags: { from?: string; 'data-dir'?: string; 'secret-key-file'?: string },
): Promise<string[]> {
  const from = resolve(required(flags.from, 'from'));
  const config = loadConfig(env);
  if (config.databaseUrl) throw new BackupError(`restore brings back an SQLite backup only. ${POSTGRES_ADVICE}`);
  const lines: string[] = [];
  const dataDir = resolve(flags['data-dir'] ?? config.dataDir);
  const keyFile = join(dataDir, SECRET_KEY_FILE);
  const givenKeyFile = flags['secret-key-file'];
  if (givenKeyFile !== undefined && existsSync(keyFile)) {
    throw new BackupError(`${keyFile} already exists; restore into a new, empty data directory.`);
  }
  const result = restoreSqlite(from, dataDir);
  const written = [result.file];
  if (givenKeyFile !== undefined) {
    copyFileSync(resolve(givenKeyFile), keyFile);
    written.push(keyFile);
  }
  lines.push(`restored ${from} to ${result.file} (${result.migrations} migrations, integrity ok)`);
  const keyAtHand = config.secretKey !== undefined || existsSync(keyFile);
  if (!keyAtHand) {
    lines.push(
      `No secret key is at hand: before starting Tessera on ${dataDir}, set TESSERA_SECRET_KEY to the key the ` +
        `backup was made under, or put its secret.key in ${dataDir}. Without it no TOTP secret or sealed phone opens.`,
    );
    return lines;
  }
  // Opening the runtime checks the key against the copy (and migrates it); it generates nothing,
  // since a key is at hand.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  try {
    const runtime = await openRuntime({ ...config, dataDir }, logger, env);
    await runtime.close();
  } catch (error) {
    for (const file of written) rmSync(file, { force: true });
    for (const suffix of ['-wal', '-shm']) rmSync(`${result.file}${suffix}`, { force: true });
    throw error;
  }
  lines.push(`the secret key opens the restored database: start Tessera with TESSERA_DATA_DIR=${dataDir}`);
  return lines;
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
