import { SYSTEM_ACTOR } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, createSignedInUser, enrollTotp, type Harness, json } from '../support/harness.js';

/**
 * "2FA required" must not be side-stepped by an API token made during the grace period with a
 * password alone: once the policy is in force, such a token is refused as its session is.
 * Server-to-server tokens (made by the operator, or by a session that passed a second factor)
 * keep working.
 */
const DAY_SECONDS = 86_400;
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

async function call(method: 'GET' | 'POST', path: string, token: string, payload?: object) {
  return h.app.inject({ method, url: `/api/v1${path}`, headers: bearer(token), ...(payload ? { payload } : {}) });
}

async function makeToken(accessOrToken: string, name: string): Promise<string> {
  const made = await call('POST', '/me/api-tokens', accessOrToken, { name });
  expect(made.statusCode, made.body).toBe(201);
  return json<{ token: string }>(made).token;
}

async function signInWithCode(username: string, password: string, code: string): Promise<string> {
  const started = await h.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password } });
  const { flowId } = json<{ flowId: string }>(started);
  const finished = await h.app.inject({
    method: 'POST',
    url: `/api/v1/auth/sign-in/${flowId}/second-factor`,
    payload: { code },
  });
  expect(finished.statusCode, finished.body).toBe(200);
  return json<{ accessToken: string }>(finished).accessToken;
}

describe('API tokens and the 2FA-required policy', () => {
  it('a token born of a password alone falls under the policy; operator and second-factor tokens keep working', async () => {
    // A password-only account makes a token during the grace period.
    const mallory = await createSignedInUser(h);
    const passwordToken = await makeToken(mallory.accessToken, 'during grace');

    // A second-factor session's token, whose account later loses its factor.
    const bob = await createSignedInUser(h);
    const bobTotp = await enrollTotp(h.app, bob.accessToken, h.clock.now());
    h.clock.advanceSeconds(30);
    const bobSession = await signInWithCode(bob.username, bob.password, bobTotp.codeAt(h.clock.now()));
    const secondFactorToken = await makeToken(bobSession, 'server-to-server');

    // An operator-made token for an account without a factor.
    const carol = await createSignedInUser(h);
    const operatorToken = (await h.core.apiTokens.issue(carol.id, 'cli', 'write')).token;

    await h.core.policy.update(SYSTEM_ACTOR, { required: true, gracePeriodDays: 7 });
    for (const token of [passwordToken, secondFactorToken, operatorToken]) {
      expect((await call('GET', '/me/api-tokens', token)).statusCode).toBe(200);
    }

    h.clock.advanceSeconds(8 * DAY_SECONDS);
    await h.core.admin.resetTwoFactor(SYSTEM_ACTOR, bob.id);

    // The token a password alone made is refused, as that session would be
    // (test/api/admin-policy-history.test.ts covers the sessions).
    const refused = await call('GET', '/me/api-tokens', passwordToken);
    expect(refused.statusCode).toBe(403);
    expect(json(refused)).toMatchObject({ error: { code: 'TWO_FACTOR_REQUIRED' } });
    expect(json(await call('GET', '/me/2fa/history', passwordToken))).toMatchObject({
      error: { code: 'TWO_FACTOR_REQUIRED' },
    });

    // Server-to-server tokens are not people signing in.
    expect((await call('GET', '/me/api-tokens', secondFactorToken)).statusCode).toBe(200);
    expect((await call('GET', '/me/api-tokens', operatorToken)).statusCode).toBe(200);
  });
});
