/**
 * Property: bad input gets a clear 4xx in the error shape, never a 500, and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness, json, signUpAndSignIn } from '../support/harness.js';
import { createTotpUser } from '../support/totp-user.js';

let h: Harness;
let accessToken: string;
let factorId: string;

beforeAll(async () => {
  h = await createHarness();
  const user = await createTotpUser(h.app, h.clock);
  accessToken = user.accessToken;
  factorId = user.factorId;
  await signUpAndSignIn(h.app);
});
afterAll(async () => h.close());

async function counts() {
  const db = h.storage.db;
  const count = async (table: 'users' | 'factors' | 'api_tokens' | 'lockouts' | 'flows') =>
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
    factors: await count('factors'),
    apiTokens: await count('api_tokens'),
    lockouts: await count('lockouts'),
    flows: await count('flows'),
  };
}

type Case = [name: string, method: 'POST' | 'DELETE', url: () => string, body: string, status: number, code: string];

const cases: Case[] = [
  ['malformed JSON', 'POST', () => '/api/v1/users', '{"username": "x",', 400, 'MALFORMED_JSON'],
  ['empty JSON body', 'POST', () => '/api/v1/users', '', 400, 'MALFORMED_JSON'],
  [
    'a number for a string',
    'POST',
    () => '/api/v1/users',
    '{"username":12345,"password":"long enough pw"}',
    400,
    'VALIDATION_FAILED',
  ],
  ['a missing field', 'POST', () => '/api/v1/users', '{"username":"carol"}', 400, 'VALIDATION_FAILED'],
  [
    'an unknown field',
    'POST',
    () => '/api/v1/users',
    '{"username":"carol","password":"long enough pw","role":"admin"}',
    400,
    'VALIDATION_FAILED',
  ],
  ['an array body', 'POST', () => '/api/v1/users', '[1,2]', 400, 'VALIDATION_FAILED'],
  [
    'a bad e-mail',
    'POST',
    () => '/api/v1/users',
    '{"username":"carol","password":"long enough pw","email":"no-at-sign"}',
    400,
    'VALIDATION_FAILED',
  ],
  [
    'a phone not in E.164',
    'POST',
    () => '/api/v1/users',
    '{"username":"carol","password":"long enough pw","phone":"0888 123"}',
    400,
    'VALIDATION_FAILED',
  ],
  [
    'a short password',
    'POST',
    () => '/api/v1/users',
    '{"username":"carol","password":"short"}',
    400,
    'VALIDATION_FAILED',
  ],
  [
    'an oversized body',
    'POST',
    () => '/api/v1/users',
    JSON.stringify({ username: 'carol', password: 'x'.repeat(40_000) }),
    413,
    'BODY_TOO_LARGE',
  ],
  ['a code with letters', 'POST', () => '/api/v1/me/verify', '{"code":"12a456"}', 400, 'VALIDATION_FAILED'],
  ['a code as a number', 'POST', () => '/api/v1/me/verify', '{"code":123456}', 400, 'VALIDATION_FAILED'],
  [
    'a 7-digit code for a 6-digit factor',
    'POST',
    () => '/api/v1/me/verify',
    '{"code":"1234567"}',
    400,
    'CODE_MALFORMED',
  ],
  ['a 5-digit code', 'POST', () => '/api/v1/me/verify', '{"code":"12345"}', 400, 'VALIDATION_FAILED'],
  ['a code with spaces', 'POST', () => '/api/v1/me/verify', '{"code":" 123456"}', 400, 'VALIDATION_FAILED'],
  [
    'an unknown field beside a code',
    'POST',
    () => '/api/v1/me/verify',
    '{"code":"123456","trust":true}',
    400,
    'VALIDATION_FAILED',
  ],
  [
    'a bad factor id',
    'POST',
    () => '/api/v1/me/factors/not-a-uuid/confirm',
    '{"code":"123456"}',
    400,
    'VALIDATION_FAILED',
  ],
  ['bad TOTP digits', 'POST', () => '/api/v1/me/factors/totp', '{"digits":7}', 400, 'VALIDATION_FAILED'],
  ['a bad algorithm', 'POST', () => '/api/v1/me/factors/totp', '{"algorithm":"MD5"}', 400, 'VALIDATION_FAILED'],
  [
    'a malformed removal code',
    'DELETE',
    () => `/api/v1/me/factors/${factorId}`,
    '{"code":"abcdef"}',
    400,
    'VALIDATION_FAILED',
  ],
  ['an empty API token name', 'POST', () => '/api/v1/me/api-tokens', '{"name":""}', 400, 'VALIDATION_FAILED'],
];

describe('bad input is a 4xx in the error shape and writes nothing', () => {
  it.each(cases)('%s', async (_name, method, url, body, status, code) => {
    const before = await counts();
    const response = await h.app.inject({
      method,
      url: url(),
      headers: { ...bearer(accessToken), 'content-type': 'application/json' },
      payload: body,
    });
    expect(response.statusCode).toBe(status);
    const error = json<{ error: { code: string; message: string } }>(response).error;
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(5);
    expect(await counts()).toEqual(before);
  });

  it('a body that is not JSON at all is refused as unsupported', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { 'content-type': 'text/plain' },
      payload: 'username=x',
    });
    expect(response.statusCode).toBe(415);
    expect(json(response)).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });

  it('an unknown route answers in the same shape', async () => {
    const response = await h.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(json(response)).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  });
});
