import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness, json, signUpAndSignIn } from '../support/harness.js';

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await createHarness();
  token = (await signUpAndSignIn(h.app)).accessToken;
});
afterAll(async () => h.close());

async function refusal(method: 'GET' | 'POST', url: string, payload?: object): Promise<string> {
  const response = await h.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  expect(response.statusCode).toBe(400);
  const { error } = json<{ error: { code: string; message: string } }>(response);
  expect(error.code).toBe('VALIDATION_FAILED');
  return error.message;
}

describe('a refused request says which field and what it may be', () => {
  it('a value outside a list names the list and what was sent', async () => {
    expect(await refusal('GET', '/api/v1/me/2fa/history?method=foo')).toBe(
      'querystring/method must be one of "totp", "sms", "email", "backup_codes", "webauthn", "policy", ' +
        '"second_factor", "account", "phone" (got "foo").',
    );
    expect(await refusal('GET', '/api/v1/me/2fa/history?order=up')).toBe(
      'querystring/order must be one of "asc", "desc" (got "up").',
    );
    expect(await refusal('POST', '/api/v1/me/2fa/enable', { method: 'fax' })).toMatch(
      /^body\/method must be one of "totp", "sms", .* \(got "fax"\)\.$/,
    );
    expect(await refusal('POST', '/api/v1/me/factors/totp', { digits: 7 })).toBe(
      'body/digits must be one of 6, 8 (got 7).',
    );
  });

  it('an empty body names every required field', async () => {
    expect(await refusal('POST', '/api/v1/auth/sign-in', {})).toBe(
      'body is missing the required fields username, password.',
    );
    expect(await refusal('POST', '/api/v1/auth/sign-in', { username: 'ada' })).toBe(
      'body is missing the required field password.',
    );
  });

  it('a body that may take one of several shapes names the fields of each', async () => {
    const flow = '00000000-0000-4000-8000-000000000000';
    expect(await refusal('POST', `/api/v1/me/2fa/disable/${flow}/confirm`, {})).toBe(
      'body needs one of: code; or successToken; or credential.',
    );
  });
});
