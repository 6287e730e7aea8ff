import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createHarness,
  createSignedInUser,
  type Harness,
  json,
  type SignedInUser,
} from '../support/harness.js';

describe('POST /api/v1/auth/introspect (RFC 7662)', () => {
  let h: Harness;
  let admin: SignedInUser;
  let adminToken: string;
  beforeAll(async () => {
    h = await createHarness();
    admin = await createSignedInUser(h, { role: 'admin' });
    adminToken = (await h.core.apiTokens.issue(admin.id, 'resource server', 'read')).token;
  });
  afterAll(async () => h.close());

  const introspect = (token: string, caller = adminToken) =>
    h.app.inject({ method: 'POST', url: '/api/v1/auth/introspect', headers: bearer(caller), payload: { token } });

  it('describes a live access token: whose, its role, when issued and when it expires', async () => {
    const user = await createSignedInUser(h);
    const response = await introspect(user.accessToken);
    expect(response.statusCode).toBe(200);
    const body = json<{ iat: number; exp: number }>(response);
    expect(body).toEqual({
      active: true,
      token_type: 'access_token',
      sub: user.id,
      username: user.username,
      scope: 'write',
      role: 'user',
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect(body.exp - body.iat).toBe(900);
  });

  it('describes an API token with its scope', async () => {
    const user = await createSignedInUser(h);
    const { token } = await h.core.apiTokens.issue(user.id, 'dashboard', 'read');
    expect(json(await introspect(token))).toMatchObject({
      active: true,
      token_type: 'api_token',
      scope: 'read',
      sub: user.id,
    });
  });

  it('answers only active: false for a signed-out session, a revoked or made-up token, or garbage', async () => {
    const user = await createSignedInUser(h);
    await h.app.inject({ method: 'POST', url: '/api/v1/auth/sign-out', headers: bearer(user.accessToken) });
    const { token, view } = await h.core.apiTokens.issue(user.id, 'old', 'write');
    await h.app.inject({ method: 'DELETE', url: `/api/v1/me/api-tokens/${view.id}`, headers: bearer(token) });
    for (const dead of [user.accessToken, token, 'tsa_made-up', 'not.a.jwt', `${admin.accessToken}x`]) {
      const response = await introspect(dead);
      expect(response.statusCode, dead).toBe(200);
      expect(json(response)).toEqual({ active: false });
    }
  });

  it('is for admins only', async () => {
    const user = await createSignedInUser(h);
    const response = await introspect(admin.accessToken, user.accessToken);
    expect(response.statusCode).toBe(403);
    expect(
      (await h.app.inject({ method: 'POST', url: '/api/v1/auth/introspect', payload: { token: 'x' } })).statusCode,
    ).toBe(401);
  });
});
