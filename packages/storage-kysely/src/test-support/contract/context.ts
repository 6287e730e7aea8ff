import type { DeliveredCodeRecord, FactorOf, NewUser } from '@tessera/core';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect } from 'vitest';
import type { KyselyStorage } from '../../kysely-storage.js';
import { openStorage } from '../../open-storage.js';
import { aPendingFactor, at, aUser, NO_SEND_LIMITS } from '../record-factories.js';
import { openTestStorage, type TestStorage } from '../test-storage.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** Concurrent callers in each race test. */
export const CALLERS = 20;

/** Connections of a PostgreSQL storage's pool (see dialects/postgres.ts). */
const POOL_SIZE = 10;

/** What every contract file works with; `storage` is a fresh, migrated database per test. */
export interface ContractContext {
  readonly kind: DatabaseKind;
  readonly storage: TestStorage;
  createdUser(overrides?: Partial<NewUser>): Promise<NewUser>;
  /** A user with an active TOTP factor (activated without a used step). */
  activeTotp(): Promise<{ user: NewUser; factor: FactorOf<'totp'> }>;
  /**
   * Storages on separate connections to the test database, as separate server processes
   * would have: on PostgreSQL a second pool next to the first (ten connections each), on
   * SQLite a second connection to the same file.
   *
   * `transactions` leaves the second SQLite connection out. Both live in this one process,
   * and better-sqlite3 waits for a lock synchronously: a second connection waiting for the
   * first one's transaction would block the very thread that has to finish it. Separate
   * processes do not have that problem; within one, the calls still interleave between
   * statements on the single connection.
   */
  connections(options: { transactions: boolean }): Promise<KyselyStorage[]>;
  /** CALLERS calls at once, spread over the storages. */
  race<T>(storages: KyselyStorage[], call: (storage: KyselyStorage, i: number) => Promise<T>): Promise<T[]>;
}

/** Registers the per-test database for the enclosing describe and returns its helpers. */
export function contractContext(kind: DatabaseKind): ContractContext {
  let storage: TestStorage | undefined;
  let peer: KyselyStorage | undefined;

  beforeEach(async () => {
    storage = await openTestStorage(kind);
  });

  afterEach(async () => {
    await peer?.close();
    peer = undefined;
    await storage?.dispose();
    storage = undefined;
  });

  const current = (): TestStorage => {
    if (!storage) throw new Error('the contract storage is open only inside a test');
    return storage;
  };

  const createdUser = async (overrides: Partial<NewUser> = {}): Promise<NewUser> => {
    const user = aUser(overrides);
    expect(await current().users.create(user)).toBe('created');
    return user;
  };

  return {
    kind,
    get storage() {
      return current();
    },
    createdUser,

    async activeTotp() {
      const user = await createdUser();
      const factor = aPendingFactor(user.id);
      await current().factors.insertPending(factor);
      expect(await current().factors.activate(factor.id, at(1000), null)).toBe(true);
      return { user, factor };
    },

    async connections(options) {
      const first = current();
      if (kind === 'sqlite' && options.transactions) return [first];
      if (peer) return [first, peer];
      peer =
        'dataDir' in first.location
          ? await openStorage({ dataDir: first.location.dataDir })
          : await openStorage({ ...first.location, dataDir: '' });
      if (kind === 'postgres') {
        // A pool opens connections on demand, one after the other; racing on cold pools lets
        // the first callers finish before the last ones start. Open every connection first,
        // and check that they really are separate sessions.
        const backends = await Promise.all(
          [first, peer].flatMap((s) =>
            Array.from({ length: POOL_SIZE }, () =>
              sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.1)`.execute(s.db),
            ),
          ),
        );
        expect(new Set(backends.map((result) => result.rows[0]?.pid)).size).toBe(2 * POOL_SIZE);
      }
      return [first, peer];
    },

    race(storages, call) {
      return Promise.all(Array.from({ length: CALLERS }, (_, i) => call(storages[i % storages.length]!, i)));
    },
  };
}

/** Records a code with limits it cannot reach; fails the test if it was refused anyway. */
export async function recordCode(ctx: ContractContext, code: DeliveredCodeRecord): Promise<void> {
  expect(await ctx.storage.deliveredCodes.insertWithinLimits(code, NO_SEND_LIMITS)).toBeUndefined();
}
