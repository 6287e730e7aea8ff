/**
 * TESSERA_SIGNUP: a server that has not opened sign-up (the default) creates no account for
 * someone not signed in, and says so in the native error shape; the operator still can.
 */
import { loadConfig, SYSTEM_ACTOR } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json } from '../support/harness.js';

let closed: Harness;
beforeAll(async () => {
  closed = await createHarness({ signUp: 'closed' });
});
afterAll(async () => closed.close());

describe('sign-up switch', () => {
  it('is closed unless the environment opens it', () => {
    expect(loadConfig({}).signUp).toBe('closed');
    expect(loadConfig({ TESSERA_SIGNUP: 'open' }).signUp).toBe('open');
    expect(() => loadConfig({ TESSERA_SIGNUP: 'yes' })).toThrow(/TESSERA_SIGNUP/);
  });

  it('refuses POST /users with 403 SIGN_UP_CLOSED and creates nothing', async () => {
    const before = await closed.storage.users.count();
    const response = await closed.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'stranger', password: 'correct horse battery', email: 'stranger@example.test' },
    });
    expect(response.statusCode).toBe(403);
    expect(json(response)).toEqual({ error: { code: 'SIGN_UP_CLOSED', message: expect.any(String) } });
    expect(await closed.storage.users.count()).toBe(before);
    expect(await closed.storage.users.findByUsername('stranger')).toBeUndefined();
  });

  it('is refused the same way whatever the body: a closed server reveals nothing about its accounts', async () => {
    await closed.core.accounts.create(SYSTEM_ACTOR, { username: 'taken', password: 'correct horse battery' });
    const taken = await closed.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'taken', password: 'correct horse battery' },
    });
    const invalid = await closed.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'x', password: 'short' },
    });
    expect(json(taken)).toMatchObject({ error: { code: 'SIGN_UP_CLOSED' } });
    // Schema validation runs first (the request shape is public); the core never sees it.
    expect(invalid.statusCode).toBe(400);
  });

  it('still lets the operator create accounts, which can then sign in', async () => {
    await closed.core.accounts.create(SYSTEM_ACTOR, { username: 'made-by-admin', password: 'correct horse battery' });
    const signIn = await closed.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: 'made-by-admin', password: 'correct horse battery' },
    });
    expect(signIn.statusCode).toBe(200);
  });

  it('refuses a signed-in user who is not an admin', async () => {
    const user = await closed.core.accounts.create(SYSTEM_ACTOR, {
      username: 'plain',
      password: 'correct horse battery',
    });
    const actor = {
      kind: 'user',
      userId: user.id,
      role: 'user',
      authentication: { method: 'password' },
      clientIp: null,
    } as const;
    await expect(
      closed.core.accounts.create(actor, { username: 'friend', password: 'correct horse battery' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
