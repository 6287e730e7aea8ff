/**
 * Property: what an old password or an old second factor let someone keep ends with them. A
 * password change ends every other session (refresh and access tokens), the remembered devices
 * and the pending flows of the account, keeping the session that made the change; a reset
 * through recovery and an admin's 2FA reset end all of them.
 */

import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bearer,
  createHarness,
  createSignedInUser,
  type EnrolledTotp,
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

const NEW_PASSWORD = 'a brand new passphrase';

interface Session {
  accessToken: string;
  refreshToken: string;
}

async function me(accessToken: string) {
  return h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(accessToken) });
}

async function refresh(refreshToken: string) {
  return h.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });
}

async function signInAgain(user: SignedInUser): Promise<Session> {
  const signedIn = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { username: user.username, password: user.password },
  });
  return json<Session>(signedIn);
}

/** Whether an access token and a refresh token still work (the refresh token is used up if so). */
async function works(session: Session): Promise<{ access: number; refresh: number }> {
  return {
    access: (await me(session.accessToken)).statusCode,
    refresh: (await refresh(session.refreshToken)).statusCode,
  };
}

/**
 * A success token from a step-up challenge: by the authenticator when the user has one (step-up
 * uses the account's own factors), else by a code to the account's address.
 */
async function passChallenge(
  user: SignedInUser,
  accessToken: string,
  operation: string,
  totp?: EnrolledTotp,
): Promise<string> {
  const started = await h.app.inject({
    method: 'POST',
    url: '/api/v1/me/2fa/challenges',
    headers: bearer(accessToken),
    payload: { operation, ...(totp ? { method: 'totp' } : {}) },
  });
  expect(started.statusCode).toBe(201);
  const { challengeId } = json<{ challengeId: string }>(started);
  if (totp) h.clock.advanceSeconds(30);
  const code = totp ? totp.codeAt(h.clock.now()) : h.outbox.lastEmailCode(user.email);
  const confirmed = await h.app.inject({
    method: 'POST',
    url: `/api/v1/me/2fa/challenges/${challengeId}/confirm`,
    headers: bearer(accessToken),
    payload: { code },
  });
  expect(confirmed.statusCode).toBe(200);
  return json<{ successToken: string }>(confirmed).successToken;
}

async function rememberedDevice(user: SignedInUser & EnrolledTotp): Promise<string> {
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
    payload: { code: user.codeAt(h.clock.now()), rememberDevice: true },
  });
  h.clock.advanceSeconds(30);
  expect(finished.statusCode).toBe(200);
  return json<{ device: { deviceToken: string } }>(finished).device.deviceToken;
}

describe('a password change', () => {
  it("ends the account's other sessions, devices and pending flows, and keeps the caller's", async () => {
    const user = await createSignedInUser(h);
    const totp = await enrollTotp(h.app, user.accessToken, h.clock.now());
    h.clock.advanceSeconds(30);
    const other = await signInAgainWithTotp({ ...user, ...totp });
    await rememberedDevice({ ...user, ...totp });
    // A challenge the other session began and has not finished.
    const pending = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/challenges',
      headers: bearer(other.accessToken),
      payload: { operation: 'change_password', method: 'totp' },
    });
    const { challengeId } = json<{ challengeId: string }>(pending);

    const token = await passChallenge(user, user.accessToken, 'change_password', totp);
    const changed = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: bearer(user.accessToken),
      payload: { successToken: token, newPassword: NEW_PASSWORD },
    });
    expect(changed.statusCode).toBe(204);

    expect(await works(other)).toEqual({ access: 401, refresh: 401 });
    expect(await works(user)).toEqual({ access: 200, refresh: 200 });
    expect(await h.storage.trustedDevices.listActive(user.id, h.clock.now())).toEqual([]);
    const late = await h.app.inject({
      method: 'POST',
      url: `/api/v1/me/2fa/challenges/${challengeId}/confirm`,
      headers: bearer(user.accessToken),
      payload: { code: totp.codeAt(h.clock.now()) },
    });
    expect(late.statusCode).toBe(410);
  });
});

describe('a password reset through recovery', () => {
  it('ends every session: the old access and refresh tokens fail', async () => {
    const user = await createSignedInUser(h);
    const second = await signInAgain(user);
    const started = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/recovery',
      payload: { login: user.email },
    });
    const { challengeId } = json<{ challengeId: string }>(started);
    const code = await vi.waitFor(() => h.outbox.lastEmailCode(user.email), { timeout: 5_000, interval: 10 });
    const confirmed = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/recovery/${challengeId}/confirm`,
      payload: { code },
    });
    const { successToken } = json<{ successToken: string }>(confirmed);
    // Still signed in until the password is actually reset.
    expect((await me(user.accessToken)).statusCode).toBe(200);

    const reset = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      payload: { successToken, newPassword: NEW_PASSWORD },
    });
    expect(reset.statusCode).toBe(204);

    expect(await works(user)).toEqual({ access: 401, refresh: 401 });
    expect(await works(second)).toEqual({ access: 401, refresh: 401 });
    expect(json(await me(user.accessToken))).toMatchObject({ error: { code: 'TOKEN_INVALID' } });
  });
});

describe("an admin's 2FA reset", () => {
  it("ends the user's sessions and remembered devices, and no one else's", async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const user = await createSignedInUser(h);
    const bystander = await createSignedInUser(h);
    const totp = await enrollTotp(h.app, user.accessToken, h.clock.now());
    h.clock.advanceSeconds(30);
    const device = await rememberedDevice({ ...user, ...totp });
    expect(await h.storage.trustedDevices.listActive(user.id, h.clock.now())).toHaveLength(1);

    const reset = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/users/${user.id}/2fa`,
      headers: bearer(admin.accessToken),
    });
    expect(reset.statusCode).toBe(200);

    expect(await works(user)).toEqual({ access: 401, refresh: 401 });
    expect(await h.storage.trustedDevices.listActive(user.id, h.clock.now())).toEqual([]);
    expect(device).toBeTruthy();
    expect(await works(bystander)).toEqual({ access: 200, refresh: 200 });
    expect((await me(admin.accessToken)).statusCode).toBe(200);
  });
});

async function signInAgainWithTotp(user: SignedInUser & EnrolledTotp): Promise<Session> {
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
    payload: { code: user.codeAt(h.clock.now()) },
  });
  h.clock.advanceSeconds(30);
  expect(finished.statusCode).toBe(200);
  return json<Session>(finished);
}
