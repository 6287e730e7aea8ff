/**
 * A valid TOTP code waits for one commit, not three in turn (reservation, used step, lockout
 * reset), and is answered only after it: the step it used and the reset of the account's failures
 * are one all-or-nothing write of the shared commits (group-commit.ts). A wrong code is still
 * counted by its one compare-and-set before it is answered. Counted with the storage's own
 * commit statistics, on the database the suite runs against.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json } from '../support/harness.js';
import { createTotpUser, verifyCode, wrongCode } from '../support/totp-user.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

/** What the storage wrote and committed while `act` ran, and what `act` returned. */
async function counted<T>(act: () => Promise<T>): Promise<{ result: T; writes: number; commits: number }> {
  const before = { ...h.storage.groupCommit.stats };
  const result = await act();
  const after = h.storage.groupCommit.stats;
  return { result, writes: after.writes - before.writes, commits: after.commits - before.commits };
}

/** A signed-in user with an authenticator, and the account's id. */
async function totpUser() {
  const user = await createTotpUser(h.app, h.clock);
  const factor = await h.storage.factors.findById(user.factorId);
  if (!factor) throw new Error('the enrolled factor is not stored');
  return { ...user, userId: factor.userId };
}

async function lastUsedStep(userId: string): Promise<number | null | undefined> {
  return (await h.storage.factors.findActive(userId, 'totp'))?.details.lastUsedStep;
}

describe('one commit per verification', () => {
  it('a valid code after failures: its step and the reset of the failures in one commit', async () => {
    const user = await totpUser();
    const code = user.codeAt(h.clock.now());
    for (let i = 0; i < 2; i++) {
      const wrong = await counted(() => verifyCode(h.app, user.accessToken, wrongCode(code)));
      expect(json(wrong.result)).toEqual({ valid: false });
      expect({ writes: wrong.writes, commits: wrong.commits }).toEqual({ writes: 1, commits: 1 });
    }
    expect((await h.storage.lockouts.find(user.userId))?.failedCount).toBe(2);

    const valid = await counted(() => verifyCode(h.app, user.accessToken, code));
    expect(json(valid.result)).toEqual({ valid: true });
    expect({ writes: valid.writes, commits: valid.commits }).toEqual({ writes: 1, commits: 1 });
    // Answered after the commit: both writes are there when the answer is.
    expect(await h.storage.lockouts.find(user.userId)).toMatchObject({ failedCount: 0, totalFailures: 0 });
    expect(await lastUsedStep(user.userId)).toBe(Math.floor(h.clock.now().getTime() / 30_000));
  });

  it('a valid code of an account without a lockout row: its step alone, on condition there is still none', async () => {
    const user = await totpUser();
    // Confirming the enrollment wrote one; an imported factor's account has none.
    await h.storage.db.deleteFrom('lockouts').where('user_id', '=', user.userId).execute();
    expect(await h.storage.lockouts.find(user.userId)).toBeUndefined();
    const valid = await counted(() => verifyCode(h.app, user.accessToken, user.codeAt(h.clock.now())));
    expect(json(valid.result)).toEqual({ valid: true });
    expect({ writes: valid.writes, commits: valid.commits }).toEqual({ writes: 1, commits: 1 });
    // Nothing to clear, nothing written there: "still no row" is a condition of the step's UPDATE.
    expect(await h.storage.lockouts.find(user.userId)).toBeUndefined();
    expect(await lastUsedStep(user.userId)).toBe(Math.floor(h.clock.now().getTime() / 30_000));
  });

  it('a valid code of an account with a cleared lockout row: its step alone, the row left as it was', async () => {
    const user = await totpUser();
    const before = await h.storage.lockouts.find(user.userId);
    expect(before).toMatchObject({ failedCount: 0, totalFailures: 0, lockedUntil: null });
    const valid = await counted(() => verifyCode(h.app, user.accessToken, user.codeAt(h.clock.now())));
    expect(json(valid.result)).toEqual({ valid: true });
    expect({ writes: valid.writes, commits: valid.commits }).toEqual({ writes: 1, commits: 1 });
    expect(await h.storage.lockouts.find(user.userId)).toEqual(before);
  });

  // The deterministic case (a right code decided on a row a locking failure changed since) is in
  // packages/core/src/lockout/second-factor-guard.test.ts.
  it('a right code among a burst of wrong ones is decided within the budget, never past the lock', async () => {
    const user = await totpUser();
    const code = user.codeAt(h.clock.now());
    const burst = [...Array.from({ length: 20 }, () => wrongCode(code)), code];
    const answers = await Promise.all(burst.map((c) => verifyCode(h.app, user.accessToken, c)));
    const right = answers[20];
    const wrongRefused = answers.slice(0, 20).filter((r) => r.statusCode === 200).length;
    if (right?.statusCode === 200) {
      // Accepted before the lock (at most four answered wrong before it); its reset lets four
      // more be answered wrong, the fifth locks (429).
      expect(json(right)).toEqual({ valid: true });
      expect(wrongRefused).toBeLessThanOrEqual(8);
    } else {
      // The fifth failure locks and is answered 429, as every attempt after it, the right one too.
      expect(right?.statusCode).toBe(429);
      expect(wrongRefused).toBeLessThanOrEqual(4);
    }
    expect(answers.filter((r) => r.statusCode === 429).length).toBe(
      21 - wrongRefused - (right?.statusCode === 200 ? 1 : 0),
    );
  });

  it('a replayed code writes nothing and counts no failure', async () => {
    const user = await totpUser();
    const code = user.codeAt(h.clock.now());
    expect(json(await verifyCode(h.app, user.accessToken, wrongCode(code)))).toEqual({ valid: false });
    expect(json(await verifyCode(h.app, user.accessToken, code))).toEqual({ valid: true });
    const replay = await counted(() => verifyCode(h.app, user.accessToken, code));
    expect(json(replay.result)).toEqual({ valid: false });
    expect(replay.writes).toBe(0);
    expect((await h.storage.lockouts.find(user.userId))?.failedCount).toBe(0);
  });

  it('a locked account is refused with the right code, and nothing is spent', async () => {
    const user = await totpUser();
    const code = user.codeAt(h.clock.now());
    for (let i = 0; i < 5; i++) await verifyCode(h.app, user.accessToken, wrongCode(code));
    const refused = await verifyCode(h.app, user.accessToken, code);
    expect(refused.statusCode).toBe(429);
    expect(await lastUsedStep(user.userId)).not.toBe(Math.floor(h.clock.now().getTime() / 30_000));
  });
});
