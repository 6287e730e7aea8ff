import { SYSTEM_ACTOR } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, createHarness, type Harness, json } from '../support/harness.js';
import { createTotpUser, wrongCode } from '../support/totp-user.js';

let h: Harness;
let adminToken: string;
beforeAll(async () => {
  h = await createHarness();
  const admin = await h.core.accounts.create(SYSTEM_ACTOR, {
    username: 'platform-admin',
    password: 'admin password',
    role: 'admin',
  });
  adminToken = (await h.core.apiTokens.issue(admin.id, 'platform', 'write')).token;
});
afterAll(async () => h.close());

describe('API tokens and server-to-server verification', () => {
  it('an admin token checks any user code, once', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const code = user.codeAt(h.clock.now());
    const verify = (c: string, username = user.username) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/verify',
        headers: bearer(adminToken),
        payload: { username, code: c },
      });
    expect(json(await verify(wrongCode(code)))).toEqual({ valid: false });
    expect(json(await verify(code))).toEqual({ valid: true });
    expect(json(await verify(code))).toEqual({ valid: false });
    const unknown = await verify(code, 'no-such-user');
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)).toMatchObject({ error: { code: 'USER_NOT_FOUND' } });
  });

  it('a user without a factor is a clear error, not a pass', async () => {
    await h.core.accounts.create(SYSTEM_ACTOR, { username: 'plain-user', password: 'plain password' });
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/v1/verify',
      headers: bearer(adminToken),
      payload: { username: 'plain-user', code: '123456' },
    });
    expect(response.statusCode).toBe(409);
    expect(json(response)).toMatchObject({ error: { code: 'NO_ACTIVE_FACTOR' } });
  });

  it("a user's own token acts as that user and cannot verify for others", async () => {
    const user = await createTotpUser(h.app, h.clock);
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/api-tokens',
      headers: bearer(user.accessToken),
      payload: { name: 'laptop' },
    });
    expect(created.statusCode).toBe(201);
    const { token, apiToken } = json<{ token: string; apiToken: { id: string; name: string } }>(created);
    expect(token).toMatch(/^tsa_/);

    const me = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
    expect(json(me)).toMatchObject({ account: { username: user.username } });
    const forbidden = await h.app.inject({
      method: 'POST',
      url: '/api/v1/verify',
      headers: bearer(token),
      payload: { username: user.username, code: '123456' },
    });
    expect(forbidden.statusCode).toBe(403);

    const list = json<{ apiTokens: Array<Record<string, unknown>> }>(
      await h.app.inject({ method: 'GET', url: '/api/v1/me/api-tokens', headers: bearer(token) }),
    );
    expect(list.apiTokens).toEqual([expect.objectContaining({ id: apiToken.id, name: 'laptop', revokedAt: null })]);
    expect(JSON.stringify(list)).not.toContain(token);

    const revoked = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/api-tokens/${apiToken.id}`,
      headers: bearer(user.accessToken),
    });
    expect(revoked.statusCode).toBe(204);
    const after = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
    expect(after.statusCode).toBe(401);
  });

  it('admin looks a user up by username under /admin, with factors; a non-admin cannot; the old path is gone', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const response = await h.app.inject({
      method: 'GET',
      url: `/api/v1/admin/users/lookup?username=${user.username}`,
      headers: bearer(adminToken),
    });
    expect(json(response)).toMatchObject({
      user: { username: user.username, twoFactorEnabled: true, methods: ['totp'] },
      factors: [{ status: 'active' }],
    });
    const denied = await h.app.inject({
      method: 'GET',
      url: `/api/v1/admin/users/lookup?username=${user.username}`,
      headers: bearer(user.accessToken),
    });
    expect(denied.statusCode).toBe(403);
    const old = await h.app.inject({
      method: 'GET',
      url: `/api/v1/users/${user.username}`,
      headers: bearer(adminToken),
    });
    expect(old.statusCode).toBe(404);
  });
});

describe('API token scopes and last use', () => {
  it('a read token, created through the API, reads but every write answers 403', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/api-tokens',
      headers: bearer(user.accessToken),
      payload: { name: 'dashboard', scope: 'read' },
    });
    expect(created.statusCode).toBe(201);
    const { token, apiToken } = json<{ token: string; apiToken: { scope: string } }>(created);
    expect(apiToken.scope).toBe('read');
    const read = bearer(token);
    expect((await h.app.inject({ url: '/api/v1/me/2fa', headers: read })).statusCode).toBe(200);
    expect((await h.app.inject({ url: '/api/v1/me/2fa/history', headers: read })).statusCode).toBe(200);
    for (const [url, payload] of [
      ['/api/v1/me/verify', { code: user.codeAt(h.clock.now()) }],
      ['/api/v1/me/api-tokens', { name: 'escalated' }],
      ['/api/v1/me/2fa/disable', { method: 'totp' }],
    ] as const) {
      const response = await h.app.inject({ method: 'POST', url, headers: read, payload });
      expect(response.statusCode, url).toBe(403);
      expect(json(response)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
  });

  it('shows when a token was last used, written at most once a minute', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const { token } = await h.core.apiTokens.issue(
      (await h.core.accounts.getByUsername(user.username)).id,
      'cron',
      'write',
    );
    const listed = async () =>
      json<{ apiTokens: { name: string; lastUsedAt: string | null }[] }>(
        await h.app.inject({ url: '/api/v1/me/api-tokens', headers: bearer(user.accessToken) }),
      ).apiTokens.find((t) => t.name === 'cron')?.lastUsedAt;
    expect(await listed()).toBeNull();

    const firstUse = h.clock.now().toISOString();
    await h.app.inject({ url: '/api/v1/me/2fa', headers: bearer(token) });
    await vi.waitFor(async () => expect(await listed()).toBe(firstUse));
    h.clock.advanceSeconds(30);
    await h.app.inject({ url: '/api/v1/me/2fa', headers: bearer(token) });
    await new Promise((resolve) => setImmediate(resolve));
    expect(await listed()).toBe(firstUse);
    h.clock.advanceSeconds(31);
    const laterUse = h.clock.now().toISOString();
    await h.app.inject({ url: '/api/v1/me/2fa', headers: bearer(token) });
    await vi.waitFor(async () => expect(await listed()).toBe(laterUse));
  });
});
