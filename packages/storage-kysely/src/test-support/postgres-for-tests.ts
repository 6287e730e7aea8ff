import { postgresAvailable } from './postgres-available.js';
import { testDatabaseUrl } from './test-database.js';

/**
 * Decides whether PostgreSQL tests run. Locally a missing server skips them, saying so; in CI
 * (TESSERA_TEST_DATABASE_URL set) it is an error, so a broken database cannot turn the
 * PostgreSQL run green by skipping everything.
 *
 * Call it at the top level of a test file and pass the result to `describe.skipIf(!…)`.
 */
export async function postgresForTests(what: string): Promise<boolean> {
  const url = testDatabaseUrl();
  if (await postgresAvailable(url)) return true;
  const where = url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  if (process.env.TESSERA_TEST_DATABASE_URL) {
    throw new Error(`PostgreSQL not reachable at ${where}, and TESSERA_TEST_DATABASE_URL is set: ${what} cannot run`);
  }
  console.warn(`PostgreSQL not reachable at ${where}: ${what} skipped`);
  return false;
}
