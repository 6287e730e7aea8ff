import { randomBytes } from 'node:crypto';
import { SYSTEM_ACTOR } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createHarness,
  createSignedInUser,
  enrollTotp,
  GENEROUS_RATE_LIMITS,
  type Harness,
  json,
  uniquePhone,
} from '../support/harness.js';

/** Each dialect renders the per-address limits in its own shape (the limiter is the server's). */
describe('rate limits through the dialects', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({
      rateLimit: { limits: { ...GENEROUS_RATE_LIMITS, verifyPerMinute: 2, signInPerMinute: 2, codeSendsPerHour: 2 } },
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('VPSBG: 429 {message} with Retry-After, X-RateLimit-Limit and X-RateLimit-Remaining', async () => {
    const user = await createSignedInUser(h);
    const { token } = await h.core.apiTokens.issue(user.id, 'vpsbg', 'write');
    const enable = () =>
      h.app.inject({
        method: 'POST',
        url: '/v1/user/2fa',
        headers: bearer(token),
        remoteAddress: '198.51.100.7',
        payload: { otp: 123456, secret_key: 'JBSWY3DPEHPK3PXP' },
      });
    expect((await enable()).statusCode).toBe(422);
    expect((await enable()).statusCode).toBe(422);
    const limited = await enable();
    expect(limited.statusCode).toBe(429);
    expect(json(limited)).toEqual({ message: expect.any(String) });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['x-ratelimit-limit']).toBe('2');
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
  });

  it('Mudbase: 429 RATE_LIMITED with retryAfter in its error shape', async () => {
    const user = await createSignedInUser(h);
    const login = () =>
      h.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: '198.51.100.8',
        payload: { email: user.email, password: 'wrong password' },
      });
    expect((await login()).statusCode).toBe(401);
    expect((await login()).statusCode).toBe(401);
    const limited = await login();
    expect(limited.statusCode).toBe(429);
    expect(json(limited)).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfter: expect.any(Number),
      path: '/api/auth/login',
    });
  });

  /** A signed-in account whose sign-in came from its own address (the sign-in limit here is 2). */
  async function accountSignedInFrom(remoteAddress: string): Promise<string> {
    const username = `user${randomBytes(4).toString('hex')}`;
    const password = 'correct horse battery';
    await h.core.accounts.create(SYSTEM_ACTOR, { username, password, email: `${username}@example.test` });
    const signedIn = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username, password },
      remoteAddress,
    });
    return json<{ accessToken: string }>(signedIn).accessToken;
  }

  it('B2Core: only the requests that send a code are code sends (not type=google), refused as 429 in its shape', async () => {
    const remoteAddress = '198.51.100.9';
    const accessToken = await accountSignedInFrom(remoteAddress);
    await enrollTotp(h.app, accessToken, h.clock.now());
    h.clock.advanceSeconds(30);
    const get = (url: string) => h.app.inject({ url, headers: bearer(accessToken), remoteAddress });
    // One more than the code sends allow: the authenticator is asked, nothing is sent.
    for (let i = 0; i < 3; i++) {
      expect((await get('/api/v2/my/2fa/challenge?type=google')).statusCode).toBe(200);
      expect((await get('/api/v2/my/2fa/google/disable/wizard')).statusCode).toBe(200);
    }
    // The default challenge goes by e-mail: counted (this account has no e-mail factor, so refused).
    for (let i = 0; i < 2; i++) expect((await get('/api/v2/my/2fa/challenge')).statusCode).not.toBe(429);
    const limited = await get('/api/v2/my/2fa/challenge?type=email');
    expect(limited.statusCode).toBe(429);
    expect(json(limited)).toEqual({ code: 429, message: expect.stringContaining('code_sends'), errors: {} });
    expect((await get('/api/v2/my/2fa/challenge?type=google')).statusCode).toBe(200);
  });

  it('B2Core: the phone step of the SMS wizard is a code send, its code step a check', async () => {
    const remoteAddress = '198.51.100.10';
    const accessToken = await accountSignedInFrom(remoteAddress);
    const phoneStep = async () => {
      const wizard = await h.app.inject({
        url: '/api/v2/my/2fa/sms/enable/wizard',
        headers: bearer(accessToken),
        remoteAddress,
      });
      const { uuid } = json<{ uuid: string }>(wizard);
      return h.app.inject({
        method: 'POST',
        url: '/api/v2/my/2fa/wizard',
        headers: bearer(accessToken),
        remoteAddress,
        payload: { uuid, phone: uniquePhone() },
      });
    };
    const first = await phoneStep();
    expect(first.statusCode).toBe(200);
    expect((await phoneStep()).statusCode).toBe(200);
    const limited = await phoneStep();
    expect(limited.statusCode).toBe(429);
    expect(json<{ message: string }>(limited).message).toContain('code_sends');
    // The checks of this address are untouched by the sends: a wrong code is answered, not refused.
    const wrongCode = await h.app.inject({
      method: 'POST',
      url: '/api/v2/my/2fa/wizard',
      headers: bearer(accessToken),
      remoteAddress,
      payload: { uuid: json<{ uuid: string }>(first).uuid, action: 'code', code: '000000' },
    });
    expect(wrongCode.statusCode).not.toBe(429);
    expect(wrongCode.statusCode).toBeGreaterThanOrEqual(400);
  });
});
