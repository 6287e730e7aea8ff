import type { HistoryFilter, HistoryRecord, NewUser } from '@tessera/core';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KyselyStorage } from '../kysely-storage.js';
import { openStorage } from '../open-storage.js';
import {
  aBackupCode,
  aBackupCodeSet,
  aDeliveredCode,
  aHistoryEntry,
  anActiveFactor,
  aPendingFactor,
  aSuccessToken,
  aTrustedDevice,
  at,
  aUser,
  T0,
} from './record-factories.js';
import { openTestStorage, type TestStorage } from './test-storage.js';

/** Concurrent callers in each race test. */
const CALLERS = 20;

/** Connections of a PostgreSQL storage's pool (see dialects/postgres.ts). */
const POOL_SIZE = 10;

/**
 * The contract of the second-factor repositories (backup codes, delivered codes, success
 * tokens, history, trusted devices), run unchanged against each dialect on a fresh, migrated
 * database per test.
 */
export function describeSecondFactorContract(kind: 'sqlite' | 'postgres'): void {
  describe(`${kind}: second-factor repository contract`, () => {
    let storage: TestStorage;
    let peer: KyselyStorage | undefined;

    beforeEach(async () => {
      storage = await openTestStorage(kind);
    });

    afterEach(async () => {
      await peer?.close();
      peer = undefined;
      await storage.dispose();
    });

    async function createdUser(overrides: Partial<NewUser> = {}): Promise<NewUser> {
      const user = aUser(overrides);
      expect(await storage.users.create(user)).toBe('created');
      return user;
    }

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
    async function connections(options: { transactions: boolean }): Promise<KyselyStorage[]> {
      if (kind === 'sqlite' && options.transactions) return [storage];
      if (peer) return [storage, peer];
      peer =
        'dataDir' in storage.location
          ? await openStorage({ dataDir: storage.location.dataDir })
          : await openStorage({ ...storage.location, dataDir: '' });
      if (kind === 'postgres') {
        // A pool opens connections on demand, one after the other; racing on cold pools lets
        // the first callers finish before the last ones start. Open every connection first,
        // and check that they really are separate sessions.
        const backends = await Promise.all(
          [storage, peer].flatMap((s) =>
            Array.from({ length: POOL_SIZE }, () =>
              sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.1)`.execute(s.db),
            ),
          ),
        );
        expect(new Set(backends.map((result) => result.rows[0]?.pid)).size).toBe(2 * POOL_SIZE);
      }
      return [storage, peer];
    }

    /** CALLERS calls at once, spread over the storages. */
    function race<T>(storages: KyselyStorage[], call: (storage: KyselyStorage, i: number) => Promise<T>): Promise<T[]> {
      return Promise.all(Array.from({ length: CALLERS }, (_, i) => call(storages[i % storages.length]!, i)));
    }

    async function storedBackupCodes(userId: string) {
      return storage.db
        .selectFrom('backup_codes')
        .select(['id', 'code_hash', 'used_at'])
        .where('user_id', '=', userId)
        .orderBy('id')
        .execute();
    }

    describe('users: second-factor methods', () => {
      it('finds a user by email', async () => {
        const user = await createdUser({ email: 'alice@example.test' });
        await createdUser({ email: null });
        expect(await storage.users.findByEmail('alice@example.test')).toEqual(user);
        expect(await storage.users.findByEmail('nobody@example.test')).toBeUndefined();
      });

      it("updates a password hash, issuer and phone, and only that user's", async () => {
        const user = await createdUser({ phone: null, issuer: null });
        const other = await createdUser();
        expect(await storage.users.updatePasswordHash(user.id, '$argon2id$new')).toBe(true);
        expect(await storage.users.updateIssuer(user.id, 'Acme')).toBe(true);
        expect(await storage.users.updatePhone(user.id, '+15550100')).toBe(true);
        expect(await storage.users.findById(user.id)).toEqual({
          ...user,
          passwordHash: '$argon2id$new',
          issuer: 'Acme',
          phone: '+15550100',
        });
        expect(await storage.users.findById(other.id)).toEqual(other);
      });

      it('clears the issuer and the phone with null', async () => {
        const user = await createdUser({ phone: '+15550100', issuer: 'Acme' });
        expect(await storage.users.updateIssuer(user.id, null)).toBe(true);
        expect(await storage.users.updatePhone(user.id, null)).toBe(true);
        expect(await storage.users.findById(user.id)).toEqual({ ...user, issuer: null, phone: null });
      });

      it('reports an unknown user on update', async () => {
        const nobody = '00000000-0000-0000-0000-000000000000';
        expect(await storage.users.updatePasswordHash(nobody, 'x')).toBe(false);
        expect(await storage.users.updateIssuer(nobody, 'Acme')).toBe(false);
        expect(await storage.users.updatePhone(nobody, null)).toBe(false);
      });

      it('lists users by username with the kinds of their active factors, a page at a time', async () => {
        // Lower-case names: their order is the same in every collation.
        const carol = await createdUser({ username: 'carol' });
        const alice = await createdUser({ username: 'alice' });
        const bob = await createdUser({ username: 'bob' });
        const dave = await createdUser({ username: 'dave' });
        const totp = aPendingFactor(alice.id);
        await storage.factors.insertPending(totp);
        expect(await storage.factors.activate(totp.id, at(1), null)).toBe(true);
        expect(await storage.factors.insertActive(anActiveFactor(alice.id))).toBe('inserted');
        await storage.factors.insertPending(aPendingFactor(alice.id, { kind: 'sms' }));
        await storage.factors.insertPending(aPendingFactor(bob.id));
        expect(await storage.factors.insertActive(anActiveFactor(dave.id, { kind: 'email' }))).toBe('inserted');

        expect(await storage.users.listWithFactors(10, 0)).toEqual({
          items: [
            { user: alice, activeKinds: ['backup_codes', 'totp'] },
            { user: bob, activeKinds: [] },
            { user: carol, activeKinds: [] },
            { user: dave, activeKinds: ['email'] },
          ],
          total: 4,
        });
        const page = await storage.users.listWithFactors(2, 1);
        expect(page.total).toBe(4);
        expect(page.items.map((item) => item.user.username)).toEqual(['bob', 'carol']);
        expect(await storage.users.listWithFactors(10, 4)).toEqual({ items: [], total: 4 });
      });
    });

    describe('factors: second-factor methods', () => {
      it('inserts an active factor and reads it back exactly', async () => {
        const user = await createdUser();
        const factor = anActiveFactor(user.id);
        expect(await storage.factors.insertActive(factor)).toBe('inserted');
        expect(await storage.factors.findById(factor.id)).toEqual(factor);
        expect(await storage.factors.findActive(user.id, 'backup_codes')).toEqual(factor);
      });

      it('returns already_active when the user has an active factor of the kind, and stores nothing', async () => {
        const user = await createdUser();
        const first = anActiveFactor(user.id);
        expect(await storage.factors.insertActive(first)).toBe('inserted');
        const second = anActiveFactor(user.id, { createdAt: at(1_000) });
        expect(await storage.factors.insertActive(second)).toBe('already_active');
        expect(await storage.factors.findById(second.id)).toBeUndefined();
        // A pending factor of the kind does not block it, and another user is not affected.
        const other = await createdUser();
        await storage.factors.insertPending(aPendingFactor(other.id));
        expect(await storage.factors.insertActive(anActiveFactor(other.id, { kind: 'totp' }))).toBe('inserted');
        expect(await storage.factors.insertActive(anActiveFactor(other.id))).toBe('inserted');
      });

      it('insertActive refuses a pending factor, and still throws on other errors', async () => {
        const user = await createdUser();
        await expect(storage.factors.insertActive(anActiveFactor(user.id, { status: 'pending' }))).rejects.toThrow();
        await expect(storage.factors.insertActive(anActiveFactor('no-such-user'))).rejects.toThrow();
        const factor = anActiveFactor(user.id);
        expect(await storage.factors.insertActive(factor)).toBe('inserted');
        await expect(
          storage.factors.insertActive(anActiveFactor(user.id, { id: factor.id, kind: 'sms' })),
        ).rejects.toThrow();
      });

      it('lists the kinds of the active factors only', async () => {
        const user = await createdUser();
        expect(await storage.factors.activeKinds(user.id)).toEqual([]);
        expect(await storage.factors.insertActive(anActiveFactor(user.id, { kind: 'sms' }))).toBe('inserted');
        expect(await storage.factors.insertActive(anActiveFactor(user.id))).toBe('inserted');
        await storage.factors.insertPending(aPendingFactor(user.id, { kind: 'totp' }));
        await storage.factors.insertActive(anActiveFactor((await createdUser()).id, { kind: 'email' }));
        expect(await storage.factors.activeKinds(user.id)).toEqual(['backup_codes', 'sms']);
      });

      it("deletes all of a user's factors, returning the kinds that were active", async () => {
        const user = await createdUser();
        const other = await createdUser();
        const totp = aPendingFactor(user.id);
        await storage.factors.insertPending(totp);
        expect(await storage.factors.activate(totp.id, at(1), null)).toBe(true);
        expect(await storage.factors.insertActive(anActiveFactor(user.id))).toBe('inserted');
        await storage.factors.insertPending(aPendingFactor(user.id, { kind: 'sms' }));
        const othersFactor = anActiveFactor(other.id);
        expect(await storage.factors.insertActive(othersFactor)).toBe('inserted');

        expect(await storage.factors.deleteAllForUser(user.id)).toEqual(['backup_codes', 'totp']);
        expect(await storage.factors.listByUser(user.id)).toEqual([]);
        expect(await storage.factors.listByUser(other.id)).toEqual([othersFactor]);
        expect(await storage.factors.deleteAllForUser(user.id)).toEqual([]);
      });

      it(`lets exactly one of ${CALLERS} concurrent active inserts of one kind win`, async () => {
        const user = await createdUser();
        const results = await race(await connections({ transactions: true }), (s) =>
          s.factors.insertActive(anActiveFactor(user.id)),
        );
        expect(results.filter((result) => result === 'inserted')).toHaveLength(1);
        expect(results.filter((result) => result === 'already_active')).toHaveLength(CALLERS - 1);
        expect(await storage.factors.listByUser(user.id)).toHaveLength(1);
      });
    });

    describe('backup codes', () => {
      it('stores a set and counts the unused codes', async () => {
        const user = await createdUser();
        const set = [...aBackupCodeSet(user.id, 9), aBackupCode(user.id, { usedAt: at(5) })];
        await storage.backupCodes.replaceSet(user.id, set);
        expect(await storage.backupCodes.countRemaining(user.id)).toBe(9);
        expect(await storage.backupCodes.countRemaining((await createdUser()).id)).toBe(0);
        const stored = await storedBackupCodes(user.id);
        expect(stored.map((row) => row.id)).toEqual(set.map((code) => code.id).sort());
      });

      it('uses a code once, recording the time', async () => {
        const user = await createdUser();
        const set = aBackupCodeSet(user.id, 3);
        await storage.backupCodes.replaceSet(user.id, set);
        const code = set[1]!;
        expect(await storage.backupCodes.consume(user.id, code.codeHash, at(7_007))).toBe(true);
        expect(await storage.backupCodes.consume(user.id, code.codeHash, at(8_008))).toBe(false);
        expect(await storage.backupCodes.countRemaining(user.id)).toBe(2);
        const stored = await storedBackupCodes(user.id);
        expect(stored.find((row) => row.id === code.id)?.used_at).toBe(at(7_007).getTime());
        expect(stored.filter((row) => row.used_at !== null)).toHaveLength(1);
      });

      it("refuses an unknown code, and another user's code", async () => {
        const user = await createdUser();
        const other = await createdUser();
        const set = aBackupCodeSet(user.id, 2);
        await storage.backupCodes.replaceSet(user.id, set);
        const othersCode = aBackupCode(other.id);
        await storage.backupCodes.replaceSet(other.id, [othersCode]);
        expect(await storage.backupCodes.consume(user.id, 'hash-unknown', at(1))).toBe(false);
        expect(await storage.backupCodes.consume(user.id, othersCode.codeHash, at(1))).toBe(false);
        expect(await storage.backupCodes.consume(other.id, set[0]!.codeHash, at(1))).toBe(false);
        expect(await storage.backupCodes.countRemaining(user.id)).toBe(2);
        expect(await storage.backupCodes.countRemaining(other.id)).toBe(1);
      });

      it("replaces the whole set, used codes included, and leaves other users' sets alone", async () => {
        const user = await createdUser();
        const other = await createdUser();
        const old = aBackupCodeSet(user.id, 3);
        await storage.backupCodes.replaceSet(user.id, old);
        expect(await storage.backupCodes.consume(user.id, old[0]!.codeHash, at(1))).toBe(true);
        const othersSet = aBackupCodeSet(other.id, 4);
        await storage.backupCodes.replaceSet(other.id, othersSet);

        const fresh = aBackupCodeSet(user.id, 5);
        await storage.backupCodes.replaceSet(user.id, fresh);
        expect(await storage.backupCodes.countRemaining(user.id)).toBe(5);
        expect(await storage.backupCodes.consume(user.id, old[1]!.codeHash, at(2))).toBe(false);
        expect((await storedBackupCodes(user.id)).map((row) => row.id)).toEqual(fresh.map((c) => c.id).sort());
        expect(await storage.backupCodes.countRemaining(other.id)).toBe(4);

        await storage.backupCodes.replaceSet(user.id, []);
        expect(await storage.backupCodes.countRemaining(user.id)).toBe(0);
      });

      it('may reuse a hash the replaced set had (the old row is gone first)', async () => {
        const user = await createdUser();
        const code = aBackupCode(user.id);
        await storage.backupCodes.replaceSet(user.id, [code]);
        await storage.backupCodes.replaceSet(user.id, [aBackupCode(user.id, { codeHash: code.codeHash })]);
        expect(await storage.backupCodes.countRemaining(user.id)).toBe(1);
      });

      it('keeps the old set when the new one cannot be stored', async () => {
        const user = await createdUser();
        const old = aBackupCodeSet(user.id, 3);
        await storage.backupCodes.replaceSet(user.id, old);
        const clash = aBackupCode(user.id);
        await expect(
          storage.backupCodes.replaceSet(user.id, [clash, aBackupCode(user.id, { codeHash: clash.codeHash })]),
        ).rejects.toThrow();
        expect((await storedBackupCodes(user.id)).map((row) => row.id)).toEqual(old.map((c) => c.id).sort());
      });

      it('refuses a set holding a code of another user', async () => {
        const user = await createdUser();
        const other = await createdUser();
        await expect(storage.backupCodes.replaceSet(user.id, [aBackupCode(other.id)])).rejects.toThrow();
        expect(await storage.backupCodes.countRemaining(other.id)).toBe(0);
      });

      it("deletes all of a user's codes and only those", async () => {
        const user = await createdUser();
        const other = await createdUser();
        await storage.backupCodes.replaceSet(user.id, aBackupCodeSet(user.id, 3));
        await storage.backupCodes.replaceSet(other.id, aBackupCodeSet(other.id, 2));
        await storage.backupCodes.deleteAll(user.id);
        expect(await storedBackupCodes(user.id)).toEqual([]);
        expect(await storage.backupCodes.countRemaining(other.id)).toBe(2);
      });

      it(`lets exactly one of ${CALLERS} concurrent uses of one code win`, async () => {
        const user = await createdUser();
        const set = aBackupCodeSet(user.id, 3);
        await storage.backupCodes.replaceSet(user.id, set);
        const storages = await connections({ transactions: true });
        for (const [round, code] of set.entries()) {
          const results = await race(storages, (s) => s.backupCodes.consume(user.id, code.codeHash, at(round)));
          expect(results.filter(Boolean)).toHaveLength(1);
          expect(await storage.backupCodes.countRemaining(user.id)).toBe(set.length - round - 1);
        }
      });

      it(`leaves exactly one whole set after ${CALLERS} concurrent replacements`, async () => {
        const user = await createdUser();
        await storage.backupCodes.replaceSet(user.id, aBackupCodeSet(user.id, 10));
        const sets = Array.from({ length: CALLERS }, () => aBackupCodeSet(user.id, 10));
        await race(await connections({ transactions: true }), (s, i) => s.backupCodes.replaceSet(user.id, sets[i]!));
        const stored = (await storedBackupCodes(user.id)).map((row) => row.id);
        expect(stored).toHaveLength(10);
        expect(sets.map((set) => set.map((code) => code.id).sort())).toContainEqual(stored);
      });
    });

    describe('delivered codes', () => {
      it('stores a code and reads it back exactly', async () => {
        const user = await createdUser();
        const code = aDeliveredCode(user.id, { channel: 'email', purpose: 'challenge', attempts: 2, maxAttempts: 3 });
        await storage.deliveredCodes.insert(code);
        expect(await storage.deliveredCodes.findById(code.id)).toEqual(code);
        expect(await storage.deliveredCodes.findById('not a uuid')).toBeUndefined();
      });

      it('consumes the right code once, recording the time', async () => {
        const user = await createdUser();
        const code = aDeliveredCode(user.id);
        await storage.deliveredCodes.insert(code);
        expect(await storage.deliveredCodes.consume(code.id, 'hash-wrong', at(1_000))).toBe(false);
        expect(await storage.deliveredCodes.consume(code.id, code.codeHash, at(2_000))).toBe(true);
        expect(await storage.deliveredCodes.consume(code.id, code.codeHash, at(3_000))).toBe(false);
        expect(await storage.deliveredCodes.findById(code.id)).toEqual({ ...code, consumedAt: at(2_000) });
        expect(await storage.deliveredCodes.consume('nobody', code.codeHash, at(1))).toBe(false);
      });

      it('refuses a code at or after its expiry', async () => {
        const user = await createdUser();
        const code = aDeliveredCode(user.id, { expiresAt: at(60_000) });
        await storage.deliveredCodes.insert(code);
        expect(await storage.deliveredCodes.consume(code.id, code.codeHash, at(60_000))).toBe(false);
        expect(await storage.deliveredCodes.consume(code.id, code.codeHash, at(60_001))).toBe(false);
        expect(await storage.deliveredCodes.consume(code.id, code.codeHash, at(59_999))).toBe(true);
      });

      it('refuses a code without tries left, even the right one', async () => {
        const user = await createdUser();
        const code = aDeliveredCode(user.id, { attempts: 3, maxAttempts: 3 });
        await storage.deliveredCodes.insert(code);
        expect(await storage.deliveredCodes.consume(code.id, code.codeHash, at(1))).toBe(false);
        expect((await storage.deliveredCodes.findById(code.id))?.consumedAt).toBeNull();
      });

      it('counts wrong tries up to the maximum, then no more', async () => {
        const user = await createdUser();
        const code = aDeliveredCode(user.id, { maxAttempts: 3 });
        await storage.deliveredCodes.insert(code);
        expect(await storage.deliveredCodes.recordFailedAttempt(code.id)).toBe(1);
        expect(await storage.deliveredCodes.recordFailedAttempt(code.id)).toBe(2);
        expect(await storage.deliveredCodes.recordFailedAttempt(code.id)).toBe(3);
        expect(await storage.deliveredCodes.recordFailedAttempt(code.id)).toBeUndefined();
        expect((await storage.deliveredCodes.findById(code.id))?.attempts).toBe(3);
        expect(await storage.deliveredCodes.recordFailedAttempt('nobody')).toBeUndefined();
      });

      it('does not count a try on a used code', async () => {
        const user = await createdUser();
        const code = aDeliveredCode(user.id);
        await storage.deliveredCodes.insert(code);
        expect(await storage.deliveredCodes.consume(code.id, code.codeHash, at(1))).toBe(true);
        expect(await storage.deliveredCodes.recordFailedAttempt(code.id)).toBeUndefined();
        expect((await storage.deliveredCodes.findById(code.id))?.attempts).toBe(0);
      });

      it('invalidates a code, keeping the time a used code was used', async () => {
        const user = await createdUser();
        const code = aDeliveredCode(user.id);
        const used = aDeliveredCode(user.id);
        await storage.deliveredCodes.insert(code);
        await storage.deliveredCodes.insert(used);
        expect(await storage.deliveredCodes.consume(used.id, used.codeHash, at(1_000))).toBe(true);
        await storage.deliveredCodes.invalidate(code.id, at(2_000));
        await storage.deliveredCodes.invalidate(used.id, at(2_000));
        expect((await storage.deliveredCodes.findById(code.id))?.consumedAt).toEqual(at(2_000));
        expect((await storage.deliveredCodes.findById(used.id))?.consumedAt).toEqual(at(1_000));
        expect(await storage.deliveredCodes.consume(code.id, code.codeHash, at(3_000))).toBe(false);
        await expect(storage.deliveredCodes.invalidate('nobody', at(1))).resolves.toBeUndefined();
      });

      it('reports sends to a recipient since a time (inclusive) and the latest send', async () => {
        const user = await createdUser();
        const recipientHash = 'recipient-a';
        for (const sentAt of [at(-7_200_000), at(-3_600_000), at(-60_000), at(-1)]) {
          await storage.deliveredCodes.insert(aDeliveredCode(user.id, { recipientHash, sentAt }));
        }
        // Another recipient, later than all of them: must not count.
        await storage.deliveredCodes.insert(aDeliveredCode(user.id, { recipientHash: 'recipient-b', sentAt: T0 }));
        expect(await storage.deliveredCodes.sendStats(recipientHash, at(-3_600_000))).toEqual({
          count: 3,
          lastSentAt: at(-1),
        });
        expect(await storage.deliveredCodes.sendStats(recipientHash, at(-3_599_999))).toEqual({
          count: 2,
          lastSentAt: at(-1),
        });
        expect(await storage.deliveredCodes.sendStats(recipientHash, at(0))).toEqual({ count: 0, lastSentAt: at(-1) });
        expect(await storage.deliveredCodes.sendStats('recipient-none', at(-3_600_000))).toEqual({
          count: 0,
          lastSentAt: null,
        });
      });

      it(`lets exactly one of ${CALLERS} concurrent uses of one code win`, async () => {
        const user = await createdUser();
        const storages = await connections({ transactions: false });
        for (let round = 0; round < 3; round++) {
          const code = aDeliveredCode(user.id, { maxAttempts: CALLERS });
          await storage.deliveredCodes.insert(code);
          const results = await race(storages, (s) => s.deliveredCodes.consume(code.id, code.codeHash, at(round)));
          expect(results.filter(Boolean)).toHaveLength(1);
        }
      });

      it(`counts ${CALLERS} concurrent wrong tries one by one, never past the maximum`, async () => {
        const user = await createdUser();
        const code = aDeliveredCode(user.id, { maxAttempts: 5 });
        await storage.deliveredCodes.insert(code);
        const counts = await race(await connections({ transactions: false }), (s) =>
          s.deliveredCodes.recordFailedAttempt(code.id),
        );
        expect(counts.filter((count) => count !== undefined).sort()).toEqual([1, 2, 3, 4, 5]);
        expect((await storage.deliveredCodes.findById(code.id))?.attempts).toBe(5);
      });
    });

    describe('success tokens', () => {
      async function storedToken(tokenHash: string) {
        return storage.db
          .selectFrom('success_tokens')
          .select(['user_id', 'used_at'])
          .where('token_hash', '=', tokenHash)
          .executeTakeFirst();
      }

      it('is used once, for its operation and target, and returns its user', async () => {
        const user = await createdUser();
        const token = aSuccessToken(user.id, { operation: 'disable_factor', target: 'factor-1' });
        await storage.successTokens.insert(token);
        expect(await storage.successTokens.consume(token.tokenHash, 'disable_factor', 'factor-1', at(1_000))).toBe(
          user.id,
        );
        expect(await storage.successTokens.consume(token.tokenHash, 'disable_factor', 'factor-1', at(2_000))).toBe(
          undefined,
        );
        expect(await storedToken(token.tokenHash)).toEqual({ user_id: user.id, used_at: at(1_000).getTime() });
      });

      it('works for an operation without a target', async () => {
        const user = await createdUser();
        const token = aSuccessToken(user.id, { operation: 'change_password', target: null });
        await storage.successTokens.insert(token);
        expect(await storage.successTokens.consume(token.tokenHash, 'change_password', null, at(1))).toBe(user.id);
      });

      it('refuses another operation or target, and stays usable for its own', async () => {
        const user = await createdUser();
        const token = aSuccessToken(user.id, { operation: 'disable_factor', target: 'factor-1' });
        const untargeted = aSuccessToken(user.id, { operation: 'change_password', target: null });
        await storage.successTokens.insert(token);
        await storage.successTokens.insert(untargeted);
        const consume = (hash: string, operation: string, target: string | null) =>
          storage.successTokens.consume(hash, operation, target, at(1));
        expect(await consume(token.tokenHash, 'change_password', 'factor-1')).toBeUndefined();
        expect(await consume(token.tokenHash, 'disable_factor', 'factor-2')).toBeUndefined();
        expect(await consume(token.tokenHash, 'disable_factor', null)).toBeUndefined();
        expect(await consume(untargeted.tokenHash, 'change_password', 'factor-1')).toBeUndefined();
        expect(await consume(untargeted.tokenHash, 'change_password', '')).toBeUndefined();
        expect((await storedToken(token.tokenHash))?.used_at).toBeNull();
        expect((await storedToken(untargeted.tokenHash))?.used_at).toBeNull();
        expect(await consume(token.tokenHash, 'disable_factor', 'factor-1')).toBe(user.id);
        expect(await consume(untargeted.tokenHash, 'change_password', null)).toBe(user.id);
      });

      it("with an owner given, refuses another user's token and leaves it usable by its owner", async () => {
        const owner = await createdUser();
        const other = await createdUser();
        const token = aSuccessToken(owner.id, { operation: 'change_password', target: null });
        await storage.successTokens.insert(token);
        expect(await storage.successTokens.consume(token.tokenHash, 'change_password', null, at(1), other.id)).toBe(
          undefined,
        );
        expect((await storedToken(token.tokenHash))?.used_at).toBeNull();
        expect(await storage.successTokens.consume(token.tokenHash, 'change_password', null, at(2), owner.id)).toBe(
          owner.id,
        );
      });

      it('refuses a token at or after its expiry, and an unknown one', async () => {
        const user = await createdUser();
        const token = aSuccessToken(user.id, { target: null, expiresAt: at(300_000) });
        await storage.successTokens.insert(token);
        expect(await storage.successTokens.consume(token.tokenHash, token.operation, null, at(300_000))).toBe(
          undefined,
        );
        expect(await storage.successTokens.consume('hash-unknown', token.operation, null, at(1))).toBeUndefined();
        expect(await storage.successTokens.consume(token.tokenHash, token.operation, null, at(299_999))).toBe(user.id);
      });

      it('refuses a token stored as used', async () => {
        const user = await createdUser();
        const token = aSuccessToken(user.id, { target: null, usedAt: at(1) });
        await storage.successTokens.insert(token);
        expect(await storage.successTokens.consume(token.tokenHash, token.operation, null, at(2))).toBeUndefined();
      });

      it('refuses a second token with the same hash', async () => {
        const user = await createdUser();
        const token = aSuccessToken(user.id);
        await storage.successTokens.insert(token);
        await expect(
          storage.successTokens.insert(aSuccessToken(user.id, { tokenHash: token.tokenHash })),
        ).rejects.toThrow();
      });

      it(`lets exactly one of ${CALLERS} concurrent uses of one token win`, async () => {
        const user = await createdUser();
        const storages = await connections({ transactions: false });
        for (let round = 0; round < 3; round++) {
          const token = aSuccessToken(user.id);
          await storage.successTokens.insert(token);
          const results = await race(storages, (s) =>
            s.successTokens.consume(token.tokenHash, token.operation, token.target, at(round)),
          );
          expect(results.filter((result) => result !== undefined)).toEqual([user.id]);
        }
      });
    });

    describe('history', () => {
      it('stores an entry and reads it back exactly', async () => {
        const user = await createdUser();
        const entry = aHistoryEntry(user.id, {
          method: 'backup_codes',
          action: 'regenerate',
          enabled: true,
          actor: 'admin',
          actorId: 'admin-id',
          details: '{"remaining":10}',
        });
        const policy = aHistoryEntry(null, {
          method: 'policy',
          action: 'policy',
          enabled: false,
          actor: 'system',
          actorId: null,
          clientIp: null,
        });
        await storage.history.insert(entry);
        await storage.history.insert(policy);
        expect(await storage.history.findById(entry.id)).toEqual(entry);
        expect(await storage.history.findById(policy.id)).toEqual(policy);
        expect(await storage.history.findById('not a uuid')).toBeUndefined();
      });

      /** 40 entries over two users and the system, several sharing a millisecond. */
      async function seedHistory(): Promise<{ alice: string; bob: string; entries: HistoryRecord[] }> {
        const alice = (await createdUser()).id;
        const bob = (await createdUser()).id;
        const methods = ['totp', 'sms', 'backup_codes'];
        const entries = Array.from({ length: 40 }, (_, i) =>
          aHistoryEntry(i % 5 === 4 ? null : i % 2 === 0 ? alice : bob, {
            method: i % 5 === 4 ? 'policy' : methods[i % 3]!,
            action: i % 3 === 0 ? 'disable' : 'enable',
            enabled: i % 3 !== 0,
            // Four entries per millisecond: the order must fall back on the id.
            createdAt: at(Math.floor(i / 4) * 1_000),
          }),
        );
        // Inserted out of order, so storage order cannot pass for the listing order.
        for (const entry of [...entries].reverse()) await storage.history.insert(entry);
        return { alice, bob, entries };
      }

      function expected(entries: HistoryRecord[], keep: (entry: HistoryRecord) => boolean, order: 'asc' | 'desc') {
        const sorted = entries
          .filter(keep)
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        return order === 'asc' ? sorted : sorted.reverse();
      }

      it('lists everything in either order, by time then id', async () => {
        const { entries } = await seedHistory();
        for (const order of ['asc', 'desc'] as const) {
          const page = await storage.history.list({}, order, 100, 0);
          expect(page.total).toBe(40);
          expect(page.items).toEqual(expected(entries, () => true, order));
        }
      });

      it('pages through the whole set without gaps or repeats', async () => {
        const { entries } = await seedHistory();
        for (const order of ['asc', 'desc'] as const) {
          const seen: HistoryRecord[] = [];
          for (let offset = 0; offset < 45; offset += 7) {
            const page = await storage.history.list({}, order, 7, offset);
            expect(page.total).toBe(40);
            expect(page.items.length).toBe(Math.max(0, Math.min(7, 40 - offset)));
            seen.push(...page.items);
          }
          expect(seen).toEqual(expected(entries, () => true, order));
        }
        expect(await storage.history.list({}, 'asc', 10, 40)).toEqual({ items: [], total: 40 });
      });

      it('filters by user, method, enabled and time range, and counts the filtered set', async () => {
        const { alice, bob, entries } = await seedHistory();
        const cases: [HistoryFilter, (entry: HistoryRecord) => boolean][] = [
          [{ userId: alice }, (e) => e.userId === alice],
          [{ userId: bob, method: 'sms' }, (e) => e.userId === bob && e.method === 'sms'],
          [{ method: 'policy' }, (e) => e.method === 'policy'],
          [{ enabled: false }, (e) => !e.enabled],
          [{ enabled: true, userId: alice }, (e) => e.enabled && e.userId === alice],
          // from is inclusive, to exclusive: at(2_000) is in, at(6_000) is out.
          [{ from: at(2_000), to: at(6_000) }, (e) => e.createdAt >= at(2_000) && e.createdAt < at(6_000)],
          [
            { userId: alice, method: 'totp', enabled: true, from: at(1_000), to: at(9_000) },
            (e) =>
              e.userId === alice &&
              e.method === 'totp' &&
              e.enabled &&
              e.createdAt >= at(1_000) &&
              e.createdAt < at(9_000),
          ],
          [{ userId: undefined, method: undefined, enabled: undefined }, () => true],
          [{ userId: 'nobody' }, () => false],
        ];
        for (const [filter, keep] of cases) {
          const all = expected(entries, keep, 'desc');
          const page = await storage.history.list(filter, 'desc', 3, 1);
          expect({ filter, total: page.total }).toEqual({ filter, total: all.length });
          expect(page.items).toEqual(all.slice(1, 4));
        }
        // The range boundaries, pinned down on their own.
        const range = await storage.history.list({ from: at(2_000), to: at(6_000) }, 'asc', 100, 0);
        expect(range.items[0]?.createdAt).toEqual(at(2_000));
        expect(range.items.at(-1)?.createdAt).toEqual(at(5_000));
        expect(range.total).toBe(16);
      });
    });

    describe('trusted devices', () => {
      it('stores a device and finds it by hash', async () => {
        const user = await createdUser();
        const device = aTrustedDevice(user.id, { lastUsedAt: at(3) });
        await storage.trustedDevices.insert(device);
        expect(await storage.trustedDevices.findByHash(device.tokenHash)).toEqual(device);
        expect(await storage.trustedDevices.findByHash('hash-unknown')).toBeUndefined();
        await expect(
          storage.trustedDevices.insert(aTrustedDevice(user.id, { tokenHash: device.tokenHash })),
        ).rejects.toThrow();
      });

      it('rotates the token from the current hash only, once', async () => {
        const user = await createdUser();
        const device = aTrustedDevice(user.id);
        await storage.trustedDevices.insert(device);
        const expiresAt = at(60 * 24 * 3600_000);
        expect(
          await storage.trustedDevices.rotate(device.id, device.tokenHash, 'hash-next', at(1_000), expiresAt),
        ).toBe(true);
        expect(await storage.trustedDevices.findByHash(device.tokenHash)).toBeUndefined();
        expect(await storage.trustedDevices.findByHash('hash-next')).toEqual({
          ...device,
          tokenHash: 'hash-next',
          lastUsedAt: at(1_000),
          expiresAt,
        });
        // The old token again: it is no longer the current one.
        expect(
          await storage.trustedDevices.rotate(device.id, device.tokenHash, 'hash-other', at(2_000), expiresAt),
        ).toBe(false);
        expect(await storage.trustedDevices.findByHash('hash-other')).toBeUndefined();
        expect(await storage.trustedDevices.rotate('nobody', 'hash-next', 'hash-other', at(2_000), expiresAt)).toBe(
          false,
        );
      });

      it('does not rotate a revoked or expired device', async () => {
        const user = await createdUser();
        const revoked = aTrustedDevice(user.id, { revokedAt: at(1) });
        const expired = aTrustedDevice(user.id, { expiresAt: at(5_000) });
        await storage.trustedDevices.insert(revoked);
        await storage.trustedDevices.insert(expired);
        expect(await storage.trustedDevices.rotate(revoked.id, revoked.tokenHash, 'hash-a', at(2), at(9_000))).toBe(
          false,
        );
        expect(await storage.trustedDevices.rotate(expired.id, expired.tokenHash, 'hash-b', at(5_000), at(9_000))).toBe(
          false,
        );
        expect(await storage.trustedDevices.findByHash(revoked.tokenHash)).toEqual(revoked);
        expect(await storage.trustedDevices.findByHash(expired.tokenHash)).toEqual(expired);
      });

      it("lists a user's unrevoked, unexpired devices by creation time", async () => {
        const user = await createdUser();
        const later = aTrustedDevice(user.id, { createdAt: at(2_000) });
        const earlier = aTrustedDevice(user.id, { createdAt: at(1_000) });
        await storage.trustedDevices.insert(later);
        await storage.trustedDevices.insert(earlier);
        await storage.trustedDevices.insert(aTrustedDevice(user.id, { revokedAt: at(3) }));
        await storage.trustedDevices.insert(aTrustedDevice(user.id, { expiresAt: at(10_000) }));
        await storage.trustedDevices.insert(aTrustedDevice((await createdUser()).id));
        expect(await storage.trustedDevices.listActive(user.id, at(10_000))).toEqual([earlier, later]);
        expect(await storage.trustedDevices.listActive('nobody', at(1))).toEqual([]);
      });

      it("revokes only the owner's device, keeping the first revocation time", async () => {
        const owner = await createdUser();
        const stranger = await createdUser();
        const device = aTrustedDevice(owner.id);
        await storage.trustedDevices.insert(device);
        expect(await storage.trustedDevices.revoke(device.id, stranger.id, at(500))).toBe(false);
        expect((await storage.trustedDevices.findByHash(device.tokenHash))?.revokedAt).toBeNull();
        expect(await storage.trustedDevices.revoke(device.id, owner.id, at(1_000))).toBe(true);
        expect(await storage.trustedDevices.revoke(device.id, owner.id, at(2_000))).toBe(true);
        expect((await storage.trustedDevices.findByHash(device.tokenHash))?.revokedAt).toEqual(at(1_000));
        expect(await storage.trustedDevices.listActive(owner.id, at(3_000))).toEqual([]);
        expect(await storage.trustedDevices.revoke('nobody', owner.id, at(1))).toBe(false);
      });

      it("revokes all of a user's active devices and counts them", async () => {
        const user = await createdUser();
        const other = await createdUser();
        const active = [aTrustedDevice(user.id), aTrustedDevice(user.id)];
        for (const device of active) await storage.trustedDevices.insert(device);
        const revoked = aTrustedDevice(user.id, { revokedAt: at(1) });
        await storage.trustedDevices.insert(revoked);
        await storage.trustedDevices.insert(aTrustedDevice(user.id, { expiresAt: at(500) }));
        const othersDevice = aTrustedDevice(other.id);
        await storage.trustedDevices.insert(othersDevice);

        expect(await storage.trustedDevices.revokeAllForUser(user.id, at(1_000))).toBe(2);
        for (const device of active) {
          expect((await storage.trustedDevices.findByHash(device.tokenHash))?.revokedAt).toEqual(at(1_000));
        }
        expect((await storage.trustedDevices.findByHash(revoked.tokenHash))?.revokedAt).toEqual(at(1));
        expect(await storage.trustedDevices.listActive(other.id, at(1_000))).toEqual([othersDevice]);
        expect(await storage.trustedDevices.revokeAllForUser(user.id, at(2_000))).toBe(0);
      });

      it(`lets exactly one of ${CALLERS} concurrent rotations of one token win`, async () => {
        const user = await createdUser();
        const device = aTrustedDevice(user.id);
        await storage.trustedDevices.insert(device);
        const storages = await connections({ transactions: false });
        let current = device.tokenHash;
        for (let round = 0; round < 3; round++) {
          const results = await race(storages, (s, i) =>
            s.trustedDevices.rotate(device.id, current, `hash-${round}-${i}`, at(round), at(9_000_000)),
          );
          expect(results.filter(Boolean)).toHaveLength(1);
          current = `hash-${round}-${results.indexOf(true)}`;
          expect((await storage.trustedDevices.findByHash(current))?.id).toBe(device.id);
        }
      });
    });

    describe('schema', () => {
      it("deletes a user's second-factor rows with the user, and keeps the history without the user", async () => {
        const user = await createdUser();
        const bystander = await createdUser();
        await storage.backupCodes.replaceSet(user.id, aBackupCodeSet(user.id, 2));
        await storage.backupCodes.replaceSet(bystander.id, aBackupCodeSet(bystander.id, 2));
        const delivered = aDeliveredCode(user.id);
        await storage.deliveredCodes.insert(delivered);
        const token = aSuccessToken(user.id);
        await storage.successTokens.insert(token);
        const device = aTrustedDevice(user.id);
        await storage.trustedDevices.insert(device);
        const entry = aHistoryEntry(user.id);
        await storage.history.insert(entry);
        const bystanderEntry = aHistoryEntry(bystander.id);
        await storage.history.insert(bystanderEntry);

        await storage.db.deleteFrom('users').where('id', '=', user.id).execute();

        expect(await storage.backupCodes.countRemaining(user.id)).toBe(0);
        expect(await storage.deliveredCodes.findById(delivered.id)).toBeUndefined();
        expect(await storage.successTokens.consume(token.tokenHash, token.operation, token.target, at(1))).toBe(
          undefined,
        );
        expect(await storage.trustedDevices.findByHash(device.tokenHash)).toBeUndefined();
        expect(await storage.history.findById(entry.id)).toEqual({ ...entry, userId: null });
        expect(await storage.backupCodes.countRemaining(bystander.id)).toBe(2);
        expect(await storage.history.findById(bystanderEntry.id)).toEqual(bystanderEntry);
      });

      it('refuses rows for a user that does not exist (foreign keys are on)', async () => {
        await expect(storage.backupCodes.replaceSet('no-such-user', [aBackupCode('no-such-user')])).rejects.toThrow();
        await expect(storage.deliveredCodes.insert(aDeliveredCode('no-such-user'))).rejects.toThrow();
        await expect(storage.successTokens.insert(aSuccessToken('no-such-user'))).rejects.toThrow();
        await expect(storage.trustedDevices.insert(aTrustedDevice('no-such-user'))).rejects.toThrow();
        await expect(storage.history.insert(aHistoryEntry('no-such-user'))).rejects.toThrow();
      });

      it('refuses a delivered code with more tries counted than allowed', async () => {
        const user = await createdUser();
        await expect(
          storage.deliveredCodes.insert(aDeliveredCode(user.id, { attempts: 6, maxAttempts: 5 })),
        ).rejects.toThrow();
        await expect(storage.deliveredCodes.insert(aDeliveredCode(user.id, { attempts: -1 }))).rejects.toThrow();
      });
    });
  });
}
