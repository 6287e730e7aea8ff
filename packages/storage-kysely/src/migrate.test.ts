import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from './migrate.js';
import { listMigrations } from './migrations/migration-list.js';
import { openStorage } from './open-storage.js';
import { postgresForTests } from './test-support/postgres-for-tests.js';
import { aHistoryEntry, aUser } from './test-support/record-factories.js';
import { openTestStorage, type TestStorage } from './test-support/test-storage.js';

const TABLES = [
  'api_tokens',
  'backup_codes',
  'delivered_codes',
  'factors',
  'flows',
  'history',
  'lockouts',
  'refresh_tokens',
  'session_families',
  'settings',
  'success_tokens',
  'trusted_devices',
  'users',
];

const postgres = await postgresForTests('PostgreSQL migration tests');

for (const kind of ['sqlite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !postgres)(`${kind}: migrate`, () => {
    let storage: TestStorage;
    afterEach(async () => {
      await storage.dispose();
    });

    async function tableNames(): Promise<string[]> {
      const tables = await storage.db.introspection.getTables();
      // PostgreSQL lists every schema; only the one in the search_path is ours.
      const schema =
        kind === 'postgres'
          ? (await sql<{ s: string }>`select current_schema() as s`.execute(storage.db)).rows[0]?.s
          : undefined;
      return tables
        .filter((t) => schema === undefined || t.schema === schema)
        .map((t) => t.name)
        .sort();
    }

    it('applies every migration on an empty database, and nothing the second time', async () => {
      storage = await openTestStorage(kind, { migrate: false });
      expect(await tableNames()).toEqual([]);
      expect(await storage.migrate()).toEqual({ applied: Object.keys(listMigrations(kind)) });
      expect(await tableNames()).toEqual(TABLES);
      expect(await storage.migrate()).toEqual({ applied: [] });
    });

    it('upgrades a database at the initial migration, keeping its rows', async () => {
      storage = await openTestStorage(kind, { migrate: false });
      const [initial, ...later] = Object.keys(listMigrations(kind));
      const migrations = { [initial!]: listMigrations(kind)[initial!]! };
      expect(await migrateToLatest(storage.db, { dialect: kind, migrations })).toEqual({ applied: [initial] });
      const user = aUser();
      expect(await storage.users.create(user)).toBe('created');
      expect(later).not.toEqual([]);
      expect(await storage.migrate()).toEqual({ applied: later });
      expect(await tableNames()).toEqual(TABLES);
      expect(await storage.users.findById(user.id)).toEqual(user);
      await storage.history.insert(aHistoryEntry(user.id));
    });

    it('throws an error naming the migration that failed', async () => {
      storage = await openTestStorage(kind);
      const migrations = {
        ...listMigrations(kind),
        '2099_01_01_000001_broken': { up: async () => Promise.reject(new Error('no such thing')) },
      };
      await expect(migrateToLatest(storage.db, { dialect: kind, migrations })).rejects.toThrow(
        'Migration 2099_01_01_000001_broken failed: no such thing',
      );
      expect(await storage.migrate()).toEqual({ applied: [] });
    });
  });
}

describe.skipIf(!postgres)('postgres: migrate in several schemas', () => {
  const storages: TestStorage[] = [];
  afterEach(async () => {
    await Promise.all(storages.splice(0).map((s) => s.dispose()));
  });

  it('migrates a schema even when another schema of the database is already migrated', async () => {
    storages.push(await openTestStorage('postgres'));
    const fresh = await openTestStorage('postgres', { migrate: false });
    storages.push(fresh);
    expect((await fresh.migrate()).applied).toHaveLength(Object.keys(listMigrations('postgres')).length);
  });

  it('applies the migrations once when two instances start at the same time', async () => {
    const first = await openTestStorage('postgres', { migrate: false });
    storages.push(first);
    if (!('searchPath' in first.location)) throw new Error('expected a PostgreSQL test storage');
    const second = await openStorage({ ...first.location, dataDir: '' });
    try {
      const outcomes = await Promise.all([first.migrate(), second.migrate()]);
      expect(outcomes.flatMap((o) => o.applied)).toEqual(Object.keys(listMigrations('postgres')));
    } finally {
      await second.close();
    }
  });
});
