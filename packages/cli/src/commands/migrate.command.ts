import { loadConfig } from '@tessera/core';
import { createLogger } from '@tessera/server';
import { openStorage } from '@tessera/storage-kysely';
import type { CliIo } from '../cli-context.js';

/** Brings the database schema up to date; prints each migration applied. */
export async function migrateCommand(io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  createLogger(config.logLevel, process.stderr);
  const storage = await openStorage({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const { applied } = await storage.migrate();
    for (const name of applied) io.out(`applied ${name}`);
    io.out(applied.length === 0 ? 'database is up to date' : `${applied.length} migration(s) applied`);
    return 0;
  } finally {
    await storage.close();
  }
}
