import { type AuditEntryView, SYSTEM_ACTOR } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, createSignedInUser, type Harness, json } from '../support/harness.js';
import { createTotpUser, wrongCode } from '../support/totp-user.js';

let h: Harness;
let adminToken: string;

beforeAll(async () => {
  h = await createHarness({ lockout: { maxFailures: 3 } });
  adminToken = (await createSignedInUser(h, { role: 'admin' })).accessToken;
});
afterAll(async () => h.close());

/** The account's audit entries, oldest first, through the admin API. */
async function entriesAbout(userId: string): Promise<AuditEntryView[]> {
  const response = await h.app.inject({
    method: 'GET',
    url: `/api/v1/admin/audit?userId=${userId}&limit=200`,
    headers: bearer(adminToken),
  });
  expect(response.statusCode).toBe(200);
  return json<{ items: AuditEntryView[] }>(response).items.reverse();
}

async function userIdOf(username: string): Promise<string> {
  return (await h.core.userAdmin.lookup(SYSTEM_ACTOR, { username })).id;
}

describe('security events in the audit trail', () => {
  it('records a sign-in with its password and second factor, right and wrong, and no secret', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const userId = await userIdOf(user.username);
    const signIn = (password: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { username: user.username, password },
        remoteAddress: '198.51.100.23',
      });
    expect((await signIn('not the password')).statusCode).toBe(401);
    const started = json<{ flowId: string }>(await signIn(user.password));
    const answer = (code: string) =>
      h.app.inject({
        method: 'POST',
        url: `/api/v1/auth/sign-in/${started.flowId}/second-factor`,
        payload: { code, method: 'totp' },
        remoteAddress: '198.51.100.23',
      });
    const code = user.codeAt(h.clock.now());
    expect((await answer(wrongCode(code))).statusCode).toBe(422);
    expect((await answer(code)).statusCode).toBe(200);

    const entries = await entriesAbout(userId);
    const signInEntries = entries.filter((entry) => entry.action.startsWith('sign_in.'));
    expect(signInEntries.slice(-4).map((entry) => [entry.action, entry.details, entry.clientIp])).toEqual([
      ['sign_in.password_failed', {}, '198.51.100.23'],
      ['sign_in.password_ok', {}, '198.51.100.23'],
      ['sign_in.second_factor_failed', { method: 'totp', reason: 'wrong_code' }, '198.51.100.23'],
      ['sign_in.second_factor_ok', { method: 'totp' }, '198.51.100.23'],
    ]);
    expect(entries.find((entry) => entry.action === 'factor.changed')).toMatchObject({
      actorKind: 'user',
      actorId: userId,
      details: { method: 'totp', change: 'enable', enabled: true },
    });
    const everything = JSON.stringify(entries);
    for (const secret of [user.password, user.secret, code, wrongCode(code)]) expect(everything).not.toContain(secret);
  });

  it('records a lockout start but not each wrong code of /verify, and the unlock', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const userId = await userIdOf(user.username);
    const before = (await entriesAbout(userId)).length;
    const verify = (code: string) =>
      h.app.inject({ method: 'POST', url: '/api/v1/me/verify', headers: bearer(user.accessToken), payload: { code } });
    const wrong = wrongCode(user.codeAt(h.clock.now()));
    expect(json(await verify(wrong))).toEqual({ valid: false });
    expect(json(await verify(wrong))).toEqual({ valid: false });
    expect(await entriesAbout(userId)).toHaveLength(before);
    expect((await verify(wrong)).statusCode).toBe(429);
    const locked = (await entriesAbout(userId)).slice(before);
    expect(locked).toEqual([
      expect.objectContaining({ action: 'lockout.started', details: { kind: 'locked', failures: 3 } }),
    ]);
    const unlocked = await h.app.inject({
      method: 'POST',
      url: `/api/v1/admin/users/${userId}/2fa/unlock`,
      headers: bearer(adminToken),
    });
    expect(unlocked.statusCode).toBe(204);
    expect((await entriesAbout(userId)).at(-1)).toMatchObject({ action: 'lockout.cleared', actorKind: 'user' });
  });

  it('records API tokens made, first used and revoked, sessions ended and a password change', async () => {
    const user = await createSignedInUser(h);
    const { token, apiToken } = json<{ token: string; apiToken: { id: string } }>(
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/me/api-tokens',
        headers: bearer(user.accessToken),
        payload: { name: 'ci' },
      }),
    );
    for (let i = 0; i < 2; i += 1) {
      expect((await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(200);
    }
    const revoked = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/api-tokens/${apiToken.id}`,
      headers: bearer(user.accessToken),
    });
    expect(revoked.statusCode).toBe(204);
    const ended = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/sessions/revoke-all',
      headers: bearer(user.accessToken),
      payload: {},
    });
    expect(ended.statusCode).toBe(200);
    const changed = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: bearer(user.accessToken),
      payload: { newPassword: 'another long password', currentPassword: user.password },
    });
    expect(changed.statusCode, changed.body).toBe(204);
    // The first use is written without holding its request; the three requests after it wait
    // behind that write on SQLite's one connection, and on PostgreSQL take longer than it.
    const actions = (await entriesAbout(user.id)).map((entry) => [entry.action, entry.details]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['api_token.created', { tokenId: apiToken.id, scope: 'write' }],
        ['api_token.first_used', { tokenId: apiToken.id }],
        ['api_token.revoked', { tokenId: apiToken.id }],
        ['sessions.revoked', { count: 0 }],
        ['password.changed', {}],
      ]),
    );
    expect(actions.filter(([action]) => action === 'api_token.first_used')).toHaveLength(1);
    expect(JSON.stringify(actions)).not.toContain(token);
  });

  it('records a session ended because its rotated refresh token came back', async () => {
    const user = await createSignedInUser(h);
    const refresh = () =>
      h.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: user.refreshToken } });
    expect((await refresh()).statusCode).toBe(200);
    expect((await refresh()).statusCode).toBe(401);
    expect((await entriesAbout(user.id)).at(-1)).toMatchObject({
      action: 'sessions.revoked',
      actorKind: 'anonymous',
      details: { count: 1, reason: 'refresh_token_reused' },
    });
  });

  it('records system-wide changes and key rotations, and the chain of all of it verifies', async () => {
    const issuer = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/settings/issuer',
      headers: bearer(adminToken),
      payload: { issuer: 'Acme Audit' },
    });
    expect(issuer.statusCode).toBe(200);
    const rotated = await h.app.inject({
      method: 'POST',
      url: '/api/v1/admin/settings/signing-keys/rotate',
      headers: bearer(adminToken),
    });
    expect(rotated.statusCode).toBe(200);
    const recent = json<{ items: AuditEntryView[] }>(
      await h.app.inject({ method: 'GET', url: '/api/v1/admin/audit?limit=2', headers: bearer(adminToken) }),
    ).items;
    expect(recent.map((entry) => [entry.action, entry.details])).toEqual([
      ['key.rotated', { key: 'signing_key', kid: json<{ kid: string }>(rotated).kid }],
      ['settings.changed', { setting: 'issuer' }],
    ]);
    await h.resetSettings();
    expect(await h.core.audit.verify(SYSTEM_ACTOR)).toMatchObject({ ok: true, problems: [] });
  });

  it('refuses the listing to anyone but admins, and bad filters with 400', async () => {
    const user = await createSignedInUser(h);
    const refused = await h.app.inject({
      method: 'GET',
      url: '/api/v1/admin/audit',
      headers: bearer(user.accessToken),
    });
    expect(refused.statusCode).toBe(403);
    const bad = await h.app.inject({
      method: 'GET',
      url: '/api/v1/admin/audit?action=nonsense&since=yesterday',
      headers: bearer(adminToken),
    });
    expect(bad.statusCode).toBe(400);
    expect(json<{ error: { code: string } }>(bad).error.code).toBe('VALIDATION_FAILED');
    const published = await h.app.inject({ method: 'GET', url: '/api/v1/audit/checkpoints' });
    expect(published.statusCode).toBe(200);
  });
});
