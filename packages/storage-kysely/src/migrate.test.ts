import type { FactorRecord, HistoryRecord, NewUser } from '@tessera/core';
import { type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from './migrate.js';
import { listMigrations } from './migrations/migration-list.js';
import { openStorage } from './open-storage.js';
import { postgresForTests } from './test-support/postgres-for-tests.js';
import { aHistoryEntry, at, aUser, T0 } from './test-support/record-factories.js';
import { openTestStorage, type TestStorage } from './test-support/test-storage.js';

const TABLES = [
  'api_tokens',
  'audit_checkpoints',
  'audit_entries',
  'audit_head',
  'backup_codes',
  'delivered_codes',
  'destination_verifications',
  'entity_challenges',
  'factor_backup_codes',
  'factor_email',
  'factor_sms',
  'factor_totp',
  'factor_webauthn',
  'factors',
  'flows',
  'history',
  'history_counts',
  'history_user_counts',
  'lockouts',
  'refresh_tokens',
  'session_families',
  'settings',
  'success_tokens',
  'throttles',
  'trusted_devices',
  'users',
  'verify_services',
  'webauthn_challenges',
  'webauthn_credentials',
  'webhook_attempts',
  'webhook_deliveries',
  'webhook_endpoints',
  'webhook_events',
  'webhook_secrets',
];

const FACTOR_DETAILS = '2026_11_25_000001_factor_details';

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
      await insertUserOfInitialSchema(storage, user);
      expect(later).not.toEqual([]);
      expect(await storage.migrate()).toEqual({ applied: later });
      expect(await tableNames()).toEqual(TABLES);
      expect(await storage.users.findById(user.id)).toEqual(user);
      await storage.history.insert(aHistoryEntry(user.id));
    });

    it('counts the history entries already there when it adds history_counts', async () => {
      storage = await openTestStorage(kind, { migrate: false });
      const all = listMigrations(kind);
      const names = Object.keys(all);
      const previous = names.slice(0, names.indexOf('2026_11_25_000070_scale_indexes'));
      const migrations = Object.fromEntries(previous.map((name) => [name, all[name]!]));
      await migrateToLatest(storage.db, { dialect: kind, migrations });
      const user = aUser();
      await storage.users.create(user);
      // Written as the earlier schema took them: no counts to keep.
      const entries = [
        aHistoryEntry(user.id, { method: 'sms', enabled: true }),
        aHistoryEntry(user.id, { method: 'sms', enabled: true }),
        aHistoryEntry(null, { method: 'totp', enabled: false }),
      ];
      await storage.db.insertInto('history').values(entries.map(historyRowOf)).execute();
      await storage.migrate();
      await storage.history.insert(aHistoryEntry(user.id, { method: 'sms', enabled: true }));
      const total = async (filter: { method?: string; enabled?: boolean }) =>
        (await storage.history.list(filter, 'desc', 1, 0)).total;
      expect(await total({})).toBe(4);
      expect(await total({ method: 'sms', enabled: true })).toBe(3);
      expect(await total({ enabled: false })).toBe(1);
    });

    it("counts each user's history entries already there when it adds history_user_counts", async () => {
      storage = await openTestStorage(kind, { migrate: false });
      const all = listMigrations(kind);
      const names = Object.keys(all);
      const previous = names.slice(0, names.indexOf('2026_11_25_000080_history_user_counts'));
      const migrations = Object.fromEntries(previous.map((name) => [name, all[name]!]));
      await migrateToLatest(storage.db, { dialect: kind, migrations });
      const alice = aUser();
      const bob = aUser();
      await storage.users.create(alice);
      await storage.users.create(bob);
      // Written by the repository of the earlier schema: counted per kind, not per user.
      const entries = [
        aHistoryEntry(alice.id, { method: 'sms', enabled: true }),
        aHistoryEntry(alice.id, { method: 'sms', enabled: true }),
        aHistoryEntry(alice.id, { method: 'totp', enabled: false }),
        aHistoryEntry(bob.id, { method: 'sms', enabled: true }),
        aHistoryEntry(null, { method: 'sms', enabled: true }),
      ];
      await storage.db.insertInto('history').values(entries.map(historyRowOf)).execute();
      // It and every later migration.
      expect(await storage.migrate()).toEqual({ applied: names.slice(previous.length) });
      const latest = await storage.history.insert(aHistoryEntry(alice.id, { method: 'sms', enabled: true }));
      // The entries already there were numbered as the number column came; a new one comes after them all.
      const numbers = await Promise.all(
        entries.map(async (entry) => (await storage.history.findById(entry.id))?.number ?? 0),
      );
      expect(new Set(numbers).size).toBe(entries.length);
      for (const number of numbers) expect(number).toBeGreaterThan(0);
      expect(latest).toBeGreaterThan(Math.max(...numbers));
      const total = async (filter: { userId: string; method?: string; enabled?: boolean }) =>
        (await storage.history.list(filter, 'desc', 1, 0)).total;
      expect(await total({ userId: alice.id })).toBe(4);
      expect(await total({ userId: alice.id, method: 'sms', enabled: true })).toBe(3);
      expect(await total({ userId: alice.id, enabled: false })).toBe(1);
      expect(await total({ userId: bob.id })).toBe(1);
      // Only users' entries are counted per user.
      const { rows } = await sql<{ n: number | string }>`select count(*) as n from history_user_counts`.execute(
        storage.db,
      );
      expect(Number(rows[0]?.n)).toBe(3);
    });

    /** Migrates a fresh database up to, not including, the factor-details migration. */
    async function storageBeforeFactorDetails(): Promise<TestStorage> {
      const opened = await openTestStorage(kind, { migrate: false });
      const all = listMigrations(kind);
      const names = Object.keys(all);
      const previous = names.slice(0, names.indexOf(FACTOR_DETAILS));
      expect(previous).toHaveLength(2);
      const migrations = Object.fromEntries(previous.map((name) => [name, all[name]!]));
      expect(await migrateToLatest(opened.db, { dialect: kind, migrations })).toEqual({ applied: previous });
      return opened;
    }

    /** A factor row as the schema before the factor-details migration had it. */
    function oldFactorRow(
      userId: string,
      kind: string,
      fields: { sealed_secret: string | null; params: string; last_used_step?: number },
    ) {
      return {
        id: `${kind}-factor`,
        user_id: userId,
        kind,
        status: 'active',
        last_used_step: null,
        created_at: T0.getTime(),
        expires_at: null,
        activated_at: at(1).getTime(),
        ...fields,
      };
    }

    it("moves each factor kind's details out of the generic row, intact", async () => {
      storage = await storageBeforeFactorDetails();
      const user = aUser();
      await insertUserOfInitialSchema(storage, user);
      // biome-ignore lint/suspicious/noExplicitAny: the rows of a schema the app's types no longer describe.
      const old = storage.db as Kysely<any>;
      await old
        .insertInto('factors')
        .values([
          oldFactorRow(user.id, 'totp', {
            sealed_secret: 'v1.totp-key',
            params: '{"algorithm":"SHA256","digits":8,"period":60}',
            last_used_step: 59_000_123,
          }),
          oldFactorRow(user.id, 'sms', { sealed_secret: 'v1.phone', params: '{"phone":"+359********456"}' }),
          oldFactorRow(user.id, 'email', { sealed_secret: null, params: '{"email":"j***@example.com"}' }),
          oldFactorRow(user.id, 'backup_codes', { sealed_secret: null, params: '{"count":12,"digits":10}' }),
          // Pending, and with the parameters the old reader filled in from defaults.
          {
            ...oldFactorRow(user.id, 'totp', { sealed_secret: 'v1.other-key', params: '{}' }),
            id: 'pending-totp',
            status: 'pending',
            expires_at: at(600_000).getTime(),
            activated_at: null,
          },
        ])
        .execute();

      expect((await storage.migrate()).applied[0]).toBe(FACTOR_DETAILS);

      const base = { userId: user.id, status: 'active', createdAt: T0, expiresAt: null, activatedAt: at(1) } as const;
      const expected: FactorRecord[] = [
        {
          ...base,
          id: 'totp-factor',
          kind: 'totp',
          details: {
            sealedSecret: 'v1.totp-key',
            algorithm: 'SHA256',
            digits: 8,
            period: 60,
            lastUsedStep: 59_000_123,
          },
        },
        {
          ...base,
          id: 'sms-factor',
          kind: 'sms',
          details: { sealedPhone: 'v1.phone', maskedPhone: '+359********456' },
        },
        { ...base, id: 'email-factor', kind: 'email', details: { maskedEmail: 'j***@example.com' } },
        { ...base, id: 'backup_codes-factor', kind: 'backup_codes', details: { count: 12, digits: 10 } },
        {
          ...base,
          id: 'pending-totp',
          status: 'pending',
          expiresAt: at(600_000),
          activatedAt: null,
          kind: 'totp',
          details: { sealedSecret: 'v1.other-key', algorithm: 'SHA1', digits: 6, period: 30, lastUsedStep: null },
        },
      ];
      for (const factor of expected) expect(await storage.factors.findById(factor.id)).toEqual(factor);
      expect(await storage.factors.findActiveByUsername(user.username, 'totp')).toEqual({
        userId: user.id,
        disabled: false,
        factor: expected[0],
      });
      // The old columns are gone.
      await expect(sql`select params from factors`.execute(storage.db)).rejects.toThrow();
    });

    it('stops before dropping the old columns when a factor cannot be moved', async () => {
      storage = await storageBeforeFactorDetails();
      const user = aUser();
      await insertUserOfInitialSchema(storage, user);
      // biome-ignore lint/suspicious/noExplicitAny: the rows of a schema the app's types no longer describe.
      const old = storage.db as Kysely<any>;
      await old
        .insertInto('factors')
        .values([
          oldFactorRow(user.id, 'totp', { sealed_secret: null, params: '{}' }),
          oldFactorRow(user.id, 'webauthn', { sealed_secret: 'v1.credential', params: '{}' }),
        ])
        .execute();
      await expect(storage.migrate()).rejects.toThrow(
        /Migration 2026_11_25_000001_factor_details failed: .*totp-factor \(totp\), webauthn-factor \(webauthn\)/,
      );
      // Nothing of it stayed: the old columns and their data are there, the new tables are not.
      const { rows } = await sql<{ params: string }>`select params from factors order by id`.execute(storage.db);
      expect(rows).toEqual([{ params: '{}' }, { params: '{}' }]);
      await expect(sql`select 1 from factor_totp`.execute(storage.db)).rejects.toThrow();
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

/** A history row written straight to the table, as a repository without the counts took it. */
function historyRowOf(entry: HistoryRecord) {
  return {
    id: entry.id,
    user_id: entry.userId,
    method: entry.method,
    action: entry.action,
    enabled: entry.enabled ? (1 as const) : (0 as const),
    actor: entry.actor,
    actor_id: entry.actorId,
    client_ip: entry.clientIp,
    details: entry.details,
    created_at: entry.createdAt.getTime(),
  };
}

/** A user row as the initial schema has it: the repository writes columns later migrations add. */
async function insertUserOfInitialSchema(storage: TestStorage, user: NewUser): Promise<void> {
  // biome-ignore lint/suspicious/noExplicitAny: the rows of a schema older than the app's types.
  await (storage.db as Kysely<any>)
    .insertInto('users')
    .values({
      id: user.id,
      username: user.username,
      email: user.email,
      phone: user.phone,
      password_hash: user.passwordHash ?? '',
      role: user.role,
      issuer: user.issuer,
      created_at: user.createdAt.getTime(),
    })
    .execute();
}
