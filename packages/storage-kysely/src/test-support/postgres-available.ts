import pg from 'pg';
import { testDatabaseUrl } from './test-database.js';

/** True when the test PostgreSQL server answers within 2 s. */
export async function postgresAvailable(url: string = testDatabaseUrl()): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  // A failed connect may also emit 'error'; without a listener that would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
