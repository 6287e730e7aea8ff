import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousActor, SYSTEM_ACTOR } from '../auth/actor.js';
import { sessionClientOf } from '../sessions/session-service.js';
import { type CoreUnderTest, coreUnderTest } from '../test-support/core-under-test.js';

// The core is wired without a sign-up setting here, as a deployment that never set TESSERA_SIGNUP.
let t: CoreUnderTest;
beforeAll(async () => {
  t = await coreUnderTest();
});
afterAll(async () => t.close());

describe('sign-up when the setting is left out', () => {
  it('is closed: someone not signed in creates nothing, the operator still can', async () => {
    const before = await t.storage.users.count();
    await expect(
      t.core.accounts.create(anonymousActor('192.0.2.1'), { username: 'walk-in', password: 'correct horse battery' }),
    ).rejects.toMatchObject({ code: 'SIGN_UP_CLOSED' });
    expect(await t.storage.users.count()).toBe(before);
    const made = await t.core.accounts.create(SYSTEM_ACTOR, { username: 'walk-in', password: 'correct horse battery' });
    expect(made.username).toBe('walk-in');
  });

  it('a signed-in user who is not an admin cannot make accounts for others', async () => {
    const user = await t.newUser();
    await expect(
      t.core.accounts.create(user, { username: 'friend-of-user', password: 'correct horse battery' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const admin = await t.newUser({ role: 'admin' });
    await expect(
      t.core.accounts.create(admin, { username: 'made-by-admin', password: 'correct horse battery' }),
    ).resolves.toMatchObject({ username: 'made-by-admin' });
  });
});

describe('the client kept with a session', () => {
  it('is the address and, for someone signing in, the user agent, cut to a bounded length', () => {
    expect(sessionClientOf(anonymousActor('192.0.2.1', 'x'.repeat(1_000)))).toEqual({
      clientIp: '192.0.2.1',
      userAgent: 'x'.repeat(256),
    });
    expect(sessionClientOf(anonymousActor(null))).toEqual({ clientIp: null, userAgent: null });
    expect(sessionClientOf(SYSTEM_ACTOR)).toEqual({ clientIp: null, userAgent: null });
  });
});
