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

  it('a valid code with no failures to clear writes its step alone, and leaves the lockout row be', async () => {
    const user = await totpUser();
    const before = await h.storage.lockouts.find(user.userId);
    const valid = await counted(() => verifyCode(h.app, user.accessToken, user.codeAt(h.clock.now())));
    expect(json(valid.result)).toEqual({ valid: true });
    expect({ writes: valid.writes, commits: valid.commits }).toEqual({ writes: 1, commits: 1 });
    expect(await h.storage.lockouts.find(user.userId)).toEqual(before);
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
