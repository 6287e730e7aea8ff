/**
 * Property: logs never contain a secret, a code, a password or a token, whatever the request
 * did (success, failure, bad input, crash paths).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness, json } from '../support/harness.js';
import { createTotpUser, verifyCode, wrongCode } from '../support/totp-user.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

describe('logs hold no secrets', () => {
  it('after a full session of successes and failures', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const secrets: string[] = [user.password, user.secret, user.accessToken];
    const code = user.codeAt(h.clock.now());
    secrets.push(code, wrongCode(code));
    await verifyCode(h.app, user.accessToken, code);
    await verifyCode(h.app, user.accessToken, code);
    await verifyCode(h.app, user.accessToken, wrongCode(code));

    const token = json<{ token: string }>(
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/me/api-tokens',
        headers: bearer(user.accessToken),
        payload: { name: 'logs' },
      }),
    ).token;
    secrets.push(token);
    await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
    await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(`${token}x`) });

    const signIn = json<{ flowId: string }>(
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { username: user.username, password: user.password },
      }),
    );
    h.clock.advanceSeconds(30);
    const next = user.codeAt(h.clock.now());
    secrets.push(next);
    const tokens = json<{ accessToken: string; refreshToken: string }>(
      await h.app.inject({
        method: 'POST',
        url: `/api/v1/auth/sign-in/${signIn.flowId}/second-factor`,
        payload: { code: next },
      }),
    );
    secrets.push(tokens.accessToken, tokens.refreshToken);
    await h.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } });
    await h.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } });
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: user.username, password: `${user.password}!` },
    });
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { 'content-type': 'application/json' },
      payload: `{"username":"x","password":"${user.password}"`,
    });

    // The log is not empty: requests and the replay warning were recorded.
    expect(h.log.lines.length).toBeGreaterThan(20);
    expect(h.log.text).toContain('replayed code refused');
    for (const secret of secrets) expect(h.log.text, 'a secret reached the log').not.toContain(secret);
  });
});
