/**
 * Property: a client that misuses valid credentials gains little. Codes sent by SMS are limited
 * per account and per client address, not only per number; a double-submitted code does not
 * count toward the lockout, and the failure ceiling stops code checks until an admin unlocks;
 * an API token cannot mint API tokens.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, createSignedInUser, type Harness, json, uniquePhone } from '../support/harness.js';
import { createTotpUser, verifyCode, wrongCode } from '../support/totp-user.js';

let h: Harness;
beforeAll(async () => {
  // A ceiling of 10 keeps the test short; the rule is the same at the default 100.
  h = await createHarness({ lockout: { failureCeiling: 10 } });
});
afterAll(async () => h.close());

describe('hostile client', () => {
  it('six double-submits of valid codes do not lock the owner', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const answers: unknown[] = [];
    for (let i = 0; i < 6; i++) {
      const code = user.codeAt(h.clock.now());
      answers.push(json(await verifyCode(h.app, user.accessToken, code)));
      answers.push(json(await verifyCode(h.app, user.accessToken, code)));
      h.clock.advanceSeconds(30);
    }
    expect(answers).toEqual(
      Array(6)
        .fill([{ valid: true }, { valid: false }])
        .flat(),
    );
    const code = user.codeAt(h.clock.now());
    for (let i = 0; i < 4; i++)
      expect(json(await verifyCode(h.app, user.accessToken, wrongCode(code)))).toEqual({ valid: false });
    expect(json(await verifyCode(h.app, user.accessToken, code))).toEqual({ valid: true });
  });

  it('after the failure ceiling no code is checked until an admin unlocks, which the history records', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const statuses: number[] = [];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5; i++) {
        statuses.push((await verifyCode(h.app, user.accessToken, wrongCode(user.codeAt(h.clock.now())))).statusCode);
      }
      // Past the lock (1, then 2 minutes), within the access token's 15 minutes.
      h.clock.advanceSeconds(121);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 200, 200, 200, 200, 423]);
    // Unlike a lock, the suspension does not pass with time.
    h.clock.advanceSeconds(300);
    const right = await verifyCode(h.app, user.accessToken, user.codeAt(h.clock.now()));
    expect(right.statusCode).toBe(423);
    expect(json(right)).toMatchObject({ error: { code: 'SECOND_FACTOR_SUSPENDED' } });

    const me = json<{ account: { id: string } }>(
      await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(user.accessToken) }),
    ).account;
    const url = `/api/v1/admin/users/${me.id}/2fa/unlock`;
    const byUser = await h.app.inject({ method: 'POST', url, headers: bearer(user.accessToken) });
    expect(byUser.statusCode).toBe(403);
    const admin = await createSignedInUser(h, { role: 'admin' });
    const unlocked = await h.app.inject({ method: 'POST', url, headers: bearer(admin.accessToken) });
    expect(unlocked.statusCode).toBe(204);
    expect(json(await verifyCode(h.app, user.accessToken, user.codeAt(h.clock.now())))).toEqual({ valid: true });
    const history = json<{ items: { action: string; actor: string }[] }>(
      await h.app.inject({
        method: 'GET',
        url: `/api/v1/admin/history?userId=${me.id}`,
        headers: bearer(admin.accessToken),
      }),
    );
    expect(history.items).toContainEqual(expect.objectContaining({ action: 'unlock', actor: 'admin' }));
  });

  it('an API token cannot create API tokens', async () => {
    const user = await createSignedInUser(h);
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/api-tokens',
      headers: bearer(user.accessToken),
      payload: { name: 'deploy' },
    });
    const { token } = json<{ token: string }>(created);
    const minted = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/api-tokens',
      headers: bearer(token),
      payload: { name: 'another' },
    });
    expect(minted.statusCode).toBe(403);
    expect(json(minted)).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('one account may have codes sent to 3 different numbers a day', async () => {
    const user = await createSignedInUser(h);
    const statuses: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await h.app.inject({
        method: 'POST',
        url: '/api/v1/me/2fa/enable',
        headers: bearer(user.accessToken),
        payload: { method: 'sms', phone: uniquePhone() },
        remoteAddress: '203.0.113.50',
      });
      statuses.push(response.statusCode === 201 ? 201 : json(response));
    }
    expect(statuses).toEqual([201, 201, 201, { error: expect.objectContaining({ code: 'SMS_DESTINATION_LIMIT' }) }]);
  });

  it('one client address may have codes sent to 10 different numbers a day, across accounts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const user = await createSignedInUser(h);
      const response = await h.app.inject({
        method: 'POST',
        url: '/api/v1/me/2fa/enable',
        headers: bearer(user.accessToken),
        payload: { method: 'sms', phone: uniquePhone() },
        remoteAddress: '203.0.113.60',
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([...Array(10).fill(201), 429]);
  });
});
