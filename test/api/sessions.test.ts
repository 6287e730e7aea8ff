/**
 * A user's own sessions through the native API: listing them (with the remembered devices),
 * ending one or all of them, and what a password change or reset ends. An ended session's
 * refresh token must never work again, nor its access token.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bearer,
  createHarness,
  createSignedInUser,
  enrollTotp,
  type Harness,
  json,
  type SignedInUser,
} from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ deliveredCodes: { resendCooldownSeconds: 0 } });
});
afterEach(async () => h.core.notifications.settle());
afterAll(async () => h.close());

interface Tokens {
  accessToken: string;
  refreshToken: string;
}
interface SessionBody {
  id: string;
  createdAt: string;
  lastUsedAt: string | null;
  clientIp: string | null;
  userAgent: string | null;
  current: boolean;
}
interface SessionsBody {
  sessions: SessionBody[];
  devices: { id: string; label: string }[];
}

function errorCode(response: LightMyRequestResponse): string | undefined {
  return json<{ error?: { code: string } }>(response).error?.code;
}

/** Signs the user in once more, from another client; returns that session's tokens. */
async function signInAgain(user: SignedInUser, userAgent = 'second-browser/1.0'): Promise<Tokens> {
  const response = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    headers: { 'user-agent': userAgent },
    remoteAddress: '198.51.100.23',
    payload: { username: user.username, password: user.password },
  });
  return json<Tokens>(response);
}

async function listSessions(accessToken: string): Promise<LightMyRequestResponse> {
  return h.app.inject({ method: 'GET', url: '/api/v1/me/sessions', headers: bearer(accessToken) });
}

async function refresh(refreshToken: string): Promise<LightMyRequestResponse> {
  return h.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });
}

async function me(accessToken: string): Promise<number> {
  return (await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(accessToken) })).statusCode;
}

async function revokeAll(accessToken: string, payload?: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/me/sessions/revoke-all',
    headers: bearer(accessToken),
    ...(payload ? { payload } : {}),
  });
}

/** Changes the password with the current one (the account has no second factor). */
async function changePassword(user: SignedInUser, accessToken: string): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/me/password',
    headers: bearer(accessToken),
    payload: { currentPassword: user.password, newPassword: 'a brand new passphrase' },
  });
}

describe('listing my sessions', () => {
  it('shows each live session with when and from where, and marks the current one', async () => {
    const user = await createSignedInUser(h);
    const startedAt = h.clock.now().toISOString();
    const second = await signInAgain(user);
    const listed = await listSessions(user.accessToken);
    expect(listed.statusCode).toBe(200);
    const { sessions, devices } = json<SessionsBody>(listed);
    expect(sessions).toHaveLength(2);
    expect(devices).toEqual([]);
    const current = sessions.filter((s) => s.current);
    expect(current).toHaveLength(1);
    const other = sessions.find((s) => !s.current);
    expect(other).toEqual({
      id: expect.any(String),
      createdAt: startedAt,
      lastUsedAt: startedAt,
      clientIp: '198.51.100.23',
      userAgent: 'second-browser/1.0',
      current: false,
    });
    // The other session sees itself as current.
    const fromSecond = json<SessionsBody>(await listSessions(second.accessToken));
    expect(fromSecond.sessions.find((s) => s.current)?.id).toBe(other?.id);
  });

  it('records the last refresh and its client', async () => {
    const user = await createSignedInUser(h);
    const second = await signInAgain(user);
    h.clock.advanceSeconds(600);
    const refreshed = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      headers: { 'user-agent': 'third-client/2.0' },
      remoteAddress: '203.0.113.9',
      payload: { refreshToken: second.refreshToken },
    });
    expect(refreshed.statusCode).toBe(200);
    const { sessions } = json<SessionsBody>(await listSessions(user.accessToken));
    const other = sessions.find((s) => !s.current);
    expect(other).toMatchObject({
      lastUsedAt: h.clock.now().toISOString(),
      clientIp: '203.0.113.9',
      userAgent: 'third-client/2.0',
    });
  });

  it('leaves out ended sessions and shows none of another user', async () => {
    const user = await createSignedInUser(h);
    const stranger = await createSignedInUser(h);
    const second = await signInAgain(user);
    await h.app.inject({ method: 'POST', url: '/api/v1/auth/sign-out', headers: bearer(second.accessToken) });
    const { sessions } = json<SessionsBody>(await listSessions(user.accessToken));
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.current).toBe(true);
    const theirs = json<SessionsBody>(await listSessions(stranger.accessToken));
    expect(theirs.sessions.map((s) => s.id)).not.toContain(sessions[0]?.id);
  });

  it('lists the remembered devices beside the sessions', async () => {
    const user = await createSignedInUser(h);
    const totp = await enrollTotp(h.app, user.accessToken, h.clock.now());
    h.clock.advanceSeconds(30);
    const started = json<{ flowId: string }>(
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { username: user.username, password: user.password },
      }),
    );
    const finished = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/sign-in/${started.flowId}/second-factor`,
      payload: { code: totp.codeAt(h.clock.now()), rememberDevice: true, deviceLabel: 'laptop' },
    });
    expect(finished.statusCode).toBe(200);
    const { devices } = json<SessionsBody>(await listSessions(user.accessToken));
    expect(devices).toEqual([expect.objectContaining({ label: 'laptop' })]);
  });

  it('needs a signed-in user', async () => {
    const response = await h.app.inject({ method: 'GET', url: '/api/v1/me/sessions' });
    expect(response.statusCode).toBe(401);
  });
});

describe('ending one session', () => {
  it('its refresh token and access token stop working; the others keep working', async () => {
    const user = await createSignedInUser(h);
    const second = await signInAgain(user);
    const { sessions } = json<SessionsBody>(await listSessions(user.accessToken));
    const target = sessions.find((s) => !s.current);
    const ended = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/sessions/${target?.id}`,
      headers: bearer(user.accessToken),
    });
    expect(ended.statusCode).toBe(204);

    const refused = await refresh(second.refreshToken);
    expect(refused.statusCode).toBe(401);
    expect(errorCode(refused)).toBe('REFRESH_TOKEN_INVALID');
    expect(await me(second.accessToken)).toBe(401);
    expect(await me(user.accessToken)).toBe(200);
    expect((await refresh(user.refreshToken)).statusCode).toBe(200);
  });

  it("another user's session is 404 SESSION_NOT_FOUND and keeps working", async () => {
    const user = await createSignedInUser(h);
    const victim = await createSignedInUser(h);
    const { sessions } = json<SessionsBody>(await listSessions(victim.accessToken));
    const attempt = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/sessions/${sessions[0]?.id}`,
      headers: bearer(user.accessToken),
    });
    expect(attempt.statusCode).toBe(404);
    expect(errorCode(attempt)).toBe('SESSION_NOT_FOUND');
    expect((await refresh(victim.refreshToken)).statusCode).toBe(200);
  });

  it('an ended or made-up session is 404, a malformed id 400', async () => {
    const user = await createSignedInUser(h);
    const { sessions } = json<SessionsBody>(await listSessions(user.accessToken));
    const second = await signInAgain(user);
    const first = sessions[0]?.id;
    const end = () =>
      h.app.inject({ method: 'DELETE', url: `/api/v1/me/sessions/${first}`, headers: bearer(second.accessToken) });
    expect((await end()).statusCode).toBe(204);
    expect(errorCode(await end())).toBe('SESSION_NOT_FOUND');
    const malformed = await h.app.inject({
      method: 'DELETE',
      url: '/api/v1/me/sessions/not-a-uuid',
      headers: bearer(second.accessToken),
    });
    expect(malformed.statusCode).toBe(400);
  });
});

describe('ending all sessions', () => {
  it('keeps the current one by default', async () => {
    const user = await createSignedInUser(h);
    const second = await signInAgain(user);
    const third = await signInAgain(user, 'phone/3');
    const response = await revokeAll(user.accessToken);
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ sessionsRevoked: 2, devicesForgotten: 0 });
    for (const other of [second, third]) {
      expect((await refresh(other.refreshToken)).statusCode).toBe(401);
      expect(await me(other.accessToken)).toBe(401);
    }
    expect(await me(user.accessToken)).toBe(200);
    expect(json<SessionsBody>(await listSessions(user.accessToken)).sessions).toHaveLength(1);
  });

  it('ends the current one too when asked, and forgets remembered devices', async () => {
    const user = await createSignedInUser(h);
    const second = await signInAgain(user);
    await h.core.devices.remember(user.id, 'old laptop');
    const response = await revokeAll(user.accessToken, { keepCurrent: false, forgetDevices: true });
    expect(json(response)).toEqual({ sessionsRevoked: 2, devicesForgotten: 1 });
    expect(await me(user.accessToken)).toBe(401);
    expect((await refresh(user.refreshToken)).statusCode).toBe(401);
    expect((await refresh(second.refreshToken)).statusCode).toBe(401);
    const fresh = await signInAgain(user);
    expect(json<SessionsBody>(await listSessions(fresh.accessToken)).devices).toEqual([]);
  });

  it("touches no other user's sessions", async () => {
    const user = await createSignedInUser(h);
    const bystander = await createSignedInUser(h);
    await revokeAll(user.accessToken, { keepCurrent: false });
    expect((await refresh(bystander.refreshToken)).statusCode).toBe(200);
  });

  it('refuses unknown fields with 400', async () => {
    const user = await createSignedInUser(h);
    const response = await revokeAll(user.accessToken, { everything: true });
    expect(response.statusCode).toBe(400);
    expect(await me(user.accessToken)).toBe(200);
  });
});

describe('a password change or reset ends the other sessions', () => {
  it('a change ends every other session and refresh-token family; the changing session stays', async () => {
    const user = await createSignedInUser(h);
    const second = await signInAgain(user);
    const rotated = json<Tokens>(await refresh(second.refreshToken));
    expect((await changePassword(user, user.accessToken)).statusCode).toBe(204);

    // Neither the old refresh token of the family nor its latest one works any more.
    expect(errorCode(await refresh(rotated.refreshToken))).toBe('REFRESH_TOKEN_INVALID');
    expect((await refresh(second.refreshToken)).statusCode).toBe(401);
    expect(await me(rotated.accessToken)).toBe(401);
    expect(await me(user.accessToken)).toBe(200);
    expect((await refresh(user.refreshToken)).statusCode).toBe(200);
  });

  it('the notice says how many sessions ended and devices were forgotten', async () => {
    const user = await createSignedInUser(h);
    await signInAgain(user);
    await signInAgain(user);
    await h.core.devices.remember(user.id, 'tablet');
    expect((await changePassword(user, user.accessToken)).statusCode).toBe(204);
    await h.core.notifications.settle();
    const notice = h.outbox.notices(user.email).find((m) => m.subject.endsWith('password changed'));
    expect(notice?.text).toContain('Every other session of your account was signed out (2 sessions ended)');
    expect(notice?.text).toContain('(1 device forgotten)');
  });

  it('counts only sessions that were still usable, not old expired ones', async () => {
    const user = await createSignedInUser(h);
    await signInAgain(user);
    h.clock.advanceSeconds(31 * 24 * 3600); // both refresh tokens have expired
    const fresh = await signInAgain(user);
    await signInAgain(user);
    const changed = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: bearer(fresh.accessToken),
      payload: { currentPassword: user.password, newPassword: 'a brand new passphrase' },
    });
    expect(changed.statusCode).toBe(204);
    await h.core.notifications.settle();
    const notice = h.outbox.notices(user.email).find((m) => m.subject.endsWith('password changed'));
    expect(notice?.text).toContain('(1 session ended)');
  });

  it('a reset ends every session, and the notice says so', async () => {
    const user = await createSignedInUser(h);
    const second = await signInAgain(user);
    const successToken = await resetToken(user);
    const reset = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      payload: { successToken, newPassword: 'a brand new passphrase' },
    });
    expect(reset.statusCode).toBe(204);
    for (const tokens of [user, second]) {
      expect((await refresh(tokens.refreshToken)).statusCode).toBe(401);
      expect(await me(tokens.accessToken)).toBe(401);
    }
    await h.core.notifications.settle();
    const notice = h.outbox.notices(user.email).find((m) => m.subject.endsWith('password changed'));
    expect(notice?.text).toContain('Every session of your account was signed out (2 sessions ended)');
  });
});

/** A reset_password success token for the user, through the recovery e-mail. */
async function resetToken(user: SignedInUser): Promise<string> {
  const started = json<{ challengeId: string }>(
    await h.app.inject({ method: 'POST', url: '/api/v1/auth/recovery', payload: { login: user.username } }),
  );
  const confirmed = await h.app.inject({
    method: 'POST',
    url: `/api/v1/auth/recovery/${started.challengeId}/confirm`,
    // Recovery answers before its e-mail is out.
    payload: { code: await vi.waitFor(() => h.outbox.lastEmailCode(user.email), { timeout: 5_000, interval: 10 }) },
  });
  return json<{ successToken: string }>(confirmed).successToken;
}
