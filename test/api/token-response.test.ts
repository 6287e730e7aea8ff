/*
 * Every route that issues tokens answers the same fields with the same types (TokenResponse):
 * a client reads tokens one way whether they came from a password-only sign-in, the
 * second-factor step or a refresh. Runs on SQLite and, with TESSERA_TEST_DATABASE_URL, PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, enrollTotp, type Harness, json } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

const TOKEN_FIELDS = ['accessToken', 'expiresIn', 'refreshToken', 'tokenType'];

/** The body's keys, each with the JSON type of its value. */
function shape(body: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, typeof value]));
}

async function post(url: string, payload: object) {
  return h.app.inject({ method: 'POST', url: `/api/v1${url}`, payload });
}

describe('one token response', () => {
  it('sign-in without a second factor, the second-factor step and refresh answer the same token fields', async () => {
    const credentials = { username: 'tokens-alice', password: 'correct horse battery' };
    expect((await post('/users', credentials)).statusCode).toBe(201);

    const signedIn = await post('/auth/sign-in', credentials);
    expect(signedIn.statusCode).toBe(200);
    const signedInBody = json(signedIn);
    expect(signedInBody.status).toBe('signed_in');
    const { status: _status, ...signedInTokens } = signedInBody;
    expect(Object.keys(signedInTokens).sort()).toEqual(TOKEN_FIELDS);
    // The former nested shape is gone, not offered beside the flat one.
    expect(signedInBody).not.toHaveProperty('tokens');

    const refreshed = await post('/auth/refresh', { refreshToken: signedInTokens.refreshToken });
    expect(refreshed.statusCode).toBe(200);
    expect(shape(json(refreshed))).toEqual(shape(signedInTokens));

    const totp = await enrollTotp(h.app, String(signedInTokens.accessToken), h.clock.now());
    h.clock.advanceSeconds(30);
    const started = json<{ status: string; flowId: string; state: string }>(await post('/auth/sign-in', credentials));
    expect(started).toMatchObject({ status: 'second_factor_required', state: 'awaiting_code' });
    const finished = await post(`/auth/sign-in/${started.flowId}/second-factor`, { code: totp.codeAt(h.clock.now()) });
    expect(finished.statusCode).toBe(200);
    expect(shape(json(finished))).toEqual(shape(signedInTokens));
    expect(json(finished).tokenType).toBe('Bearer');
    expect(json(finished).expiresIn).toBe(signedInTokens.expiresIn);
  });
});
