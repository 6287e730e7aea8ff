/**
 * Security keys and passkeys through the native API, driven by a software authenticator (a P-256
 * key answering as a browser would): registration, the second-factor step, passkey sign-in,
 * step-up, and every way an answer must be refused.
 */
import { SYSTEM_ACTOR, type WebAuthnSettings } from '@tessera/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createHarness,
  createSignedInUser,
  enrollTotp,
  type Harness,
  json,
  type SignedInUser,
} from '../support/harness.js';
import { SoftwareAuthenticator, type Tampering } from '../support/software-authenticator.js';

const ORIGIN = 'https://app.tessera.test';
const BLOCKED_MODEL = '0bb43545-fd2c-4185-87dd-feb0b2916ace';
const SETTINGS: WebAuthnSettings = {
  rpId: 'tessera.test',
  rpName: 'Tessera Test',
  origins: [ORIGIN, 'https://login.tessera.test'],
  attestation: 'none',
  userVerification: 'preferred',
  residentKey: 'preferred',
  attachment: 'any',
  timeoutSeconds: 60,
  allowedAaguids: undefined,
  blockedAaguids: [BLOCKED_MODEL],
  maxCredentials: 3,
};
const MAX_FAILURES = 4;

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ webauthn: SETTINGS, lockout: { maxFailures: MAX_FAILURES } });
});
afterEach(async () => {
  await h.core.notifications.settle();
  await h.resetSettings();
});
afterAll(async () => h.close());

type Json = Record<string, unknown>;
interface Ceremony {
  challengeId: string;
  options: Json;
}
interface Credential {
  id: string;
  name: string;
  passkey: boolean;
  lastUsedAt: string | null;
}

function key(options: Partial<ConstructorParameters<typeof SoftwareAuthenticator>[0]> = {}) {
  return new SoftwareAuthenticator({ origin: ORIGIN, ...options });
}

async function register(user: SignedInUser, authenticator: SoftwareAuthenticator, tampering: Tampering = {}) {
  const started = await h.app.inject({
    method: 'POST',
    url: '/api/v1/me/2fa/webauthn/registration',
    headers: bearer(user.accessToken),
  });
  expect(started.statusCode, started.body).toBe(201);
  const { flowId, webauthn } = json<{ flowId: string; webauthn: Ceremony }>(started);
  const credential = authenticator.register(webauthn.options, tampering);
  return h.app.inject({
    method: 'POST',
    url: `/api/v1/me/2fa/webauthn/registration/${flowId}`,
    headers: bearer(user.accessToken),
    payload: { credential },
  });
}

async function userWithKey(authenticator = key()) {
  const user = await createSignedInUser(h);
  const registered = await register(user, authenticator);
  expect(registered.statusCode, registered.body).toBe(200);
  return { user, authenticator, credentials: json<{ credentials: Credential[] }>(registered).credentials };
}

async function startSignIn(user: SignedInUser): Promise<string> {
  const signedIn = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { username: user.username, password: user.password },
  });
  const body = json<{ status: string; flowId: string; methods: string[] }>(signedIn);
  expect(body.status).toBe('second_factor_required');
  expect(body.methods).toContain('webauthn');
  return body.flowId;
}

async function signInOptions(flowId: string): Promise<Ceremony> {
  const options = await h.app.inject({ method: 'POST', url: `/api/v1/auth/sign-in/${flowId}/webauthn/options` });
  expect(options.statusCode, options.body).toBe(200);
  return json<Ceremony>(options);
}

function answerSignIn(flowId: string, credential: Json) {
  return h.app.inject({ method: 'POST', url: `/api/v1/auth/sign-in/${flowId}/webauthn`, payload: { credential } });
}

async function passkeyOptions(): Promise<Ceremony> {
  const options = await h.app.inject({ method: 'POST', url: '/api/v1/auth/passkey/options' });
  expect(options.statusCode, options.body).toBe(200);
  return json<Ceremony>(options);
}

function errorCode(response: { json(): unknown }): string {
  return (response.json() as { error: { code: string } }).error.code;
}

function claims(accessToken: string): Json {
  return JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as Json;
}

describe('registration', () => {
  it('turns the method on with a named key, and reports 2FA on', async () => {
    const { user, credentials } = await userWithKey(key({ aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8' }));
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({
      name: 'YubiKey 5 Series',
      model: 'YubiKey 5 Series',
      passkey: true,
      lastUsedAt: null,
    });
    // The model's name stays when the key is renamed; a model not in the table has none.
    const renamed = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/me/2fa/webauthn/credentials/${credentials[0]?.id}`,
      headers: bearer(user.accessToken),
      payload: { name: 'Blue key' },
    });
    expect(json(renamed)).toMatchObject({ name: 'Blue key', model: 'YubiKey 5 Series' });
    const { credentials: unknownModel } = await userWithKey(key({ aaguid: '12345678-1234-4234-8234-123456789abc' }));
    expect(unknownModel[0]).toMatchObject({ model: null });
    const status = await h.app.inject({ method: 'GET', url: '/api/v1/me/2fa', headers: bearer(user.accessToken) });
    expect(json<{ methods: string[] }>(status).methods).toEqual(['webauthn']);
    const history = await h.core.history.listAll(SYSTEM_ACTOR, { userId: user.id });
    expect(history.items.map((e) => [e.method, e.action])).toContainEqual(['webauthn', 'enable']);
  });

  it('adds further keys to the active method, excluding those registered already', async () => {
    const { user } = await userWithKey();
    const second = key();
    const started = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/webauthn/registration',
      headers: bearer(user.accessToken),
    });
    const { webauthn } = json<{ webauthn: Ceremony }>(started);
    expect((webauthn.options.excludeCredentials as unknown[]).length).toBe(1);
    const added = await register(user, second);
    expect(added.statusCode, added.body).toBe(200);
    expect(json<{ credentials: Credential[] }>(added).credentials).toHaveLength(2);
  });

  it('stops at the cap of keys per account', async () => {
    const { user } = await userWithKey();
    expect((await register(user, key())).statusCode).toBe(200);
    expect((await register(user, key())).statusCode).toBe(200);
    const fourth = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/webauthn/registration',
      headers: bearer(user.accessToken),
    });
    expect(fourth.statusCode).toBe(409);
    expect(errorCode(fourth)).toBe('WEBAUTHN_CREDENTIAL_LIMIT');
  });

  it('refuses a response for another origin or RP ID, and a blocked model, writing nothing', async () => {
    const user = await createSignedInUser(h);
    const wrongOrigin = await register(user, key(), { origin: 'https://evil.example' });
    expect(wrongOrigin.statusCode).toBe(422);
    const wrongRp = await register(user, key(), { rpId: 'evil.example' });
    expect(wrongRp.statusCode).toBe(422);
    const blocked = await register(user, key({ aaguid: BLOCKED_MODEL }));
    expect(blocked.statusCode).toBe(403);
    expect(errorCode(blocked)).toBe('WEBAUTHN_AUTHENTICATOR_NOT_ALLOWED');
    expect(await h.storage.webauthnCredentials.countByUser(user.id)).toBe(0);
    expect(await h.storage.factors.activeKinds(user.id)).toEqual([]);
  });

  it('refuses a second answer to the same registration challenge', async () => {
    const user = await createSignedInUser(h);
    const started = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/webauthn/registration',
      headers: bearer(user.accessToken),
    });
    const { flowId, webauthn } = json<{ flowId: string; webauthn: Ceremony }>(started);
    const authenticator = key();
    const bad = authenticator.register(webauthn.options, { origin: 'https://evil.example' });
    const url = `/api/v1/me/2fa/webauthn/registration/${flowId}`;
    const first = await h.app.inject({
      method: 'POST',
      url,
      headers: bearer(user.accessToken),
      payload: { credential: bad },
    });
    expect(first.statusCode).toBe(422);
    const good = key().register(webauthn.options);
    const again = await h.app.inject({
      method: 'POST',
      url,
      headers: bearer(user.accessToken),
      payload: { credential: good },
    });
    expect(again.statusCode).toBe(400);
    expect(errorCode(again)).toBe('WEBAUTHN_CHALLENGE_INVALID');
  });
});

describe('second-factor sign-in', () => {
  it('signs in with the key after the password, and records its use', async () => {
    const { user, authenticator } = await userWithKey();
    const flowId = await startSignIn(user);
    const { options } = await signInOptions(flowId);
    expect((options.allowCredentials as { id: string }[]).map((c) => c.id)).toEqual(authenticator.credentialIds);
    const done = await answerSignIn(flowId, authenticator.assert(options));
    expect(done.statusCode, done.body).toBe(200);
    const { accessToken } = json<{ accessToken: string }>(done);
    expect(claims(accessToken).amr).toEqual(['pwd', 'hwk', 'mfa']);
    const refreshed = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: json<{ refreshToken: string }>(done).refreshToken },
    });
    expect(claims(json<{ accessToken: string }>(refreshed).accessToken).amr).toEqual(['pwd', 'hwk', 'mfa']);
    const [credential] = await h.storage.webauthnCredentials.listByUser(user.id);
    expect(credential?.lastUsedAt).not.toBeNull();
    expect(credential?.signCount).toBe(1);
  });

  it.each<[string, Tampering]>([
    ['a wrong signature', { badSignature: true }],
    ['another origin', { origin: 'https://evil.example' }],
    ['another RP ID', { rpId: 'evil.example' }],
    ['another challenge', { challenge: Buffer.from('not the challenge').toString('base64url') }],
  ])('refuses %s', async (_what, tampering) => {
    const { user, authenticator } = await userWithKey();
    const flowId = await startSignIn(user);
    const { options } = await signInOptions(flowId);
    const refused = await answerSignIn(flowId, authenticator.assert(options, tampering));
    expect(refused.statusCode).toBe(422);
    expect(errorCode(refused)).toBe('CODE_INVALID');
    expect((await h.storage.lockouts.find(user.id))?.failedCount).toBe(1);
  });

  it("refuses another account's key", async () => {
    const { user } = await userWithKey();
    const other = await userWithKey();
    const flowId = await startSignIn(user);
    const { options } = await signInOptions(flowId);
    const [otherId] = other.authenticator.credentialIds;
    const refused = await answerSignIn(flowId, other.authenticator.assert(options, { credentialId: otherId }));
    expect(refused.statusCode).toBe(422);
  });

  it('takes a challenge once: a replayed answer is refused', async () => {
    const { user, authenticator } = await userWithKey();
    const flowId = await startSignIn(user);
    const { options } = await signInOptions(flowId);
    const bad = await answerSignIn(flowId, authenticator.assert(options, { badSignature: true }));
    expect(bad.statusCode).toBe(422);
    const replay = await answerSignIn(flowId, authenticator.assert(options));
    expect(replay.statusCode).toBe(400);
    expect(errorCode(replay)).toBe('WEBAUTHN_CHALLENGE_INVALID');
  });

  it('refuses an answer after the challenge expired', async () => {
    const { user, authenticator } = await userWithKey();
    const flowId = await startSignIn(user);
    const { options } = await signInOptions(flowId);
    h.clock.advanceSeconds(SETTINGS.timeoutSeconds + 1);
    const late = await answerSignIn(flowId, authenticator.assert(options));
    expect(late.statusCode).toBe(400);
    expect(errorCode(late)).toBe('WEBAUTHN_CHALLENGE_INVALID');
  });

  it('refuses a counter that went backwards, records it, tells the owner and the webhooks', async () => {
    const { endpoint } = await h.core.webhooks.create(SYSTEM_ACTOR, {
      url: 'http://127.0.0.1:9/clones',
      events: ['webauthn.clone_warning'],
    });
    const { user, authenticator } = await userWithKey();
    const first = await startSignIn(user);
    expect(
      (await answerSignIn(first, authenticator.assert((await signInOptions(first)).options, { counter: 10 })))
        .statusCode,
    ).toBe(200);
    const second = await startSignIn(user);
    const cloned = await answerSignIn(
      second,
      authenticator.assert((await signInOptions(second)).options, { counter: 5 }),
    );
    expect(cloned.statusCode).toBe(422);
    await h.core.notifications.settle();
    expect(h.outbox.notices(user.email).map((m) => m.subject)).toContainEqual(
      expect.stringContaining('security key refused'),
    );
    const history = await h.core.history.listAll(SYSTEM_ACTOR, { userId: user.id });
    const entry = history.items.find((e) => e.method === 'webauthn' && e.action === 'update');
    expect(entry?.details).toMatchObject({ event: 'sign_count_regressed' });
    expect((await h.storage.webauthnCredentials.listByUser(user.id))[0]?.signCount).toBe(10);
    // The warning is in the webhook outbox, written with the history entry.
    const { items } = await h.core.webhooks.deliveries(SYSTEM_ACTOR, endpoint.id, {});
    expect(items.map((d) => [d.eventType, d.userId, d.status])).toEqual([
      ['webauthn.clone_warning', user.id, 'pending'],
    ]);
    await h.core.webhooks.delete(SYSTEM_ACTOR, endpoint.id);
  });

  it('locks the account after failed assertions, whatever the method', async () => {
    const { user, authenticator } = await userWithKey();
    for (let i = 0; i < MAX_FAILURES; i++) {
      const flowId = await startSignIn(user);
      const refused = await answerSignIn(
        flowId,
        authenticator.assert((await signInOptions(flowId)).options, { badSignature: true }),
      );
      expect(refused.statusCode).not.toBe(200);
    }
    const flowId = await startSignIn(user);
    const locked = await answerSignIn(flowId, authenticator.assert((await signInOptions(flowId)).options));
    expect(locked.statusCode).toBe(429);
    expect(errorCode(locked)).toBe('SECOND_FACTOR_LOCKED');
  });
});

describe('passkey sign-in', () => {
  it('signs in without a password, with user verification, as both factors', async () => {
    const { user, authenticator } = await userWithKey();
    const { challengeId, options } = await passkeyOptions();
    expect(options.userVerification).toBe('required');
    expect(options.allowCredentials ?? []).toEqual([]);
    const done = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/passkey',
      payload: { challengeId, credential: authenticator.assert(options) },
    });
    expect(done.statusCode, done.body).toBe(200);
    const tokens = json<{ accessToken: string; refreshToken: string }>(done);
    const payload = claims(tokens.accessToken);
    expect(payload.sub).toBe(user.id);
    expect(payload.amr).toEqual(['hwk', 'mfa']);
    // Every access token of the session says so, refreshed ones too.
    const refreshed = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: tokens.refreshToken },
    });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    const again = json<{ accessToken: string; refreshToken: string }>(refreshed);
    expect(claims(again.accessToken)).toMatchObject({ sub: user.id, amr: ['hwk', 'mfa'] });
    const twice = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: again.refreshToken },
    });
    expect(claims(json<{ accessToken: string }>(twice).accessToken).amr).toEqual(['hwk', 'mfa']);
  });

  it('refuses a passkey answer without user verification, and a replay', async () => {
    const { authenticator } = await userWithKey();
    const { challengeId, options } = await passkeyOptions();
    const credential = authenticator.assert(options, { withoutUserVerification: true });
    const unverified = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/passkey',
      payload: { challengeId, credential },
    });
    expect(unverified.statusCode).toBe(422);
    const replay = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/passkey',
      payload: { challengeId, credential: authenticator.assert(options) },
    });
    expect(replay.statusCode).toBe(400);
    expect(errorCode(replay)).toBe('WEBAUTHN_CHALLENGE_INVALID');
  });

  it('does not sign in with a key registered without a resident key', async () => {
    const { authenticator } = await userWithKey(key({ residentKeys: false }));
    const { challengeId, options } = await passkeyOptions();
    const [id] = authenticator.credentialIds;
    const refused = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/passkey',
      payload: { challengeId, credential: authenticator.assert(options, { credentialId: id }) },
    });
    expect(refused.statusCode).toBe(422);
  });

  it('is refused while the policy forbids webauthn, and a sign-in page is told so beforehand', async () => {
    const availability = () => h.app.inject({ method: 'GET', url: '/api/v1/auth/passkey' });
    expect(json(await availability())).toEqual({ available: true });
    await h.core.policy.update(SYSTEM_ACTOR, { methods: { webauthn: false } });
    const refused = await h.app.inject({ method: 'POST', url: '/api/v1/auth/passkey/options' });
    expect(refused.statusCode).toBe(403);
    expect(errorCode(refused)).toBe('METHOD_NOT_ALLOWED');
    const told = await availability();
    expect(told.statusCode).toBe(200);
    expect(json(told)).toEqual({ available: false });
  });
});

describe('step-up and removal', () => {
  it('removes a key behind a step-up answered by a key; the last one turns the method off', async () => {
    const { user, authenticator, credentials } = await userWithKey();
    const target = credentials[0]?.id ?? '';
    const unguarded = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/2fa/webauthn/credentials/${target}`,
      headers: bearer(user.accessToken),
      payload: { successToken: 'tst_not-a-token' },
    });
    expect(unguarded.statusCode).toBe(403);
    expect(errorCode(unguarded)).toBe('SUCCESS_TOKEN_INVALID');

    const started = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/webauthn/challenges',
      headers: bearer(user.accessToken),
      payload: { operation: 'remove_webauthn_credential', target },
    });
    expect(started.statusCode, started.body).toBe(201);
    const { challengeId, webauthn } = json<{ challengeId: string; webauthn: Ceremony }>(started);
    const passed = await h.app.inject({
      method: 'POST',
      url: `/api/v1/me/2fa/webauthn/challenges/${challengeId}`,
      headers: bearer(user.accessToken),
      payload: { credential: authenticator.assert(webauthn.options) },
    });
    expect(passed.statusCode, passed.body).toBe(200);
    const { successToken } = json<{ successToken: string }>(passed);
    const removed = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/2fa/webauthn/credentials/${target}`,
      headers: bearer(user.accessToken),
      payload: { successToken },
    });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(json(removed)).toEqual({ methodActive: false });
    expect(await h.storage.factors.activeKinds(user.id)).toEqual([]);
  });

  it('renames a key', async () => {
    const { user, credentials } = await userWithKey();
    const renamed = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/me/2fa/webauthn/credentials/${credentials[0]?.id}`,
      headers: bearer(user.accessToken),
      payload: { name: 'Blue key on my keyring' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(json<Credential>(renamed).name).toBe('Blue key on my keyring');
    const other = await createSignedInUser(h);
    const notTheirs = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/me/2fa/webauthn/credentials/${credentials[0]?.id}`,
      headers: bearer(other.accessToken),
      payload: { name: 'mine now' },
    });
    expect(notTheirs.statusCode).toBe(404);
  });

  it('turns the method off through the disable procedure with a success token, and an admin reset removes every key', async () => {
    const { user, authenticator } = await userWithKey();
    const started = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/webauthn/challenges',
      headers: bearer(user.accessToken),
      payload: { operation: 'disable_factor', target: 'webauthn' },
    });
    const { challengeId, webauthn } = json<{ challengeId: string; webauthn: Ceremony }>(started);
    const passed = await h.app.inject({
      method: 'POST',
      url: `/api/v1/me/2fa/webauthn/challenges/${challengeId}`,
      headers: bearer(user.accessToken),
      payload: { credential: authenticator.assert(webauthn.options) },
    });
    const { successToken } = json<{ successToken: string }>(passed);
    const disable = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/disable',
      headers: bearer(user.accessToken),
      payload: { method: 'webauthn' },
    });
    expect(disable.statusCode, disable.body).toBe(201);
    const confirmed = await h.app.inject({
      method: 'POST',
      url: `/api/v1/me/2fa/disable/${json<{ flowId: string }>(disable).flowId}/confirm`,
      headers: bearer(user.accessToken),
      payload: { successToken },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(await h.storage.webauthnCredentials.countByUser(user.id)).toBe(0);

    const admin = await createSignedInUser(h, { role: 'admin' });
    const other = await userWithKey();
    const reset = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/users/${other.user.id}/2fa`,
      headers: bearer(admin.accessToken),
    });
    expect(reset.statusCode, reset.body).toBe(200);
    expect(json<{ removed: string[] }>(reset).removed).toContain('webauthn');
    expect(await h.storage.webauthnCredentials.countByUser(other.user.id)).toBe(0);
  });

  it("lets an admin list and remove a user's key", async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const { user, credentials } = await userWithKey();
    const listed = await h.app.inject({
      method: 'GET',
      url: `/api/v1/admin/users/${user.id}/webauthn/credentials`,
      headers: bearer(admin.accessToken),
    });
    expect(json<{ credentials: Credential[] }>(listed).credentials.map((c) => c.id)).toEqual(
      credentials.map((c) => c.id),
    );
    const removed = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/users/${user.id}/webauthn/credentials/${credentials[0]?.id}`,
      headers: bearer(admin.accessToken),
    });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(await h.storage.webauthnCredentials.countByUser(user.id)).toBe(0);
    const byUser = await h.app.inject({
      method: 'GET',
      url: `/api/v1/admin/users/${admin.id}/webauthn/credentials`,
      headers: bearer(user.accessToken),
    });
    expect(byUser.statusCode).toBe(403);
  });
});

describe('the generic step-up and disable with a key', () => {
  async function startChallenge(user: SignedInUser, operation: string) {
    const started = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/challenges',
      headers: bearer(user.accessToken),
      payload: { operation, method: 'webauthn' },
    });
    expect(started.statusCode, started.body).toBe(201);
    return json<{ challengeId: string; method: string; webauthn: Ceremony }>(started);
  }

  function confirmChallenge(user: SignedInUser, challengeId: string, payload: Json) {
    return h.app.inject({
      method: 'POST',
      url: `/api/v1/me/2fa/challenges/${challengeId}/confirm`,
      headers: bearer(user.accessToken),
      payload,
    });
  }

  it('lets a key-only user step up through /me/2fa/challenges with the assertion', async () => {
    const { user, authenticator } = await userWithKey();
    const { challengeId, method, webauthn } = await startChallenge(user, 'change_password');
    expect(method).toBe('webauthn');
    expect((webauthn.options.allowCredentials as { id: string }[]).map((c) => c.id)).toEqual(
      authenticator.credentialIds,
    );
    const passed = await confirmChallenge(user, challengeId, { credential: authenticator.assert(webauthn.options) });
    expect(passed.statusCode, passed.body).toBe(200);
    expect(json(passed)).toMatchObject({ operation: 'change_password', target: null });
    const state = await h.app.inject({
      method: 'GET',
      url: `/api/v1/me/2fa/challenges/${challengeId}`,
      headers: bearer(user.accessToken),
    });
    expect(json(state)).toMatchObject({ state: 'passed', method: 'webauthn' });
  });

  it('refuses a wrong signature there, counting it on the lockout, and a replay of a good answer', async () => {
    const { user, authenticator } = await userWithKey();
    const first = await startChallenge(user, 'change_password');
    const forged = await confirmChallenge(user, first.challengeId, {
      credential: authenticator.assert(first.webauthn.options, { badSignature: true }),
    });
    expect(forged.statusCode).toBe(422);
    expect(errorCode(forged)).toBe('CODE_INVALID');
    expect((await h.storage.lockouts.find(user.id))?.failedCount).toBe(1);
    const second = await startChallenge(user, 'change_password');
    const answer = authenticator.assert(second.webauthn.options);
    expect((await confirmChallenge(user, second.challengeId, { credential: answer })).statusCode).toBe(200);
    const replayed = await confirmChallenge(user, second.challengeId, { credential: answer });
    expect([replayed.statusCode, errorCode(replayed)]).toEqual([409, 'FLOW_FINISHED']);
  });

  it('turns the method off through /me/2fa/disable with the assertion, and refuses a bad one first', async () => {
    const { user, authenticator } = await userWithKey();
    const disable = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/disable',
      headers: bearer(user.accessToken),
      payload: { method: 'webauthn' },
    });
    expect(disable.statusCode, disable.body).toBe(201);
    const { flowId, webauthn } = json<{ flowId: string; webauthn: Ceremony }>(disable);
    expect((webauthn.options.allowCredentials as { id: string }[]).map((c) => c.id)).toEqual(
      authenticator.credentialIds,
    );
    const confirm = (payload: Json) =>
      h.app.inject({
        method: 'POST',
        url: `/api/v1/me/2fa/disable/${flowId}/confirm`,
        headers: bearer(user.accessToken),
        payload,
      });
    const wrongOrigin = await confirm({
      credential: authenticator.assert(webauthn.options, { origin: 'https://evil.example' }),
    });
    expect(wrongOrigin.statusCode).toBe(422);
    expect(await h.storage.webauthnCredentials.countByUser(user.id)).toBe(1);
    // The refused answer spent the challenge: a new procedure issues a new one.
    const again = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/disable',
      headers: bearer(user.accessToken),
      payload: { method: 'webauthn' },
    });
    const retry = json<{ flowId: string; webauthn: Ceremony }>(again);
    const confirmed = await h.app.inject({
      method: 'POST',
      url: `/api/v1/me/2fa/disable/${retry.flowId}/confirm`,
      headers: bearer(user.accessToken),
      payload: { credential: authenticator.assert(retry.webauthn.options) },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(json(confirmed)).toMatchObject({ method: 'webauthn', state: 'disabled' });
    expect(await h.storage.webauthnCredentials.countByUser(user.id)).toBe(0);
    expect(await h.storage.factors.activeKinds(user.id)).toEqual([]);
  });
});

describe('phishing-resistant factors for admins', () => {
  it('holds an admin without a key to enrolling one, and signs in one with a key by the key alone', async () => {
    await h.core.policy.update(SYSTEM_ACTOR, { phishingResistantForAdmins: true });
    const admin = await createSignedInUser(h, { role: 'admin' });
    const totp = await enrollTotp(h.app, admin.accessToken, h.clock.now());
    h.clock.advanceSeconds(30);
    // A password and an app code still get the admin in, but only to register a key.
    const flowId = await (async () => {
      const started = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { username: admin.username, password: admin.password },
      });
      return json<{ flowId: string }>(started).flowId;
    })();
    const withCode = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/sign-in/${flowId}/second-factor`,
      payload: { code: totp.codeAt(h.clock.now()), method: 'totp' },
    });
    expect(withCode.statusCode, withCode.body).toBe(200);
    const session = json<{ accessToken: string }>(withCode).accessToken;
    const held = await h.app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: bearer(session) });
    expect(held.statusCode).toBe(403);
    expect(errorCode(held)).toBe('TWO_FACTOR_REQUIRED');

    const authenticator = key();
    const registered = await register({ ...admin, accessToken: session }, authenticator);
    expect(registered.statusCode, registered.body).toBe(200);
    const allowed = await h.app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: bearer(session) });
    expect(allowed.statusCode).toBe(200);

    // Now the sign-in offers the key alone: the app code is refused.
    h.clock.advanceSeconds(30);
    const next = await startSignIn(admin);
    const refused = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/sign-in/${next}/second-factor`,
      payload: { code: totp.codeAt(h.clock.now()), method: 'totp' },
    });
    expect(refused.statusCode).toBe(409);
    expect(errorCode(refused)).toBe('METHOD_NOT_ACTIVE');
    const withKey = await answerSignIn(next, authenticator.assert((await signInOptions(next)).options));
    expect(withKey.statusCode, withKey.body).toBe(200);
  });
});
