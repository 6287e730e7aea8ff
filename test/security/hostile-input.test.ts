/**
 * Inputs that used to end in a 500: a NUL character in a string (PostgreSQL refuses to store
 * one and fails the query), a leap second in a date-time (a JavaScript Date cannot hold one), a
 * paging offset past PostgreSQL's bigint. Each is now a 400 in the error shape that writes
 * nothing. Runs on the suite's database; the PostgreSQL pass is the one that used to fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createHarness,
  createSignedInUser,
  type Harness,
  json,
  type SignedInUser,
} from '../support/harness.js';

let h: Harness;
let admin: SignedInUser;
let user: SignedInUser;

beforeAll(async () => {
  h = await createHarness();
  admin = await createSignedInUser(h, { role: 'admin' });
  user = await createSignedInUser(h);
});
afterAll(async () => h.close());

type ErrorResponse = { error: { code: string; message: string } };

async function counts() {
  const db = h.storage.db;
  const count = async (table: 'users' | 'api_tokens' | 'flows' | 'history' | 'settings') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    users: await count('users'),
    apiTokens: await count('api_tokens'),
    flows: await count('flows'),
    history: await count('history'),
    settings: await count('settings'),
  };
}

type Caller = 'anonymous' | 'user' | 'admin';
type NulCase = [field: string, method: 'POST' | 'PUT', url: string, caller: Caller, body: () => object];

const NUL = '\u0000';

const nulCases: NulCase[] = [
  [
    'sign-up username',
    'POST',
    '/api/v1/users',
    'anonymous',
    () => ({ username: `ann${NUL}`, password: 'long enough pw' }),
  ],
  [
    'sign-up e-mail',
    'POST',
    '/api/v1/users',
    'anonymous',
    () => ({ username: 'nul-mail', password: 'long enough pw', email: `a${NUL}@example.test` }),
  ],
  [
    'sign-up password',
    'POST',
    '/api/v1/users',
    'anonymous',
    () => ({ username: 'nul-pw', password: `long${NUL}enough` }),
  ],
  [
    'sign-in username',
    'POST',
    '/api/v1/auth/sign-in',
    'anonymous',
    () => ({ username: `${user.username}${NUL}`, password: user.password }),
  ],
  [
    'sign-in device token',
    'POST',
    '/api/v1/auth/sign-in',
    'anonymous',
    () => ({ username: user.username, password: user.password, deviceToken: `tsd_${NUL}` }),
  ],
  ['recovery login', 'POST', '/api/v1/auth/recovery', 'anonymous', () => ({ login: `${user.username}${NUL}` })],
  ['refresh token', 'POST', '/api/v1/auth/refresh', 'anonymous', () => ({ refreshToken: `tsr_${NUL}` })],
  [
    'password reset success token',
    'POST',
    '/api/v1/auth/password-reset',
    'anonymous',
    () => ({ successToken: `tss_${NUL}`, newPassword: 'long enough pw' }),
  ],
  ['API token name', 'POST', '/api/v1/me/api-tokens', 'user', () => ({ name: `ci${NUL}` })],
  [
    'server verify username',
    'POST',
    '/api/v1/verify',
    'admin',
    () => ({ username: `${user.username}${NUL}`, code: '123456' }),
  ],
  ['SMS phone', 'POST', '/api/v1/me/2fa/enable', 'user', () => ({ method: 'sms', phone: `+35988812345${NUL}` })],
  [
    'challenge target',
    'POST',
    '/api/v1/me/2fa/challenges',
    'user',
    () => ({ operation: 'disable_factor', target: `x${NUL}` }),
  ],
  ['own issuer', 'PUT', '/api/v1/me/issuer', 'user', () => ({ issuer: `Acme${NUL}` })],
  ['system issuer', 'PUT', '/api/v1/admin/settings/issuer', 'admin', () => ({ issuer: `Acme${NUL}` })],
  [
    'imported TOTP secret',
    'POST',
    `/api/v1/admin/users/00000000-0000-4000-8000-000000000000/2fa/totp/import`,
    'admin',
    () => ({ secret: `JBSWY3DPEHPK3PXP${NUL}` }),
  ],
  ['a key of the body', 'POST', '/api/v1/me/api-tokens', 'user', () => ({ name: 'ci', [`scope${NUL}`]: 'full' })],
];

function headersFor(caller: Caller): Record<string, string> {
  if (caller === 'anonymous') return {};
  return bearer(caller === 'admin' ? admin.accessToken : user.accessToken);
}

describe('a NUL character in any string is refused at the schema', () => {
  it.each(nulCases)('%s', async (_field, method, url, caller, body) => {
    const before = await counts();
    const response = await h.app.inject({ method, url, headers: headersFor(caller), payload: body() });
    expect(response.statusCode).toBe(400);
    const { error } = json<ErrorResponse>(response);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(/NUL/);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['a history method filter', '/api/v1/me/2fa/history?method=totp%00'],
    ['an admin history method filter', '/api/v1/admin/history?method=%00'],
    ['an unknown query parameter', '/api/v1/me/2fa/history?x%00=1'],
    ['a path parameter', '/api/v1/admin/users/ann%00'],
    ['a user lookup', '/api/v1/admin/users/lookup?username=ann%00'],
  ])('in %s', async (_what, url) => {
    const response = await h.app.inject({ method: 'GET', url, headers: bearer(admin.accessToken) });
    expect(response.statusCode).toBe(400);
    expect(json<ErrorResponse>(response).error.code).toBe('VALIDATION_FAILED');
  });

  it('a body without NUL still passes, with other control characters and any unicode', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/api-tokens',
      headers: bearer(user.accessToken),
      payload: { name: 'ci \u0001\u001f 𝕏💥' },
    });
    expect(response.statusCode).toBe(201);
  });
});

describe('date-time filters', () => {
  it.each([
    ['from', '/api/v1/me/2fa/history?from=2026-06-30T23:59:60Z', 'user'],
    ['to', '/api/v1/me/2fa/history?to=2026-12-31T23:59:60Z', 'user'],
    ['from, for an admin', '/api/v1/admin/history?from=2026-06-30T23:59:60Z', 'admin'],
    ['to, for an admin', '/api/v1/admin/history?to=2016-12-31T23:59:60.5Z', 'admin'],
  ] as const)('a leap second in %s is refused', async (_where, url, caller) => {
    const response = await h.app.inject({ method: 'GET', url, headers: headersFor(caller) });
    expect(response.statusCode).toBe(400);
    const { error } = json<ErrorResponse>(response);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(/date-time/);
  });

  it('the second before a leap second, and other RFC 3339 spellings, are accepted', async () => {
    for (const from of ['2026-06-30T23:59:59Z', '2026-06-30t23:59:59.999999z', '2026-07-01T01:59:59+02:00']) {
      const response = await h.app.inject({
        method: 'GET',
        url: `/api/v1/me/2fa/history?from=${encodeURIComponent(from)}`,
        headers: bearer(user.accessToken),
      });
      expect(response.statusCode, from).toBe(200);
    }
  });
});

describe('paging', () => {
  it.each([
    '/api/v1/admin/users?offset=1e15',
    '/api/v1/admin/users?offset=9223372036854775808',
    '/api/v1/admin/users?offset=1e400',
    '/api/v1/admin/users?limit=1e400',
    '/api/v1/admin/history?offset=9223372036854775808',
    '/api/v1/me/2fa/history?offset=1e400',
    '/api/v1/me/2fa/history?limit=-1',
  ])('%s is refused', async (url) => {
    const response = await h.app.inject({ method: 'GET', url, headers: bearer(admin.accessToken) });
    expect(response.statusCode).toBe(400);
    expect(json<ErrorResponse>(response).error.code).toBe('VALIDATION_FAILED');
  });

  it('the largest offset allowed answers an empty page', async () => {
    for (const url of ['/api/v1/admin/users?offset=10000000', '/api/v1/admin/history?offset=10000000']) {
      const response = await h.app.inject({ method: 'GET', url, headers: bearer(admin.accessToken) });
      expect(response.statusCode).toBe(200);
      expect(json<{ items: unknown[] }>(response).items).toEqual([]);
    }
  });
});

describe('JSON bodies', () => {
  async function post(url: string, payload: string, caller: Caller = 'anonymous') {
    return h.app.inject({
      method: 'POST',
      url,
      headers: { ...headersFor(caller), 'content-type': 'application/json' },
      payload,
    });
  }

  it.each([
    ['a repeated key', '/api/v1/auth/sign-in', '{"username":"a","username":"b","password":"long enough pw"}'],
    ['a key repeated with an escape', '/api/v1/auth/recovery', '{"login":"a","\\u006cogin":"b"}'],
    ['a key repeated in a nested object', '/api/v1/me/2fa/enable', '{"method":"totp","totp":{"digits":6,"digits":8}}'],
  ])('%s is refused as MALFORMED_JSON', async (_what, url, payload) => {
    const before = await counts();
    const response = await post(url, payload, 'user');
    expect(response.statusCode).toBe(400);
    const { error } = json<ErrorResponse>(response);
    expect(error.code).toBe('MALFORMED_JSON');
    expect(error.message).toMatch(/repeats the key/);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['__proto__', '{"name":"ci","__proto__":{"scope":"read_only"}}'],
    ['constructor.prototype', '{"name":"ci","constructor":{"prototype":{"scope":"read_only"}}}'],
  ])('a %s key is still refused', async (_what, payload) => {
    const response = await post('/api/v1/me/api-tokens', payload, 'user');
    expect(response.statusCode).toBe(400);
    expect(json<ErrorResponse>(response).error.code).toBe('MALFORMED_JSON');
  });

  it('the same key in two objects is not a repeat', async () => {
    const response = await post('/api/v1/me/2fa/enable', '{"method":"totp","totp":{"algorithm":"SHA1"}}', 'user');
    expect(response.statusCode).toBe(201);
  });

  it('a body over the limit is still refused before it is parsed', async () => {
    const response = await post('/api/v1/users', `{"username":"a","username":"${'x'.repeat(20_000)}"}`);
    expect(response.statusCode).toBe(413);
    expect(json<ErrorResponse>(response).error.code).toBe('BODY_TOO_LARGE');
  });

  it('deep nesting is refused, not a crash', async () => {
    const response = await post('/api/v1/users', `${'['.repeat(8_000)}${']'.repeat(8_000)}`);
    expect(response.statusCode).toBe(400);
    expect(json<ErrorResponse>(response).error.code).toBe('VALIDATION_FAILED');
  });
});
