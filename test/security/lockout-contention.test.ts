/**
 * Contention is not a lockout: a burst of 1,200 verifications for 10 users at once (80 copies
 * of each user's code and 40 wrong codes each), with the lockout limit and the failure ceiling
 * out of reach, is answered with no lock at all; every wrong code is counted, every replay is
 * given back, and each code is still accepted once. Before, the lockout's compare-and-set gave
 * up after 100 lost tries and answered 429 SECOND_FACTOR_LOCKED with no lock in place.
 *
 * Runs on SQLite, and on PostgreSQL in the PostgreSQL pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json } from '../support/harness.js';
import { createTotpUser, type TotpUser, verifyCode, wrongCode } from '../support/totp-user.js';

const USERS = 10;
const COPIES = 80;
const WRONG = 40;
/** 1,200 requests through the whole server: generous, for a busy machine. */
const BURST_TIMEOUT_MS = 120_000;

let h: Harness;
let users: TotpUser[];
beforeAll(async () => {
  h = await createHarness({ lockout: { maxFailures: 100_000, failureCeiling: 1_000_000 } });
  users = [];
  for (let i = 0; i < USERS; i++) users.push(await createTotpUser(h.app, h.clock));
});
afterAll(async () => h.close());

/** Every user's burst at once, shuffled together; the answers by user. */
async function burst(codeOf: (user: TotpUser) => string) {
  const calls = users.flatMap((user, index) => [
    ...Array.from({ length: COPIES }, () => ({ index, code: codeOf(user), right: true })),
    ...Array.from({ length: WRONG }, () => ({ index, code: wrongCode(codeOf(user)), right: false })),
  ]);
  calls.sort(() => Math.random() - 0.5);
  const responses = await Promise.all(
    calls.map(async (call) => {
      const user = users[call.index] as TotpUser;
      return { ...call, response: await verifyCode(h.app, user.accessToken, call.code) };
    }),
  );
  expect(responses).toHaveLength(USERS * (COPIES + WRONG));
  const locked = responses.filter(({ response }) => response.statusCode === 429);
  expect(locked.map(({ response }) => response.body).slice(0, 3)).toEqual([]);
  for (const { response } of responses) expect(response.statusCode, response.body).toBe(200);
  return users.map((_, index) => {
    const mine = responses.filter((r) => r.index === index);
    const valid = (r: (typeof mine)[number]) => json<{ valid: boolean }>(r.response).valid;
    return {
      accepted: mine.filter((r) => r.right && valid(r)).length,
      wrongAccepted: mine.filter((r) => !r.right && valid(r)).length,
    };
  });
}

describe('a burst of verifications is decided and counted, never a false lock', () => {
  it(
    '80 replays of a spent code and 40 wrong codes per user: 40 failures counted each, replays given back',
    async () => {
      const spent = users.map((user) => user.codeAt(h.clock.now()));
      for (const [i, user] of users.entries()) {
        expect(json(await verifyCode(h.app, user.accessToken, spent[i] as string))).toEqual({ valid: true });
      }
      const outcome = await burst((user) => spent[users.indexOf(user)] as string);
      expect(outcome.every(({ accepted, wrongAccepted }) => accepted === 0 && wrongAccepted === 0)).toBe(true);
      for (const user of users) {
        const account = await h.storage.users.findByUsername(user.username);
        expect(await h.storage.lockouts.find(account?.id ?? '')).toMatchObject({
          failedCount: WRONG,
          totalFailures: WRONG,
          lockedUntil: null,
        });
      }
    },
    BURST_TIMEOUT_MS,
  );

  it(
    "80 copies of each user's current code and 40 wrong codes: each code accepted exactly once",
    async () => {
      h.clock.advanceSeconds(30);
      const outcome = await burst((user) => user.codeAt(h.clock.now()));
      expect(outcome).toEqual(users.map(() => ({ accepted: 1, wrongAccepted: 0 })));
      for (const user of users) {
        const account = await h.storage.users.findByUsername(user.username);
        const lockout = await h.storage.lockouts.find(account?.id ?? '');
        // The success reset the count; only wrong codes after it remain, and no lock.
        expect(lockout?.lockedUntil).toBeNull();
        expect(lockout?.failedCount).toBeLessThanOrEqual(WRONG);
      }
    },
    BURST_TIMEOUT_MS,
  );
});
