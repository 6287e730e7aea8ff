import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createHarness,
  createSignedInUser,
  GENEROUS_RATE_LIMITS,
  type Harness,
  json,
} from '../support/harness.js';

/** Each dialect renders the per-address limits in its own shape (the limiter is the server's). */
describe('rate limits through the dialects', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({
      rateLimit: { limits: { ...GENEROUS_RATE_LIMITS, verifyPerMinute: 2, signInPerMinute: 2 } },
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
});
