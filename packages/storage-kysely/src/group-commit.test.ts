import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aPendingFactor, at, aUser } from './test-support/record-factories.js';
import { openTestStorage, type TestStorage } from './test-support/test-storage.js';

/*
 * The attempts' writes share commits (group-commit.ts) on the database the suite runs against:
 * concurrent writes are answered by fewer commits than writes, with the same outcomes as one
 * after the other, and a write that fails fails alone.
 */

let storage: TestStorage;
beforeAll(async () => {
  storage = await openTestStorage();
});
afterAll(async () => storage.dispose());

async function activeFactorId(): Promise<{ userId: string; factorId: string }> {
  const user = aUser();
  expect(await storage.users.create(user)).toBe('created');
  const factor = aPendingFactor(user.id);
  await storage.factors.insertPending(factor);
  expect(await storage.factors.activate(factor.id, at(1), null)).toBe(true);
  return { userId: user.id, factorId: factor.id };
}

describe('group commit', () => {
  it('answers 50 concurrent uses of one step with one winner, in fewer commits than writes', async () => {
    const { factorId } = await activeFactorId();
    const before = { ...storage.groupCommit.stats };
    const results = await Promise.all(
      Array.from({ length: 50 }, () => storage.factors.recordUsedStep(factorId, 60_000_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const factor = await storage.factors.findById(factorId);
    expect(factor?.kind === 'totp' && factor.details.lastUsedStep).toBe(60_000_000);
    expect(storage.groupCommit.stats.writes - before.writes).toBe(50);
    expect(storage.groupCommit.stats.commits - before.commits).toBeLessThan(50);
  });

  it('counts concurrent failures of one account exactly: each compare-and-set sees the one before', async () => {
    const { userId } = await activeFactorId();
    // Each caller retries its compare-and-set until it wins, as the guard does.
    const fail = async () => {
      for (;;) {
        const state = (await storage.lockouts.find(userId)) ?? {
          userId,
          failedCount: 0,
          lockLevel: 0,
          lockedUntil: null,
          totalFailures: 0,
          version: 0,
        };
        const next = { ...state, failedCount: state.failedCount + 1, version: state.version + 1 };
        if (await storage.lockouts.compareAndSet(state.version, next)) return;
      }
    };
    await Promise.all(Array.from({ length: 20 }, fail));
    expect((await storage.lockouts.find(userId))?.failedCount).toBe(20);
  });

  it('fails a failing write alone; the others of its group are committed', async () => {
    const { factorId } = await activeFactorId();
    const other = await activeFactorId();
    const broken = sql`update no_such_table set x = 1`.compile(storage.db);
    const [good, bad, alsoGood] = await Promise.allSettled([
      storage.factors.recordUsedStep(factorId, 61_000_000),
      storage.groupCommit.execute(broken),
      storage.factors.recordUsedStep(other.factorId, 61_000_000),
    ]);
    expect(good).toEqual({ status: 'fulfilled', value: true });
    expect(bad.status).toBe('rejected');
    expect(alsoGood).toEqual({ status: 'fulfilled', value: true });
    for (const id of [factorId, other.factorId]) {
      const factor = await storage.factors.findById(id);
      expect(factor?.kind === 'totp' && factor.details.lastUsedStep).toBe(61_000_000);
    }
  });

  it('keeps an all-or-nothing write whole: one that loses after its first statement is undone, the rest committed', async () => {
    const winner = await activeFactorId();
    const loser = await activeFactorId();
    const failed = (userId: string) => ({
      userId,
      failedCount: 1,
      lockLevel: 0,
      lockedUntil: null,
      totalFailures: 1,
      version: 1,
    });
    expect(await storage.lockouts.compareAndSet(0, failed(winner.userId))).toBe(true);
    expect(await storage.lockouts.compareAndSet(0, failed(loser.userId))).toBe(true);
    const before = { ...storage.groupCommit.stats };
    const [won, lost, plain] = await Promise.all([
      storage.factors.recordUsedStepClearingFailures(winner.factorId, 62_000_000, {
        userId: winner.userId,
        expectedVersion: 1,
      }),
      // Its step is new, but its lockout row is not at the version it names.
      storage.factors.recordUsedStepClearingFailures(loser.factorId, 62_000_000, {
        userId: loser.userId,
        expectedVersion: 5,
      }),
      storage.factors.recordUsedStep(loser.factorId, 61_999_999),
    ]);
    expect([won, lost, plain]).toEqual(['recorded', 'lockout_changed', true]);
    expect(storage.groupCommit.stats.writes - before.writes).toBe(3);
    const step = async (id: string) => {
      const factor = await storage.factors.findById(id);
      return factor?.kind === 'totp' ? factor.details.lastUsedStep : undefined;
    };
    expect(await step(winner.factorId)).toBe(62_000_000);
    expect(await step(loser.factorId)).toBe(61_999_999);
    expect((await storage.lockouts.find(winner.userId))?.failedCount).toBe(0);
    expect((await storage.lockouts.find(loser.userId))?.failedCount).toBe(1);
  });
});
