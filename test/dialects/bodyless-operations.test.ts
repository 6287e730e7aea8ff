import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, createSignedInUser, type Harness, type SignedInUser } from '../support/harness.js';

/**
 * Operations that take no body, as clients really send them: generated SDKs declare a
 * Content-Type on an empty body (typescript-axios: `application/x-www-form-urlencoded` or
 * `application/json` with `Content-Length: 0`), scripts send `text/plain`. Whatever the declared
 * type, a zero-length body is no body: each dialect's bodyless operations, and the native API's,
 * answer as they do without a Content-Type (http/empty-body.ts).
 */
describe('bodyless operations with every declared content type and a zero-length body', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const CONTENT_TYPES = [
    undefined,
    'application/json',
    'application/json; charset=utf-8',
    'application/x-www-form-urlencoded',
    'text/plain',
    'application/octet-stream',
  ];

  const basic = (user: SignedInUser) => ({
    authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`,
  });

  interface Operation {
    dialect: string;
    method: 'GET' | 'POST' | 'DELETE';
    url: string;
    headers: (user: SignedInUser) => Record<string, string>;
    status: number;
  }

  const jwt = (user: SignedInUser) => bearer(user.accessToken);
  const OPERATIONS: Operation[] = [
    { dialect: 'mudbase', method: 'POST', url: '/api/users/2fa/setup', headers: jwt, status: 200 },
    { dialect: 'vpsbg', method: 'GET', url: '/v1/user/2fa', headers: jwt, status: 200 },
    { dialect: 'whm', method: 'POST', url: '/json-api/twofactorauth_generate_tfa_config', headers: basic, status: 200 },
    { dialect: 'whm', method: 'POST', url: '/json-api/twofactorauth_get_issuer', headers: basic, status: 200 },
    { dialect: 'whm', method: 'GET', url: '/json-api/twofactorauth_get_issuer', headers: basic, status: 200 },
    {
      dialect: 'uapi',
      method: 'POST',
      url: '/execute/TwoFactorAuth/generate_user_configuration',
      headers: basic,
      status: 200,
    },
    {
      dialect: 'uapi',
      method: 'POST',
      url: '/execute/TwoFactorAuth/get_user_configuration',
      headers: basic,
      status: 200,
    },
    { dialect: 'b2core', method: 'GET', url: '/api/v2/my/2fa', headers: jwt, status: 200 },
    { dialect: 'b2core', method: 'GET', url: '/api/v2/my/2fa/google/enable/wizard', headers: jwt, status: 200 },
    { dialect: 'b2core', method: 'GET', url: '/api/v2/my/2fa/changes', headers: jwt, status: 200 },
    { dialect: 'native', method: 'POST', url: '/api/v1/me/factors/totp', headers: jwt, status: 201 },
    {
      dialect: 'native',
      method: 'DELETE',
      url: '/api/v1/me/devices/00000000-0000-4000-8000-000000000000',
      headers: jwt,
      status: 404,
    },
  ];

  for (const operation of OPERATIONS) {
    it(`${operation.dialect}: ${operation.method} ${operation.url} answers ${operation.status} whatever the declared type`, async () => {
      const user = await createSignedInUser(h);
      for (const contentType of CONTENT_TYPES) {
        const response = await h.app.inject({
          method: operation.method,
          url: operation.url,
          headers: {
            ...operation.headers(user),
            'content-length': '0',
            ...(contentType === undefined ? {} : { 'content-type': contentType }),
          },
          payload: '',
        });
        expect(response.statusCode, `${contentType}: ${response.body}`).toBe(operation.status);
      }
    });
  }

  it('an operation that needs a body still refuses an empty one, in its own shape (400, never 415 or 500)', async () => {
    const user = await createSignedInUser(h);
    for (const contentType of CONTENT_TYPES) {
      const headers = { ...jwt(user), 'content-length': '0', ...(contentType ? { 'content-type': contentType } : {}) };
      const native = await h.app.inject({ method: 'POST', url: '/api/v1/me/verify', headers, payload: '' });
      expect(native.statusCode, String(contentType)).toBe(400);
      expect(native.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      const mudbase = await h.app.inject({ method: 'POST', url: '/api/users/2fa/verify', headers, payload: '' });
      expect(mudbase.statusCode, String(contentType)).toBe(400);
      expect(mudbase.json()).toMatchObject({ code: 'VALIDATION_ERROR' });
    }
  });

  it('a body that is not empty is still parsed by its declared type: text is refused (415)', async () => {
    const user = await createSignedInUser(h);
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/users/2fa/setup',
      headers: { ...jwt(user), 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(response.statusCode).toBe(415);
  });
});
