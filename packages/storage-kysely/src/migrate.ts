import { type Kysely, type Migration, type MigrationResultSet, Migrator, sql } from 'kysely';
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
  let outcome = await migrator.migrateToLatest();
  // Even so, it lists the tables of every schema to find its own, and that listing fails if
  // another schema of the database is dropped while it runs (other tenants, parallel test
  // runs). Such a failure comes before any migration ran and before the lock was taken, so
  // running again is safe.
  for (let retry = 0; retry < 3 && isSchemaVanishedDuringIntrospection(outcome); retry++) {
    outcome = await migrator.migrateToLatest();
  }
  const { error, results = [] } = outcome;
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error');
    const reason = error instanceof Error ? error.message : String(error);
    const what = failed ? `Migration ${failed.migrationName}` : 'Migrating the database';
    throw new Error(`${what} failed: ${reason}`, { cause: error });
  }
  return { applied: results.filter((result) => result.status === 'Success').map((result) => result.migrationName) };
}

/** PostgreSQL's invalid_schema_name, raised before the Migrator ran anything (no results). */
function isSchemaVanishedDuringIntrospection(outcome: MigrationResultSet): boolean {
  const { error, results } = outcome;
  return (
    results === undefined &&
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === PG_INVALID_SCHEMA_NAME
  );
}

const PG_INVALID_SCHEMA_NAME = '3F000';

// biome-ignore lint/suspicious/noExplicitAny: see migrateToLatest.
async function currentSchema(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) {
    throw new Error('Migrating the database failed: no schema of the search_path exists (create it first)');
  }
  return schema;
}
