/**
 * Which database the tests run on. CI runs the whole suite twice: once on SQLite, once with
 * TESSERA_TEST_DATABASE_URL pointing at PostgreSQL.
 */

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** 'postgres' when TESSERA_TEST_DATABASE_URL is set, else 'sqlite'. */
export function testDatabaseKind(): 'sqlite' | 'postgres' {
  return process.env.TESSERA_TEST_DATABASE_URL ? 'postgres' : 'sqlite';
}

/** The PostgreSQL server the tests use: TESSERA_TEST_DATABASE_URL, or a local default. */
export function testDatabaseUrl(): string {
  return process.env.TESSERA_TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
}
