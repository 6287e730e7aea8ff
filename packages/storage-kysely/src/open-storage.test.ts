import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { KyselyStorage } from './kysely-storage.js';
import { openStorage } from './open-storage.js';
import { postgresForTests } from './test-support/postgres-for-tests.js';
import { testDatabaseUrl } from './test-support/test-database.js';

describe('openStorage', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-open-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  it('opens SQLite in the data directory, creating missing directories', async () => {
    const dataDir = join(await tempDir(), 'a', 'b');
    const storage = await openStorage({ dataDir });
    cleanups.push(() => storage.close());
    expect(storage.dialect).toBe('sqlite');
    expect(existsSync(join(dataDir, 'tessera.db'))).toBe(true);
    await storage.migrate();
    expect(await storage.users.count()).toBe(0);
  });

  it('treats an empty database URL as none', async () => {
    const storage = await openStorage({ databaseUrl: '', dataDir: await tempDir() });
    cleanups.push(() => storage.close());
    expect(storage.dialect).toBe('sqlite');
  });

  it('refuses a URL of another database, without repeating its password', async () => {
    const attempt = openStorage({ databaseUrl: 'mysql://root:s3cret@db/tessera', dataDir: await tempDir() });
    await expect(attempt).rejects.toThrow(
      /Unsupported database URL "mysql:\/\/root:\*\*\*@db\/tessera".*postgres:\/\//,
    );
    await expect(attempt).rejects.not.toThrow(/s3cret/);
  });

  it('refuses a schema name that would need quoting', async () => {
    await expect(
      openStorage({ databaseUrl: 'postgres://localhost/x', dataDir: '', searchPath: 'a b; drop' }),
    ).rejects.toThrow(/Invalid PostgreSQL schema name/);
  });
});

const postgres = await postgresForTests('PostgreSQL openStorage tests');

describe.skipIf(!postgres)('openStorage on PostgreSQL', () => {
  let storage: KyselyStorage | undefined;
  afterEach(async () => {
    await storage?.close();
    storage = undefined;
  });

  it('accepts postgresql:// as well as postgres://', async () => {
    const url = testDatabaseUrl().replace(/^postgres(ql)?:/, 'postgresql:');
    storage = await openStorage({ databaseUrl: url, dataDir: '' });
    expect(storage.dialect).toBe('postgres');
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(storage.db);
    expect(rows[0]?.one).toBe(1);
  });

  it('parses int8 as a number on its own pool only, leaving the global pg types alone', async () => {
    storage = await openStorage({ databaseUrl: testDatabaseUrl(), dataDir: '' });
    const { rows } = await sql<{ big: unknown }>`select 1700000000123::int8 as big`.execute(storage.db);
    expect(rows[0]?.big).toBe(1_700_000_000_123);

    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    try {
      const plain = await client.query<{ big: unknown }>('select 1700000000123::int8 as big');
      expect(plain.rows[0]?.big).toBe('1700000000123');
    } finally {
      await client.end();
    }
  });

  it('works in the schema given as searchPath', async () => {
    const admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    const schema = `t_open_${process.pid}`;
    await admin.query(`create schema if not exists ${schema}`);
    try {
      storage = await openStorage({ databaseUrl: testDatabaseUrl(), dataDir: '', searchPath: schema });
      await storage.migrate();
      const { rows } = await admin.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = $1 and table_name = 'users'",
        [schema],
      );
      expect(rows).toHaveLength(1);
    } finally {
      await storage?.close();
      storage = undefined;
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  });
});
