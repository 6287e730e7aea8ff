import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness, json, signUpAndSignIn } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

describe('accounts and sessions (native API)', () => {
  it('signs up, signs in without a factor and reads /me', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        username: 'alice',
        password: 'correct horse battery',
        email: 'alice@example.com',
        phone: '+359888123456',
      },
    });
    expect(created.statusCode).toBe(201);
    expect(json(created)).toMatchObject({ username: 'alice', email: 'alice@example.com', role: 'user' });
    expect(created.body).not.toContain('password');

    const signIn = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: 'alice', password: 'correct horse battery' },
    });
    expect(signIn.statusCode).toBe(200);
    const tokens = json<{ status: string; accessToken: string; expiresIn: number }>(signIn);
    expect(tokens.status).toBe('signed_in');
    expect(tokens.expiresIn).toBe(900);

    const me = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(tokens.accessToken) });
    expect(me.statusCode).toBe(200);
    expect(json(me)).toMatchObject({ account: { username: 'alice' }, factors: [] });
  });

  it('refuses a taken username and a wrong password with stable codes', async () => {
    await signUpAndSignIn(h.app, 'bob');
    const again = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'bob', password: 'another password' },
    });
    expect(again.statusCode).toBe(409);
    expect(json(again)).toEqual({ error: { code: 'USERNAME_TAKEN', message: expect.any(String) } });

    const wrong = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: 'bob', password: 'not the password' },
    });
    const unknown = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: 'nobody-here', password: 'not the password' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(json(wrong)).toEqual(json(unknown));
  });

  it('rotates refresh tokens, and a reused one revokes the whole family', async () => {
    const session = await signUpAndSignIn(h.app);
    const first = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: session.refreshToken },
    });
    expect(first.statusCode).toBe(200);
    const rotated = json<{ accessToken: string; refreshToken: string }>(first);
    expect(rotated.refreshToken).not.toBe(session.refreshToken);

    const reuse = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: session.refreshToken },
    });
    expect(reuse.statusCode).toBe(401);
    expect(json(reuse)).toMatchObject({ error: { code: 'REFRESH_TOKEN_REUSED' } });

    // The thief's rotated token and the access tokens of the family are dead too.
    const afterRevoke = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: rotated.refreshToken },
    });
    expect(json(afterRevoke)).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(rotated.accessToken) });
    expect(me.statusCode).toBe(401);
  });

  it('signing out ends the access token and the refresh token', async () => {
    const session = await signUpAndSignIn(h.app);
    const out = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-out',
      headers: bearer(session.accessToken),
    });
    expect(out.statusCode).toBe(204);
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(session.accessToken) });
    expect(json(me)).toMatchObject({ error: { code: 'TOKEN_INVALID' } });
    const refresh = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: session.refreshToken },
    });
    expect(refresh.statusCode).toBe(401);
  });

  it('access tokens expire after 15 minutes', async () => {
    const session = await signUpAndSignIn(h.app);
    h.clock.advanceSeconds(15 * 60 + 1);
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(session.accessToken) });
    expect(me.statusCode).toBe(401);
  });

  it('refuses JWTs with another algorithm, audience or key', async () => {
    const session = await signUpAndSignIn(h.app);
    const [header, payload] = session.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const otherKey = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32).fill(7));
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.${session.accessToken.split('.')[2]}`;
    for (const token of [unsigned, otherKey, tampered, 'not-a-jwt']) {
      const response = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
      expect(response.statusCode, token).toBe(401);
      expect(json(response)).toMatchObject({ error: { code: 'TOKEN_INVALID' } });
    }
    const none = await h.app.inject({ method: 'GET', url: '/api/v1/me' });
    expect(json(none)).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });
});
