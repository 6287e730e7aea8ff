import type { Migration, MigrationProvider } from 'kysely';

/**
 * A Kysely MigrationProvider over migrations imported in code. Kysely's FileMigrationProvider
 * scans a folder at run time, which breaks once the code is bundled or run from `dist/` with
 * different file extensions; a fixed list does not.
 */
export class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: Readonly<Record<string, Migration>>) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...this.migrations };
  }
}
