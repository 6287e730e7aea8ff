import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { KyselyStorage } from '../kysely-storage.js';
import { openStorage } from '../open-storage.js';
import type { StorageMetrics } from '../storage-metrics.js';
import { testDatabaseKind, testDatabaseUrl } from './test-database.js';

export type TestStorage = KyselyStorage & {
  /** Closes the storage and deletes its database (temp dir or schema). */
  dispose(): Promise<void>;
  /** SQLite: the data directory; PostgreSQL: the schema. Lets a test open a second storage on it. */
  readonly location: { dataDir: string } | { databaseUrl: string; searchPath: string };
};

export interface TestStorageOptions {
  /** Apply the migrations before returning (default true). */
  migrate?: boolean;
  /** Measured into these, as a server with TESSERA_METRICS_PORT measures its storage. */
  metrics?: StorageMetrics;
}

/**
 * A fresh, empty database for one test: SQLite in a new temp dir, or PostgreSQL in a new
 * schema `t_<random>` of the test server, so test files can run in parallel on one server.
 */
export async function openTestStorage(
  kind: 'sqlite' | 'postgres' = testDatabaseKind(),
  options: TestStorageOptions = {},
): Promise<TestStorage> {
  const storage =
    kind === 'postgres' ? await openPostgresTestStorage(options.metrics) : await openSqliteTestStorage(options.metrics);
  if (options.migrate ?? true) {
    try {
      await storage.migrate();
    } catch (error) {
      await storage.dispose();
      throw error;
    }
  }
  return storage;
}

async function openSqliteTestStorage(metrics: StorageMetrics | undefined): Promise<TestStorage> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-test-'));
  const storage = await openStorage({ dataDir, metrics });
  return Object.assign(storage, {
    location: { dataDir },
    async dispose() {
      await storage.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
}

async function openPostgresTestStorage(metrics: StorageMetrics | undefined): Promise<TestStorage> {
  const databaseUrl = testDatabaseUrl();
  const searchPath = `t_${randomBytes(8).toString('hex')}`;
  await runAdminStatement(databaseUrl, `create schema ${searchPath}`);
  const storage = await openStorage({ databaseUrl, dataDir: '', searchPath, metrics });
  return Object.assign(storage, {
    location: { databaseUrl, searchPath },
    async dispose() {
      await storage.close();
      await runAdminStatement(databaseUrl, `drop schema if exists ${searchPath} cascade`);
    },
  });
}

/** One statement on a connection of its own (schema names are generated, never user input). */
async function runAdminStatement(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
