import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { KyselyStorage } from './kysely-storage.js';
import { openStorage } from './open-storage.js';
import { postgresForTests } from './test-support/postgres-for-tests.js';
import { aPendingFactor, at, aUser } from './test-support/record-factories.js';
import { openTestStorage, type TestStorage } from './test-support/test-storage.js';

/*
 * A TOTP code must be accepted once, even when the same code arrives many times at once on
 * different connections (several server processes, or one process with a connection pool).
 * A read-then-write implementation passes every sequential test and fails these.
 */

const CALLERS = 50;
const ROUNDS = 5;

async function activeFactorId(storage: KyselyStorage): Promise<string> {
  const user = aUser();
  expect(await storage.users.create(user)).toBe('created');
  const factor = aPendingFactor(user.id);
  await storage.factors.insertPending(factor);
  expect(await storage.factors.activate(factor.id, at(1), null)).toBe(true);
  return factor.id;
}

/** Each round, CALLERS concurrent calls with the same step, spread over the storages. */
async function expectOneWinnerPerStep(storages: KyselyStorage[], factorId: string): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    const step = 59_000_000 + round;
    const results = await Promise.all(
      Array.from({ length: CALLERS }, (_, i) => storages[i % storages.length]!.factors.recordUsedStep(factorId, step)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const factor = await storages[0]!.factors.findById(factorId);
    expect(factor?.kind === 'totp' && factor.details.lastUsedStep).toBe(step);
  }
}

describe('sqlite: concurrent recordUsedStep', () => {
  let first: TestStorage;
  let second: KyselyStorage;
  afterEach(async () => {
    await second.close();
    await first.dispose();
  });

  it('lets exactly one of 50 callers on two connections to one file win each step', async () => {
    first = await openTestStorage('sqlite');
    if (!('dataDir' in first.location)) throw new Error('expected a SQLite test storage');
    // A second better-sqlite3 connection to the same file, as a second process would have.
    second = await openStorage({ dataDir: first.location.dataDir });
    const factorId = await activeFactorId(first);
    await expectOneWinnerPerStep([first, second], factorId);
  });
});

const postgres = await postgresForTests('PostgreSQL race tests');

describe.skipIf(!postgres)('postgres: concurrent recordUsedStep', () => {
  let storage: TestStorage;
  afterEach(async () => {
    await storage.dispose();
  });

  it('lets exactly one of 50 callers over a pool of 10 connections win each step', async () => {
    storage = await openTestStorage('postgres');
    // Check the premise: the pool really runs statements on many connections at once.
    const backends = await Promise.all(
      Array.from({ length: 10 }, () =>
        sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.1)`.execute(storage.db),
      ),
    );
    expect(new Set(backends.map((r) => r.rows[0]?.pid)).size).toBe(10);

    const factorId = await activeFactorId(storage);
    await expectOneWinnerPerStep([storage], factorId);
  });
});
