import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import { createSqliteDialect } from './dialects/sqlite.js';
import { durableWrite } from './durable-write.js';
import { createKyselyStorage, type KyselyStorage } from './kysely-storage.js';
import { postgresForTests } from './test-support/postgres-for-tests.js';
import {
  aBackupCodeSet,
  aDeliveredCode,
  aFlow,
  aHistoryEntry,
  aLockout,
  anActiveFactor,
  anApiToken,
  aPendingFactor,
  aRefreshToken,
  aSessionFamily,
  aSuccessToken,
  aTrustedDevice,
  at,
  aUser,
  NO_SEND_LIMITS,
} from './test-support/record-factories.js';
import { openTestStorage, type TestStorage } from './test-support/test-storage.js';

// PRAGMA synchronous values.
const NORMAL = 1;
const FULL = 2;

async function synchronousLevel(db: Kysely<Database>): Promise<number | undefined> {
  const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
  return rows[0]?.synchronous;
}

describe('sqlite: connection settings', () => {
  let storage: TestStorage;
  beforeEach(async () => {
    storage = await openTestStorage('sqlite');
  });
  afterEach(async () => {
    await storage.dispose();
  });

  it('opens the file in WAL mode with foreign keys, synchronous NORMAL and a busy timeout', async () => {
    const pragma = async (name: string) =>
      Object.values((await sql<Record<string, unknown>>`pragma ${sql.raw(name)}`.execute(storage.db)).rows[0] ?? {})[0];
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await pragma('synchronous')).toBe(NORMAL);
    expect(await pragma('busy_timeout')).toBe(5000);
  });

  it('runs a durable write on synchronous FULL and is back on NORMAL afterwards', async () => {
    const inside = await durableWrite(storage.db, 'sqlite', async (trx) => {
      await trx.insertInto('settings').values({ key: 'k', value: 'v' }).execute();
      return synchronousLevel(trx);
    });
    expect(inside).toBe(FULL);
    expect(await synchronousLevel(storage.db)).toBe(NORMAL);
    expect(await storage.settings.get('k')).toBe('v');
  });

  it('rolls back a failed durable write and is back on NORMAL afterwards', async () => {
    await expect(
      durableWrite(storage.db, 'sqlite', async (trx) => {
        await trx.insertInto('settings').values({ key: 'k', value: 'v' }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await synchronousLevel(storage.db)).toBe(NORMAL);
    expect(await storage.settings.get('k')).toBeUndefined();
  });

  it('cannot switch the level inside a transaction, which is why durableWrite switches before it begins', async () => {
    await expect(
      storage.db.transaction().execute((trx) => sql`pragma synchronous = FULL`.execute(trx)),
    ).rejects.toThrow(/inside a transaction/);
  });
});

describe('sqlite: which repository writes are durable', () => {
  let dataDir: string;
  let storage: KyselyStorage;
  let statements: string[];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-durable-'));
    statements = [];
    // Every statement run on the single connection, in order.
    const db = new Kysely<Database>({
      dialect: createSqliteDialect(dataDir),
      log: (event) => {
        statements.push(event.query.sql);
      },
    });
    storage = createKyselyStorage(db, 'sqlite');
    await storage.migrate();
  });

  afterEach(async () => {
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The statements `action` ran. */
  async function run(action: () => Promise<unknown>): Promise<string[]> {
    statements = [];
    await action();
    return statements;
  }

  /** FULL, begin, the writes, commit, NORMAL: the commit ran with synchronous = FULL. */
  function expectDurable(ran: string[]): void {
    expect(ran[0]).toBe('pragma synchronous = FULL');
    expect(ran[1]).toBe('begin immediate');
    expect(ran.at(-2)).toBe('commit');
    expect(ran.at(-1)).toBe('pragma synchronous = NORMAL');
    expect(ran.length).toBeGreaterThan(4);
  }

  function expectNotDurable(ran: string[]): void {
    expect(ran.length).toBeGreaterThan(0);
    expect(ran.filter((statement) => /pragma|begin|commit/i.test(statement))).toEqual([]);
  }

  it('makes account, factor, API token, session revocation and settings writes durable', async () => {
    const user = aUser();
    expectDurable(await run(() => storage.users.create(user)));
    const factor = aPendingFactor(user.id);
    expectDurable(await run(() => storage.factors.insertPending(factor)));
    expectDurable(await run(() => storage.factors.activate(factor.id, at(1), 5)));
    const token = anApiToken(user.id);
    expectDurable(await run(() => storage.apiTokens.insert(token)));
    expectDurable(await run(() => storage.apiTokens.revoke(token.id, user.id, at(2))));
    const family = aSessionFamily(user.id);
    await storage.sessions.createFamily(family);
    expectDurable(await run(() => storage.sessions.revokeFamily(family.id, at(3))));
    expectDurable(await run(() => storage.settings.set('issuer', 'Acme')));
    expectDurable(await run(() => storage.settings.setIfAbsent('key-check', 'sealed')));
    expectDurable(await run(() => storage.factors.delete(factor.id)));
  });

  it('leaves counters, TOTP steps, flows and refresh rotation on NORMAL', async () => {
    const user = aUser();
    await storage.users.create(user);
    const factor = aPendingFactor(user.id);
    await storage.factors.insertPending(factor);
    await storage.factors.activate(factor.id, at(1), null);
    expectNotDurable(await run(() => storage.factors.recordUsedStep(factor.id, 10)));
    expectNotDurable(await run(() => storage.lockouts.compareAndSet(0, aLockout(user.id))));
    expectNotDurable(await run(() => storage.lockouts.reset(user.id)));
    const flow = aFlow(user.id);
    expectNotDurable(await run(() => storage.flows.insert(flow)));
    expectNotDurable(
      await run(() => storage.flows.updateIfVersion(flow.id, 1, { state: 'done', data: '{}', attempts: 0 })),
    );
    const family = aSessionFamily(user.id);
    expectNotDurable(await run(() => storage.sessions.createFamily(family)));
    const refresh = aRefreshToken(family);
    expectNotDurable(await run(() => storage.sessions.insertRefreshToken(refresh)));
    expectNotDurable(await run(() => storage.sessions.markRotated(refresh.id, at(2))));
  });

  it('makes backup-code, history, factor, account-detail and device-revocation writes durable', async () => {
    const user = aUser();
    await storage.users.create(user);
    const codes = aBackupCodeSet(user.id, 3);
    expectDurable(await run(() => storage.backupCodes.replaceSet(user.id, codes)));
    expectDurable(await run(() => storage.backupCodes.consume(user.id, codes[0]!.codeHash, at(1))));
    expectDurable(await run(() => storage.backupCodes.deleteAll(user.id)));
    expectDurable(await run(() => storage.history.insert(aHistoryEntry(user.id))));
    expectDurable(await run(() => storage.factors.insertActive(anActiveFactor(user.id))));
    expectDurable(await run(() => storage.factors.deleteAllForUser(user.id)));
    expectDurable(await run(() => storage.users.updatePasswordHash(user.id, '$argon2id$new')));
    expectDurable(await run(() => storage.users.updateIssuer(user.id, 'Acme')));
    expectDurable(await run(() => storage.users.updatePhone(user.id, '+15550100')));
    const device = aTrustedDevice(user.id);
    await storage.trustedDevices.insert(device);
    expectDurable(await run(() => storage.trustedDevices.revoke(device.id, user.id, at(2))));
    expectDurable(await run(() => storage.trustedDevices.revokeAllForUser(user.id, at(3))));
  });

  it('leaves delivered codes, success tokens and device remembering and rotation on NORMAL', async () => {
    const user = aUser();
    await storage.users.create(user);
    const code = aDeliveredCode(user.id);
    // Its check and insert are one transaction, an ordinary one.
    const sent = await run(() => storage.deliveredCodes.insertWithinLimits(code, NO_SEND_LIMITS));
    expect(sent.filter((statement) => /pragma/i.test(statement))).toEqual([]);
    expect([sent[0], sent.at(-1)]).toEqual(['begin immediate', 'commit']);
    expectNotDurable(await run(() => storage.deliveredCodes.recordFailedAttempt(code.id)));
    expectNotDurable(await run(() => storage.deliveredCodes.consume(code.id, code.codeHash, at(1))));
    expectNotDurable(await run(() => storage.deliveredCodes.invalidate(code.id, at(2))));
    expectNotDurable(await run(() => storage.deliveredCodes.discard(code.id)));
    const token = aSuccessToken(user.id);
    expectNotDurable(await run(() => storage.successTokens.insert(token)));
    expectNotDurable(
      await run(() => storage.successTokens.consume(token.tokenHash, token.operation, token.target, at(1))),
    );
    const device = aTrustedDevice(user.id);
    expectNotDurable(await run(() => storage.trustedDevices.insert(device)));
    expectNotDurable(
      await run(() => storage.trustedDevices.rotate(device.id, device.tokenHash, 'hash-next', at(1), at(9))),
    );
  });

  it('commits a unit of work durably, its repositories writing in savepoints of it', async () => {
    const user = aUser();
    await storage.users.create(user);
    const factor = aPendingFactor(user.id);
    await storage.factors.insertPending(factor);
    const flow = aFlow(user.id);
    await storage.flows.insert(flow);
    const ran = await run(() =>
      storage.transaction(async (repos) => {
        await repos.flows.updateIfVersion(flow.id, 1, { state: 'done', data: '{}', attempts: 0 });
        await repos.factors.activate(factor.id, at(1), 5);
      }),
    );
    expectDurable(ran);
    expect(ran.filter((statement) => /pragma|begin|commit/i.test(statement))).toHaveLength(4);
    expect(ran.filter((statement) => /savepoint/i.test(statement))).toEqual([
      'savepoint tessera_nested',
      'release savepoint tessera_nested',
    ]);
  });

  it('is back on NORMAL after a unit of work that threw', async () => {
    const ran = await run(() =>
      storage
        .transaction(async (repos) => {
          await repos.settings.set('issuer', 'Acme');
          throw new Error('boom');
        })
        .catch(() => undefined),
    );
    expect(ran.slice(-2)).toEqual(['rollback', 'pragma synchronous = NORMAL']);
    expect(await synchronousLevel(storage.db)).toBe(NORMAL);
    expect(await storage.settings.get('issuer')).toBeUndefined();
  });

  it('is back on NORMAL after a durable write that lost a unique clash', async () => {
    const user = aUser();
    await storage.users.create(user);
    const ran = await run(() => storage.users.create(aUser({ username: user.username })));
    expect(ran.at(-2)).toBe('rollback');
    expect(ran.at(-1)).toBe('pragma synchronous = NORMAL');
    expect(await synchronousLevel(storage.db)).toBe(NORMAL);
  });
});

const postgres = await postgresForTests('PostgreSQL durable-write tests');

describe.skipIf(!postgres)('postgres: durableWrite', () => {
  let storage: TestStorage;
  beforeEach(async () => {
    storage = await openTestStorage('postgres');
  });
  afterEach(async () => {
    await storage.dispose();
  });

  it('commits in one transaction', async () => {
    await durableWrite(storage.db, 'postgres', async (trx) => {
      await trx.insertInto('settings').values({ key: 'a', value: '1' }).execute();
      await trx.insertInto('settings').values({ key: 'b', value: '2' }).execute();
    });
    expect(await storage.settings.get('a')).toBe('1');
    expect(await storage.settings.get('b')).toBe('2');
  });

  it('rolls back every write when it fails', async () => {
    await expect(
      durableWrite(storage.db, 'postgres', async (trx) => {
        await trx.insertInto('settings').values({ key: 'a', value: '1' }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await storage.settings.get('a')).toBeUndefined();
  });
});
