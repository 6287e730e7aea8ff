import { postgresAvailable } from './postgres-available.js';
import { testDatabaseUrl } from './test-database.js';

/**
 * Decides whether the PostgreSQL-only tests (the storage contract on PostgreSQL, migrations in
 * several schemas, races between connections) run. They run when asked for, by setting
 * TESSERA_TEST_DATABASE_URL: that is the PostgreSQL pass of CI, so they run once per CI run.
 * Unset, they are skipped, and reported as skipped. Set but unreachable is an error, so a broken
 * database cannot turn the PostgreSQL pass green by skipping them.
 *
 * Call it at the top level of a test file and pass the result to `describe.skipIf(!…)`.
 */
export async function postgresForTests(what: string): Promise<boolean> {
  if (!process.env.TESSERA_TEST_DATABASE_URL) {
    console.warn(`${what} skipped: set TESSERA_TEST_DATABASE_URL to run them`);
    return false;
  }
  const url = testDatabaseUrl();
  if (await postgresAvailable(url)) return true;
  const where = url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  throw new Error(`PostgreSQL not reachable at ${where}, and TESSERA_TEST_DATABASE_URL is set: ${what} cannot run`);
}
