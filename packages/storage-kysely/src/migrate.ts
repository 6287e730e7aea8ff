import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import { listMigrations } from './migrations/migration-list.js';
import { StaticMigrationProvider } from './migrations/static-migration-provider.js';
import type { StorageDialect } from './storage-dialect.js';

export interface MigrateOptions {
  dialect: StorageDialect;
  /** The migrations to apply; the package's own list unless a test substitutes one. */
  migrations?: Readonly<Record<string, Migration>>;
}

export interface MigrationOutcome {
  /** Names of the migrations this call applied, in order; empty when already up to date. */
  applied: string[];
}

/**
 * Brings the schema to the latest migration. Safe to call on every start and from several
 * processes at once: Kysely's Migrator takes a lock (an advisory lock on PostgreSQL) and skips
 * what has already run. Throws an Error naming the migration that failed.
 */
export async function migrateToLatest(
  // biome-ignore lint/suspicious/noExplicitAny: the migrator works below the app's Database type.
  db: Kysely<any>,
  options: MigrateOptions,
): Promise<MigrationOutcome> {
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(options.migrations ?? listMigrations(options.dialect)),
    // Without an explicit schema, Kysely's Migrator looks for its bookkeeping table in *every*
    // schema of a PostgreSQL database, so one schema's table would hide another's absence.
    ...(options.dialect === 'postgres' ? { migrationTableSchema: await currentSchema(db) } : {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error');
    const reason = error instanceof Error ? error.message : String(error);
    const what = failed ? `Migration ${failed.migrationName}` : 'Migrating the database';
    throw new Error(`${what} failed: ${reason}`, { cause: error });
  }
  return { applied: results.filter((result) => result.status === 'Success').map((result) => result.migrationName) };
}

/** Names of the migrations not applied yet (empty when the schema is current). */
export async function pendingMigrations(
  // biome-ignore lint/suspicious/noExplicitAny: see migrateToLatest.
  db: Kysely<any>,
  options: MigrateOptions,
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(options.migrations ?? listMigrations(options.dialect)),
    ...(options.dialect === 'postgres' ? { migrationTableSchema: await currentSchema(db) } : {}),
  });
  return (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
}

// biome-ignore lint/suspicious/noExplicitAny: see migrateToLatest.
async function currentSchema(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) {
    throw new Error('Migrating the database failed: no schema of the search_path exists (create it first)');
  }
  return schema;
}
