/**
 * Property: failed second-factor attempts are limited per account. After 5 consecutive
 * failures the account's second factor is locked (1 min, doubling, capped at 1 h); the lock
 * is shared by every entry point, survives a restart, and a success resets the count.
 */

import { openStorage } from '@tessera/storage-kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, createSignedInUser, type Harness, json } from '../support/harness.js';
import { createTotpUser, verifyCode, wrongCode } from '../support/totp-user.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

async function failTimes(harness: Harness, accessToken: string, code: string, times: number) {
  const responses = [];
  for (let i = 0; i < times; i++) responses.push(await verifyCode(harness.app, accessToken, wrongCode(code)));
  return responses;
}

describe('second-factor lockout', () => {
  it('locks on the fifth failure, says until when, and refuses even the right code meanwhile', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const code = user.codeAt(h.clock.now());
    const first4 = await failTimes(h, user.accessToken, code, 4);
    expect(first4.map((r) => json(r))).toEqual(Array(4).fill({ valid: false }));

    const fifth = await verifyCode(h.app, user.accessToken, wrongCode(code));
    expect(fifth.statusCode).toBe(429);
    const lockedUntil = new Date(h.clock.now().getTime() + 60_000).toISOString();
    expect(json(fifth)).toEqual({
      error: { code: 'SECOND_FACTOR_LOCKED', message: expect.stringContaining(lockedUntil), lockedUntil },
    });
    expect(fifth.headers['retry-after']).toBeDefined();

    const right = await verifyCode(h.app, user.accessToken, code);
    expect(right.statusCode).toBe(429);

    h.clock.advanceSeconds(61);
    expect(json(await verifyCode(h.app, user.accessToken, user.codeAt(h.clock.now())))).toEqual({ valid: true });
  });

  it('the second lock lasts twice as long; a success resets the count', async () => {
    const user = await createTotpUser(h.app, h.clock);
    await failTimes(h, user.accessToken, user.codeAt(h.clock.now()), 5);
    h.clock.advanceSeconds(61);
    const again = await failTimes(h, user.accessToken, user.codeAt(h.clock.now()), 5);
    expect(json(again[4] ?? again[0]!)).toMatchObject({
      error: { lockedUntil: new Date(h.clock.now().getTime() + 120_000).toISOString() },
    });

    h.clock.advanceSeconds(121);
    const other = await createTotpUser(h.app, h.clock);
    await failTimes(h, other.accessToken, other.codeAt(h.clock.now()), 4);
    expect(json(await verifyCode(h.app, other.accessToken, other.codeAt(h.clock.now())))).toEqual({ valid: true });
    const afterReset = await failTimes(h, other.accessToken, other.codeAt(h.clock.now()), 4);
    expect(afterReset.every((r) => r.statusCode === 200)).toBe(true);
  });

  it('one budget for sign-in, self-verify and server-to-server verify', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const code = user.codeAt(h.clock.now());
    await failTimes(h, user.accessToken, code, 2);
    const flow = json<{ flowId: string }>(
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { username: user.username, password: user.password },
      }),
    );
    for (let i = 0; i < 2; i++) {
      const r = await h.app.inject({
        method: 'POST',
        url: `/api/v1/auth/sign-in/${flow.flowId}/second-factor`,
        payload: { code: wrongCode(code) },
      });
      expect(r.statusCode).toBe(422);
    }
    const admin = await createSignedInUser(h, { role: 'admin' });
    const { token } = await h.core.apiTokens.issue(admin.id, 'platform', 'write');
    const fifth = await h.app.inject({
      method: 'POST',
      url: '/api/v1/verify',
      headers: bearer(token),
      payload: { username: user.username, code: wrongCode(code) },
    });
    expect(json(fifth)).toMatchObject({ error: { code: 'SECOND_FACTOR_LOCKED' } });
  });

  it('twenty simultaneous wrong guesses are checked at most five times', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const code = user.codeAt(h.clock.now());
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => verifyCode(h.app, user.accessToken, wrongCode(code))),
    );
    // Four plain failures, then the fifth locks: everything else meets the lock unchecked.
    expect(responses.filter((r) => r.statusCode === 200).length).toBeLessThanOrEqual(4);
    expect(responses.filter((r) => r.statusCode === 429).length).toBeGreaterThanOrEqual(16);
  });

  it('the lock survives a restart of the server and its database connection', async () => {
    const first = await createHarness();
    const user = await createTotpUser(first.app, first.clock);
    await failTimes(first, user.accessToken, user.codeAt(first.clock.now()), 5);
    await first.app.close();
    await first.storage.close();

    // A new process would open the same database afresh: nothing is remembered in memory.
    const { location } = first.storage;
    const reopened = Object.assign(await openStorage({ dataDir: '', ...location }), {
      location,
      dispose: () => first.storage.dispose(),
    });
    const restarted = await createHarness({ storage: reopened, secretKey: first.secretKey, clock: first.clock });
    try {
      const response = await verifyCode(restarted.app, user.accessToken, user.codeAt(first.clock.now()));
      expect(response.statusCode).toBe(429);
      expect(json(response)).toMatchObject({ error: { code: 'SECOND_FACTOR_LOCKED' } });
    } finally {
      await restarted.close();
      await reopened.dispose();
    }
  });
});
