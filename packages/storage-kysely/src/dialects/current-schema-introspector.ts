import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DatabaseMetadataOptions,
  DEFAULT_MIGRATION_LOCK_TABLE,
  DEFAULT_MIGRATION_TABLE,
  type Kysely,
  PostgresDialect,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely';

/**
 * Kysely's PostgreSQL introspector lists the columns of every table in every schema, calling
 * pg_get_serial_sequence on each; when another schema is dropped meanwhile (another Tessera
 * database on the same server, or parallel test runs), that query fails with "schema does not
 * exist" and the migration with it. The migrator only needs to know which tables exist in our
 * own schema, so this introspector looks at `current_schema()` alone.
 */
export class CurrentSchemaIntrospector implements DatabaseIntrospector {
  // biome-ignore lint/suspicious/noExplicitAny: introspection runs on catalog tables outside the app's Database type.
  constructor(private readonly db: Kysely<any>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const rows = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace`.execute(this.db);
    return rows.rows.map((row) => ({ name: row.name }));
  }

  async getTables(options?: DatabaseMetadataOptions): Promise<TableMetadata[]> {
    const rows = await sql<{ schema: string; name: string; type: string }>`
      select table_schema as schema, table_name as name, table_type as type
      from information_schema.tables
      where table_schema = current_schema()
      order by table_name`.execute(this.db);
    const internal = (name: string) => name === DEFAULT_MIGRATION_TABLE || name === DEFAULT_MIGRATION_LOCK_TABLE;
    const wanted = options?.withInternalKyselyTables ? rows.rows : rows.rows.filter((row) => !internal(row.name));
    return wanted.map((row) => ({
      name: row.name,
      schema: row.schema,
      isView: row.type === 'VIEW',
      columns: [],
    }));
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}

/** PostgresDialect whose introspection stays inside the connection's current schema. */
export class CurrentSchemaPostgresDialect extends PostgresDialect {
  // biome-ignore lint/suspicious/noExplicitAny: the signature Kysely's Dialect interface declares.
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db);
  }
}
