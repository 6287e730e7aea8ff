import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type UserActor } from '../auth/actor.js';
import { TesseraError } from '../errors/tessera-error.js';
import { codeProof, type Match } from '../methods/second-factor-method.js';
import type { LockoutRepository } from '../storage/repositories.js';
import { type CoreUnderTest, coreUnderTest, totpCode } from '../test-support/core-under-test.js';
import { SecondFactorGuard } from './second-factor-guard.js';

async function outcome(promise: Promise<{ ok: boolean }>): Promise<string> {
  try {
    return (await promise).ok ? 'valid' : 'invalid';
  } catch (error) {
    if (error instanceof TesseraError) return error.code;
    throw error;
  }
}

function wrong(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

describe('SecondFactorGuard', () => {
  let t: CoreUnderTest;
  beforeAll(async () => {
    // A small ceiling keeps the test short; the rule is the same at the default 100.
    t = await coreUnderTest({
      lockout: { maxFailures: 5, baseLockSeconds: 60, maxLockSeconds: 3600, failureCeiling: 15 },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  async function totpUser(): Promise<UserActor & { secret: string }> {
    const user = await t.newUser();
    const started = await t.core.enable.start(user, { method: 'totp' });
    const secret = started.totp?.secret ?? '';
    await t.core.enable.confirm(user, started.flowId, codeProof(totpCode(secret, t.clock.now())));
    t.clock.advanceSeconds(30);
    return { ...user, secret };
  }

  it('does not count a replayed valid code as a failure: six double-submits do not lock', async () => {
    const user = await totpUser();
    const results: string[] = [];
    for (let i = 0; i < 6; i++) {
      const code = totpCode(user.secret, t.clock.now());
      results.push(await outcome(t.core.factors.verify(user, code)));
      results.push(await outcome(t.core.factors.verify(user, code)));
      t.clock.advanceSeconds(30);
    }
    expect(results).toEqual(Array(6).fill(['valid', 'invalid']).flat());
    expect(await t.storage.lockouts.find(user.userId)).toMatchObject({ failedCount: 0, lockedUntil: null });
    // Four real failures after them still leave the account open: the replays used up nothing.
    for (let i = 0; i < 4; i++) {
      expect(await outcome(t.core.factors.verify(user, wrong(totpCode(user.secret, t.clock.now()))))).toBe('invalid');
    }
    expect(await outcome(t.core.factors.verify(user, totpCode(user.secret, t.clock.now())))).toBe('valid');
  });

  it('a replay that would have been the fifth failure does not lock', async () => {
    const user = await totpUser();
    const code = totpCode(user.secret, t.clock.now());
    expect(await outcome(t.core.factors.verify(user, code))).toBe('valid');
    for (let i = 0; i < 4; i++) expect(await outcome(t.core.factors.verify(user, wrong(code)))).toBe('invalid');
    expect(await outcome(t.core.factors.verify(user, code))).toBe('invalid');
    expect(await t.storage.lockouts.find(user.userId)).toMatchObject({ failedCount: 4, lockedUntil: null });
    // A real fifth failure still locks.
    expect(await outcome(t.core.factors.verify(user, wrong(code)))).toBe('SECOND_FACTOR_LOCKED');
  });

  it('stops checking codes at the failure ceiling, tells the owner, until an admin unlocks', async () => {
    const user = await totpUser();
    const results: string[] = [];
    // Three rounds of five failures, each ending in a lock that the clock then outlasts.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5; i++) {
        results.push(await outcome(t.core.factors.verify(user, wrong(totpCode(user.secret, t.clock.now())))));
      }
      t.clock.advanceSeconds(3600);
    }
    expect(results.slice(0, 4)).toEqual(Array(4).fill('invalid'));
    expect(results[4]).toBe('SECOND_FACTOR_LOCKED');
    expect(results[14]).toBe('SECOND_FACTOR_SUSPENDED');
    // No time lifts it, and even the right code is not checked.
    t.clock.advanceSeconds(7 * 86_400);
    expect(await outcome(t.core.factors.verify(user, totpCode(user.secret, t.clock.now())))).toBe(
      'SECOND_FACTOR_SUSPENDED',
    );
    await t.core.notifications.settle();
    expect(t.delivery.emailsSent.some((m) => m.subject.includes('second factor suspended'))).toBe(true);

    // Only an admin: a user cannot unlock themself.
    expect(await outcome(t.core.admin.unlockSecondFactor(user, user.userId).then(() => ({ ok: true })))).toBe(
      'FORBIDDEN',
    );
    await t.core.admin.unlockSecondFactor(SYSTEM_ACTOR, user.userId);
    expect(await outcome(t.core.factors.verify(user, totpCode(user.secret, t.clock.now())))).toBe('valid');
    const history = await t.core.history.listAll(SYSTEM_ACTOR, { userId: user.userId, limit: 50 });
    expect(history.items.map((entry) => entry.action)).toContain('unlock');
    await t.core.notifications.settle();
    expect(t.delivery.emailsSent.some((m) => m.subject.includes('second factor unlocked'))).toBe(true);
  });

  it('starts from a lockout row read with the factor; one changed since costs a read and a retry, not a wrong count', async () => {
    const user = await t.newUser();
    let reads = 0;
    const counted: LockoutRepository = {
      find: (userId) => {
        reads++;
        return t.storage.lockouts.find(userId);
      },
      compareAndSet: (version, next) => t.storage.lockouts.compareAndSet(version, next),
      reset: (userId) => t.storage.lockouts.reset(userId),
      updateSerialized: (userId, decide) => t.storage.lockouts.updateSerialized(userId, decide),
    };
    const guard = new SecondFactorGuard(
      counted,
      { maxFailures: 5, baseLockSeconds: 60, maxLockSeconds: 3600, failureCeiling: 15 },
      t.clock,
    );
    const fail = async () => ({ ok: false, reason: 'invalid' });

    // Read with the factor: no row yet. The first failure inserts it without reading.
    await guard.attempt(user.userId, fail, undefined, { state: undefined });
    expect(reads).toBe(0);
    expect(await t.storage.lockouts.find(user.userId)).toMatchObject({ failedCount: 1, version: 1 });

    // The same "no row" again is stale now: the insert loses, the guard reads, and counts on top.
    await guard.attempt(user.userId, fail, undefined, { state: undefined });
    expect(reads).toBe(1);
    const current = await t.storage.lockouts.find(user.userId);
    expect(current).toMatchObject({ failedCount: 2, version: 2 });

    // A current row: no read.
    await guard.attempt(user.userId, fail, undefined, { state: current });
    expect(reads).toBe(1);
    expect(await t.storage.lockouts.find(user.userId)).toMatchObject({ failedCount: 3, totalFailures: 3 });
  });

  it('accepts a matched code in one write; one decided on a row a locking failure has changed since is refused, and nothing spent', async () => {
    const user = await totpUser();
    const guard = new SecondFactorGuard(
      t.storage.lockouts,
      { maxFailures: 5, baseLockSeconds: 60, maxLockSeconds: 3600, failureCeiling: 15 },
      t.clock,
    );
    const found = await t.storage.factors.findActiveToCheck(user.userId, 'totp');
    if (!found) throw new Error('no active factor');
    const step = Math.floor(t.clock.now().getTime() / 30_000);
    const match = (usedStep: number): Match => ({
      ok: true,
      usedStep,
      spend: (clearFailures) =>
        t.storage.factors.recordUsedStepClearingFailures(found.factor.id, usedStep, clearFailures),
    });
    // Read before the other requests' failures: stale once they are committed.
    const staleRead = { state: found.lockout };
    for (let i = 0; i < 5; i++) {
      expect(await outcome(t.core.factors.verify(user, wrong(totpCode(user.secret, t.clock.now()))))).not.toBe('valid');
    }
    await expect(guard.attemptMatched(user.userId, match(step), undefined, staleRead)).rejects.toMatchObject({
      code: 'SECOND_FACTOR_LOCKED',
    });
    const spent = await t.storage.factors.findById(found.factor.id);
    expect(spent?.kind === 'totp' && spent.details.lastUsedStep).not.toBe(step);

    // After the lock: accepted, its step and the reset of the failures together.
    t.clock.advanceSeconds(120);
    const later = Math.floor(t.clock.now().getTime() / 30_000);
    const locked = await t.storage.lockouts.find(user.userId);
    expect(await guard.attemptMatched(user.userId, match(later), undefined, { state: locked })).toEqual({
      ok: true,
      usedStep: later,
    });
    expect(await t.storage.lockouts.find(user.userId)).toMatchObject({ failedCount: 0, totalFailures: 0 });
    const used = await t.storage.factors.findById(found.factor.id);
    expect(used?.kind === 'totp' && used.details.lastUsedStep).toBe(later);
  });

  it('an admin unlock of an unknown user is USER_NOT_FOUND', async () => {
    await expect(t.core.admin.unlockSecondFactor(SYSTEM_ACTOR, crypto.randomUUID())).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
  });
});
