/*
 * Accounts a platform manages through the admin API. What has to hold: a read-only admin token
 * changes nothing; a disabled account gets in nowhere (password, API token, session, refresh,
 * a sign-in already waiting for its code, /verify) until it is enabled; a deleted account
 * leaves nothing usable behind and its history keeps no name, address or number, only a stable
 * pseudonym; every change is in the history with the admin as actor.
 */
import { SYSTEM_ACTOR } from '@tessera/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, createHarness, type Harness, json, uniquePhone } from '../support/harness.js';
import { createTotpUser, wrongCode } from '../support/totp-user.js';

let h: Harness;
let adminId: string;
let adminToken: string;
let readToken: string;
beforeAll(async () => {
  h = await createHarness();
  const admin = await h.core.accounts.create(SYSTEM_ACTOR, {
    username: 'accounts-admin',
    password: 'admin password',
    role: 'admin',
  });
  adminId = admin.id;
  adminToken = (await h.core.apiTokens.issue(admin.id, 'platform', 'write')).token;
  readToken = (await h.core.apiTokens.issue(admin.id, 'dashboard', 'read')).token;
});
afterAll(async () => h.close());

interface AdminUserBody {
  id: string;
  username: string;
  email: string | null;
  phone: string | null;
  externalId: string | null;
  hasPassword: boolean;
  disabled: boolean;
  twoFactorEnabled: boolean;
  methods: string[];
  secondFactorLock: { locked: boolean; lockedUntil: string | null; suspended: boolean };
}

interface HistoryItem {
  userId: string | null;
  userPseudonym: string | null;
  method: string;
  action: string;
  enabled: boolean;
  actor: string;
  actorId: string | null;
  details: Record<string, unknown>;
}

function call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, token = adminToken) {
  return h.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });
}

async function createUser(body: Record<string, unknown>): Promise<AdminUserBody> {
  const response = await call('POST', '/admin/users', body);
  expect(response.statusCode, response.body).toBe(201);
  return json<AdminUserBody>(response);
}

async function historyOf(filter: string): Promise<HistoryItem[]> {
  return json<{ items: HistoryItem[] }>(await call('GET', `/admin/history?${filter}&limit=100`)).items;
}

async function idOf(username: string): Promise<string> {
  const user = await h.storage.users.findByUsername(username);
  if (!user) throw new Error(`no user ${username}`);
  return user.id;
}

async function signIn(username: string, password: string) {
  return h.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password } });
}

describe('creating and finding accounts', () => {
  it('creates an account without a password, keyed by the platform id; it cannot sign in with any password', async () => {
    const user = await createUser({ username: 'platform-4711', externalId: '4711', email: 'ada@example.test' });
    expect(user).toMatchObject({ externalId: '4711', hasPassword: false, disabled: false, twoFactorEnabled: false });
    for (const password of ['', 'anything at all', 'platform-4711']) {
      const response = await signIn('platform-4711', password);
      expect(response.statusCode).not.toBe(200);
    }
    expect(json(await signIn('platform-4711', 'anything at all'))).toMatchObject({
      error: { code: 'INVALID_CREDENTIALS' },
    });

    const found = await call('GET', '/admin/users/lookup?externalId=4711');
    expect(json(found)).toMatchObject({ user: { id: user.id, username: 'platform-4711' }, factors: [] });
    expect((await call('GET', '/admin/users/lookup?username=platform-4711')).statusCode).toBe(200);
    expect(json(await call('GET', '/admin/users/lookup?externalId=4712'))).toMatchObject({
      error: { code: 'USER_NOT_FOUND' },
    });
    expect((await call('GET', '/admin/users/lookup?externalId=4711&username=platform-4711')).statusCode).toBe(400);
    expect((await call('GET', '/admin/users/lookup')).statusCode).toBe(400);
    expect(json(await call('GET', `/admin/users/${user.id}`))).toMatchObject({ id: user.id, externalId: '4711' });

    const [created] = await historyOf(`userId=${user.id}`);
    expect(created).toMatchObject({ method: 'account', action: 'create', actor: 'admin', actorId: adminId });
    expect(created?.details).toEqual({ passwordSet: false });
  });

  it('creates an account with a password that signs in', async () => {
    await createUser({ username: 'with-password', password: 'correct horse battery', phone: '+359 888 123 456' });
    expect((await signIn('with-password', 'correct horse battery')).statusCode).toBe(200);
  });

  it('refuses a taken externalId, username or address, and bad values, storing nothing', async () => {
    await createUser({ username: 'taken-ext', externalId: 'dup-1', email: 'dup@example.test' });
    const count = await h.storage.users.count();
    const refusals: [Record<string, unknown>, number, string][] = [
      [{ username: 'other-1', externalId: 'dup-1' }, 409, 'EXTERNAL_ID_TAKEN'],
      [{ username: 'taken-ext' }, 409, 'USERNAME_TAKEN'],
      [{ username: 'other-2', email: 'dup@example.test' }, 409, 'EMAIL_TAKEN'],
      [{ username: 'other-3', externalId: 'has space' }, 400, 'VALIDATION_FAILED'],
      [{ username: 'other-4', phone: '12345' }, 400, 'PHONE_INVALID'],
      [{ username: 'other-5', password: 'short' }, 400, 'VALIDATION_FAILED'],
      [{ username: 'other-6', isAdmin: true }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of refusals) {
      const response = await call('POST', '/admin/users', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(status);
      expect(json(response)).toMatchObject({ error: { code } });
    }
    expect(await h.storage.users.count()).toBe(count);
  });

  it('sign-up cannot leave out the password or set an externalId', async () => {
    for (const payload of [{ username: 'anon-1' }, { username: 'anon-2', password: 'long enough', externalId: 'x' }]) {
      const response = await h.app.inject({ method: 'POST', url: '/api/v1/users', payload });
      expect(response.statusCode).toBe(400);
    }
    expect(await h.storage.users.findByUsername('anon-1')).toBeUndefined();
    expect(await h.storage.users.findByUsername('anon-2')).toBeUndefined();
  });
});

describe('a read-only admin token', () => {
  it('reads accounts but changes nothing', async () => {
    const user = await createUser({ username: 'read-target', email: 'read-target@example.test' });
    expect((await call('GET', `/admin/users/${user.id}`, undefined, readToken)).statusCode).toBe(200);
    expect((await call('GET', '/admin/users', undefined, readToken)).statusCode).toBe(200);
    const writes: ['POST' | 'PATCH' | 'DELETE', string, object?][] = [
      ['POST', '/admin/users', { username: 'read-made' }],
      ['PATCH', `/admin/users/${user.id}`, { email: 'changed@example.test' }],
      ['POST', `/admin/users/${user.id}/disable`],
      ['POST', `/admin/users/${user.id}/enable`],
      ['DELETE', `/admin/users/${user.id}`],
      ['POST', `/admin/users/${user.id}/2fa/unlock`],
    ];
    for (const [method, url, body] of writes) {
      const response = await call(method, url, body, readToken);
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(json(response)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    expect(await h.storage.users.findByUsername('read-made')).toBeUndefined();
    expect(await h.storage.users.findById(user.id)).toMatchObject({
      email: 'read-target@example.test',
      disabledAt: null,
    });
    expect((await historyOf(`userId=${user.id}`)).map((entry) => entry.action)).toEqual(['create']);
  });

  it('a non-admin cannot reach the account routes at all', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const response = await call('POST', '/admin/users', { username: 'by-user' }, user.accessToken);
    expect(response.statusCode).toBe(403);
  });
});

describe('changing contact details', () => {
  it('changes e-mail and phone, seals the phone at rest, records which fields changed but not the values', async () => {
    const user = await createUser({ username: 'contact-1', email: 'old@example.test' });
    const phone = uniquePhone();
    const response = await call('PATCH', `/admin/users/${user.id}`, { email: 'new@example.test', phone });
    expect(response.statusCode, response.body).toBe(200);
    expect(json(response)).toMatchObject({ email: 'new@example.test', phone });
    const stored = await sql<{ phone: string }>`select phone from users where id = ${user.id}`.execute(h.storage.db);
    expect(stored.rows[0]?.phone).toMatch(/^v1\./);
    const entries = await historyOf(`userId=${user.id}`);
    expect(entries.find((entry) => entry.action === 'update')).toMatchObject({
      action: 'update',
      actor: 'admin',
      details: { changed: ['email', 'phone'] },
    });
    expect(JSON.stringify(entries)).not.toContain('new@example.test');
    expect(JSON.stringify(entries)).not.toContain(phone);

    const cleared = await call('PATCH', `/admin/users/${user.id}`, { phone: null });
    expect(json(cleared)).toMatchObject({ email: 'new@example.test', phone: null });
  });

  it('refuses a bad or taken value, an empty change and an unknown user, changing nothing', async () => {
    const other = await createUser({ username: 'contact-other', email: 'other@example.test' });
    const user = await createUser({ username: 'contact-2', email: 'mine@example.test' });
    const refusals: [string, object, number, string][] = [
      [user.id, { email: 'not an address' }, 400, 'VALIDATION_FAILED'],
      [user.id, { phone: '0888 123' }, 400, 'PHONE_INVALID'],
      [user.id, { email: other.email ?? '' }, 409, 'EMAIL_TAKEN'],
      [user.id, {}, 400, 'VALIDATION_FAILED'],
      [user.id, { externalId: 'x-1' }, 400, 'VALIDATION_FAILED'],
      [user.id, { role: 'owner' }, 400, 'VALIDATION_FAILED'],
      ['00000000-0000-4000-8000-000000000000', { email: 'x@example.test' }, 404, 'USER_NOT_FOUND'],
    ];
    for (const [id, body, status, code] of refusals) {
      const response = await call('PATCH', `/admin/users/${id}`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(status);
      expect(json(response)).toMatchObject({ error: { code } });
    }
    expect(await h.storage.users.findById(user.id)).toMatchObject({ email: 'mine@example.test', phone: null });
    expect((await historyOf(`userId=${user.id}`)).map((entry) => entry.action)).toEqual(['create']);
  });
});

describe('disabling an account', () => {
  it('stops its password, sessions, refresh tokens, API tokens, a sign-in waiting for its code and /verify; enabling brings back what was kept', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const id = await idOf(user.username);
    const tokenResponse = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/api-tokens',
      headers: bearer(user.accessToken),
      payload: { name: 'script' },
    });
    const ownToken = json<{ token: string }>(tokenResponse).token;
    const signedIn = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: user.username, password: user.password },
    });
    const { flowId } = json<{ flowId: string }>(signedIn);
    expect(flowId).toBeDefined();

    const disabled = await call('POST', `/admin/users/${id}/disable`);
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(json(disabled)).toMatchObject({ disabled: true });

    const refused = await signIn(user.username, user.password);
    expect(refused.statusCode).toBe(403);
    expect(json(refused)).toMatchObject({ error: { code: 'ACCOUNT_DISABLED' } });
    expect(json(await signIn(user.username, 'wrong password'))).toMatchObject({
      error: { code: 'INVALID_CREDENTIALS' },
    });
    const waiting = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/sign-in/${flowId}/second-factor`,
      payload: { code: user.codeAt(h.clock.now()) },
    });
    expect(waiting.statusCode).not.toBe(200);
    expect(JSON.stringify(json(waiting))).not.toContain('accessToken');
    const session = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(user.accessToken) });
    expect(session.statusCode).toBe(401);
    const enroll = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/factors/totp',
      headers: bearer(user.accessToken),
    });
    expect(enroll.statusCode).toBe(401);
    const refresh = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: user.refreshToken },
    });
    expect(refresh.statusCode).toBe(401);
    const apiToken = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(ownToken) });
    expect(apiToken.statusCode).toBe(403);
    expect(json(apiToken)).toMatchObject({ error: { code: 'ACCOUNT_DISABLED' } });
    const verify = await call('POST', '/verify', { username: user.username, code: user.codeAt(h.clock.now()) });
    expect(verify.statusCode).toBe(403);
    expect(json(verify)).toMatchObject({ error: { code: 'ACCOUNT_DISABLED' } });
    const introspected = await call('POST', '/auth/introspect', { token: ownToken });
    expect(json(introspected)).toEqual({ active: false });

    h.clock.advanceSeconds(1);
    const enabled = await call('POST', `/admin/users/${id}/enable`);
    expect(json(enabled)).toMatchObject({ disabled: false, twoFactorEnabled: true });
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(ownToken) })).statusCode).toBe(200);
    expect(json(await signIn(user.username, user.password))).toMatchObject({ status: 'second_factor_required' });
    expect(json(await call('POST', '/verify', { username: user.username, code: user.codeAt(h.clock.now()) }))).toEqual({
      valid: true,
    });
    const actions = (await historyOf(`userId=${id}&method=account`)).map((entry) => [entry.action, entry.enabled]);
    expect(actions).toEqual([
      ['enable', true],
      ['disable', false],
    ]);
  });

  it('an admin cannot disable or delete their own account', async () => {
    for (const [method, url] of [
      ['POST', `/admin/users/${adminId}/disable`],
      ['DELETE', `/admin/users/${adminId}`],
    ] as const) {
      const response = await call(method, url);
      expect(response.statusCode).toBe(403);
    }
    expect((await h.storage.users.findById(adminId))?.disabledAt).toBeNull();
  });
});

describe('password recovery', () => {
  it('sends no code to a disabled account or one without a password; an enabled one with a password gets it', async () => {
    const recover = (login: string) =>
      h.app.inject({ method: 'POST', url: '/api/v1/auth/recovery', payload: { login } });
    const passwordless = await createUser({ username: 'recover-none', email: 'recover-none@example.test' });
    const disabled = await createUser({
      username: 'recover-off',
      password: 'correct horse battery',
      email: 'recover-off@example.test',
    });
    await createUser({ username: 'recover-on', password: 'correct horse battery', email: 'recover-on@example.test' });
    expect((await call('POST', `/admin/users/${disabled.id}/disable`)).statusCode).toBe(200);
    for (const login of ['recover-none', 'recover-off', 'recover-on'])
      expect((await recover(login)).statusCode).toBe(202);
    await vi.waitFor(() => h.outbox.lastEmailCode('recover-on@example.test'), { timeout: 5_000, interval: 10 });
    await h.core.notifications.settle();
    // The disabled account was told it was disabled; nothing else may reach it.
    const sentTo = h.outbox.emailsSent
      .filter((message) => message.subject !== 'Tessera Test: account disabled')
      .map((message) => message.to);
    expect(sentTo).not.toContain(passwordless.email);
    expect(sentTo).not.toContain(disabled.email);
  });
});

describe('deleting an account', () => {
  it('removes its factors, tokens, devices, sessions and flows; its history stays under a stable pseudonym', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const id = await idOf(user.username);
    const email = `gone-${id.slice(0, 8)}@example.test`;
    expect((await call('PATCH', `/admin/users/${id}`, { email })).statusCode).toBe(200);
    const ownToken = json<{ token: string }>(
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/me/api-tokens',
        headers: bearer(user.accessToken),
        payload: { name: 'script' },
      }),
    ).token;
    // Its enrollment is in the history as its own change (actor self).
    const before = await historyOf(`userId=${id}`);
    expect(before.length).toBeGreaterThanOrEqual(2);

    const deleted = await call('DELETE', `/admin/users/${id}`);
    expect(deleted.statusCode, deleted.body).toBe(200);
    const { pseudonym } = json<{ pseudonym: string }>(deleted);
    expect(pseudonym).toMatch(/^deleted-/);

    expect(await h.storage.users.findById(id)).toBeUndefined();
    for (const table of [
      'factors',
      'api_tokens',
      'session_families',
      'refresh_tokens',
      'flows',
      'backup_codes',
    ] as const) {
      const rows = await h.storage.db.selectFrom(table).select('user_id').where('user_id', '=', id).execute();
      expect(rows, table).toEqual([]);
    }
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(ownToken) })).statusCode).toBe(401);
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(user.accessToken) })).statusCode,
    ).toBe(401);
    const refresh = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: user.refreshToken },
    });
    expect(refresh.statusCode).toBe(401);
    expect(json(await signIn(user.username, user.password))).toMatchObject({ error: { code: 'INVALID_CREDENTIALS' } });

    expect(await historyOf(`userId=${id}`)).toEqual([]);
    const all = json<{ items: HistoryItem[] }>(await call('GET', '/admin/history?limit=100')).items;
    const theirs = all.filter((entry) => entry.userPseudonym === pseudonym);
    expect(theirs.length).toBe(before.length + 1);
    expect(theirs.find((entry) => entry.action === 'delete')).toMatchObject({
      action: 'delete',
      actor: 'admin',
      actorId: adminId,
      userId: null,
    });
    const text = JSON.stringify(all);
    for (const personal of [id, user.username, email]) expect(text).not.toContain(personal);
    const ownEntries = theirs.filter((entry) => entry.actor === 'self');
    expect(ownEntries.length).toBeGreaterThan(0);
    for (const entry of ownEntries) expect(entry.actorId).toBe(pseudonym);

    const again = await call('DELETE', `/admin/users/${id}`);
    expect(again.statusCode).toBe(404);
  });

  it('refuses an owner while it owns cPanel e-mail or team accounts, and takes it once they are gone', async () => {
    const owner = await createUser({ username: 'mailowner', password: 'owner password', domain: 'owner.example' });
    expect(owner).toMatchObject({ domain: 'owner.example', ownerId: null, subAccountType: null });
    const mailbox = await createUser({
      username: 'info@owner.example',
      password: 'mailbox password',
      owner: 'mailowner',
      subAccountType: 'email',
    });
    expect(mailbox).toMatchObject({ ownerId: owner.id, subAccountType: 'email', domain: null });
    const listed = json<{ items: Array<{ id: string }> }>(await call('GET', '/admin/users?limit=100')).items;
    expect(listed.find((item) => item.id === owner.id)).toMatchObject({ domain: 'owner.example', ownerId: null });
    expect(listed.find((item) => item.id === mailbox.id)).toMatchObject({ ownerId: owner.id, subAccountType: 'email' });

    const refused = await call('DELETE', `/admin/users/${owner.id}`);
    expect(refused.statusCode).toBe(409);
    expect(json<{ error: { code: string } }>(refused).error.code).toBe('ACCOUNT_OWNS_ACCOUNTS');
    expect(await h.storage.users.findById(owner.id)).toBeDefined();

    expect((await call('DELETE', `/admin/users/${mailbox.id}`)).statusCode).toBe(200);
    expect((await call('DELETE', `/admin/users/${owner.id}`)).statusCode).toBe(200);
    expect(await h.storage.users.findById(owner.id)).toBeUndefined();
  });

  it('gives the same pseudonym to the same account id, and different ones to different accounts', async () => {
    const a = await createUser({ username: 'pseudo-a' });
    const b = await createUser({ username: 'pseudo-b' });
    h.clock.advanceSeconds(1);
    const pa = json<{ pseudonym: string }>(await call('DELETE', `/admin/users/${a.id}`)).pseudonym;
    const pb = json<{ pseudonym: string }>(await call('DELETE', `/admin/users/${b.id}`)).pseudonym;
    expect(pa).not.toBe(pb);
    const all = json<{ items: HistoryItem[] }>(await call('GET', '/admin/history?method=account&limit=100')).items;
    expect(all.filter((entry) => entry.userPseudonym === pa).map((entry) => entry.action)).toEqual([
      'delete',
      'create',
    ]);
  });
});

describe('the user list and unlocking', () => {
  it('shows 2FA, methods, the lock and until when, disabled and externalId; an unlock is in the history', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const id = await idOf(user.username);
    const code = user.codeAt(h.clock.now());
    for (let i = 0; i < 5; i++) await call('POST', '/verify', { username: user.username, code: wrongCode(code) });
    const listed = async () => {
      const page = json<{ items: AdminUserBody[] }>(await call('GET', '/admin/users?limit=100'));
      return page.items.find((item) => item.id === id);
    };
    const locked = await listed();
    expect(locked).toMatchObject({ twoFactorEnabled: true, methods: ['totp'], disabled: false, externalId: null });
    expect(locked?.secondFactorLock.locked).toBe(true);
    expect(Date.parse(locked?.secondFactorLock.lockedUntil ?? '')).toBeGreaterThan(h.clock.now().getTime());

    expect((await call('POST', `/admin/users/${id}/2fa/unlock`)).statusCode).toBe(204);
    expect((await listed())?.secondFactorLock).toEqual({ locked: false, lockedUntil: null, suspended: false });
    const [unlock] = await historyOf(`userId=${id}`);
    expect(unlock).toMatchObject({ method: 'second_factor', action: 'unlock', actor: 'admin', actorId: adminId });

    const platformUser = await createUser({ username: 'listed-ext', externalId: 'listed-1' });
    await call('POST', `/admin/users/${platformUser.id}/disable`);
    const page = json<{ items: AdminUserBody[] }>(await call('GET', '/admin/users?limit=100'));
    expect(page.items.find((item) => item.id === platformUser.id)).toMatchObject({
      externalId: 'listed-1',
      disabled: true,
      twoFactorEnabled: false,
    });
  });
});

describe('integration mode 2: the platform id in admin paths', () => {
  it('every /admin/users/{userId} route takes ext:<externalId>; an unknown one is 404, a read token still writes nothing', async () => {
    const created = await createUser({ username: 'by-ext', externalId: 'org/7:a', email: 'by-ext@example.test' });
    const ext = `/admin/users/${encodeURIComponent('ext:org/7:a')}`;
    expect(json(await call('GET', ext))).toMatchObject({ id: created.id, externalId: 'org/7:a' });
    expect(json(await call('PATCH', ext, { phone: '+359888000111' }))).toMatchObject({
      id: created.id,
      phone: '+359888000111',
    });
    expect(json(await call('GET', `${ext}/factors`))).toEqual({ factors: [] });
    expect((await call('POST', `${ext}/disable`, undefined, readToken)).statusCode).toBe(403);
    expect(json(await call('POST', `${ext}/disable`))).toMatchObject({ id: created.id, disabled: true });
    expect(json(await call('POST', `${ext}/enable`))).toMatchObject({ disabled: false });
    const missing = await call('GET', '/admin/users/ext:nobody-here');
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toMatchObject({ error: { code: 'USER_NOT_FOUND' } });
    expect((await call('GET', '/admin/users/ext:')).statusCode).toBe(400);
    const user = await createTotpUser(h.app, h.clock);
    expect((await call('GET', '/admin/users/ext:org%2F7%3Aa', undefined, user.accessToken)).statusCode).toBe(403);
    expect(json(await call('DELETE', ext))).toMatchObject({ deleted: true });
    expect(await h.storage.users.findById(created.id)).toBeUndefined();
  });
});

describe('integration mode 2: the platform id in /verify', () => {
  it('checks the code of the account the platform knows by its own id', async () => {
    const created = await createUser({ username: 'mode2-user', externalId: 'u-99' });
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const imported = await call('POST', `/admin/users/${created.id}/2fa/totp/import`, { secret });
    expect(imported.statusCode, imported.body).toBe(204);
    const { totpAt, decodeBase32, DEFAULT_TOTP_PARAMS } = await import('@tessera/core');
    const code = totpAt(decodeBase32(secret), Math.floor(h.clock.now().getTime() / 1000), DEFAULT_TOTP_PARAMS);
    expect(json(await call('POST', '/verify', { externalId: 'u-99', code: wrongCode(code) }))).toEqual({
      valid: false,
    });
    expect(json(await call('POST', '/verify', { externalId: 'u-99', code }))).toEqual({ valid: true });
    expect(json(await call('POST', '/verify', { externalId: 'u-99', code }))).toEqual({ valid: false });
    expect(json(await call('POST', '/verify', { externalId: 'u-100', code }))).toMatchObject({
      error: { code: 'USER_NOT_FOUND' },
    });
    expect((await call('POST', '/verify', { externalId: 'u-99', username: 'mode2-user', code })).statusCode).toBe(400);
  });
});

describe("the owner hears of an admin's change", () => {
  /** Every notice sent so far that greets this account, wherever it went. */
  async function noticesFor(username: string) {
    await h.core.notifications.settle();
    return h.outbox.emailsSent.filter((m) => m.text.includes(`Hello ${username},`));
  }

  it('an e-mail change tells the old address (new one masked) and the new address, with no code', async () => {
    const user = await createUser({ username: 'notice-email', email: 'notice-old@example.test' });
    const response = await call('PATCH', `/admin/users/${user.id}`, { email: 'notice-new@example.test' });
    expect(response.statusCode, response.body).toBe(200);
    await h.core.notifications.settle();

    const [old, ...moreOld] = h.outbox.notices('notice-old@example.test');
    expect(moreOld).toEqual([]);
    expect(old?.subject).toBe('Tessera Test: e-mail address changed by an administrator');
    expect(old?.text).toContain('An administrator changed the e-mail address of your account to n***@example.test.');
    expect(old?.text).not.toContain('notice-new@example.test');
    const [fresh, ...moreFresh] = h.outbox.notices('notice-new@example.test');
    expect(moreFresh).toEqual([]);
    expect(fresh?.subject).toBe('Tessera Test: e-mail address set by an administrator');
    for (const message of await noticesFor('notice-email')) expect(message.code).toBeUndefined();
  });

  it('a phone change tells the account address with the number masked; a removal says so', async () => {
    const address = 'notice-phone@example.test';
    const user = await createUser({ username: 'notice-phone', email: address });
    const phone = uniquePhone();
    expect((await call('PATCH', `/admin/users/${user.id}`, { phone })).statusCode).toBe(200);
    await h.core.notifications.settle();
    expect((await call('PATCH', `/admin/users/${user.id}`, { phone: null })).statusCode).toBe(200);
    await h.core.notifications.settle();

    const texts = h.outbox.notices(address).map((m) => [m.subject, m.text]);
    expect(texts).toHaveLength(2);
    const masked = `${phone.slice(0, 4)}${'*'.repeat(phone.length - 7)}${phone.slice(-3)}`;
    expect(texts[0]?.[0]).toBe('Tessera Test: phone number changed by an administrator');
    expect(texts[0]?.[1]).toContain(`changed the phone number of your account to ${masked}.`);
    expect(texts[1]?.[1]).toContain('An administrator removed the phone number of your account.');
    expect(JSON.stringify(texts)).not.toContain(phone);
    expect(JSON.stringify(texts)).not.toContain(phone.slice(4, -3));
  });

  it('a change of both tells the old address of both; a value set to what it was tells no one', async () => {
    const user = await createUser({ username: 'notice-both', email: 'both-old@example.test' });
    const phone = uniquePhone();
    const changed = await call('PATCH', `/admin/users/${user.id}`, { email: 'both-new@example.test', phone });
    expect(changed.statusCode, changed.body).toBe(200);
    await h.core.notifications.settle();
    // Notices are sent in the background: their order is not fixed.
    expect(
      h.outbox
        .notices('both-old@example.test')
        .map((m) => m.subject)
        .sort(),
    ).toEqual([
      'Tessera Test: e-mail address changed by an administrator',
      'Tessera Test: phone number changed by an administrator',
    ]);
    expect(h.outbox.notices('both-new@example.test').map((m) => m.subject)).toEqual([
      'Tessera Test: e-mail address set by an administrator',
    ]);

    const before = (await noticesFor('notice-both')).length;
    const same = await call('PATCH', `/admin/users/${user.id}`, { email: 'both-new@example.test', phone });
    expect(same.statusCode, same.body).toBe(200);
    expect(await noticesFor('notice-both')).toHaveLength(before);
  });

  it('disabling and enabling tell the account address', async () => {
    const address = 'notice-disable@example.test';
    const user = await createUser({ username: 'notice-disable', email: address });
    expect((await call('POST', `/admin/users/${user.id}/disable`)).statusCode).toBe(200);
    await h.core.notifications.settle();
    expect(h.outbox.notices(address).map((m) => m.subject)).toEqual(['Tessera Test: account disabled']);
    expect((await call('POST', `/admin/users/${user.id}/enable`)).statusCode).toBe(200);
    await h.core.notifications.settle();
    const notices = h.outbox.notices(address);
    expect(notices.map((m) => m.subject)).toEqual(['Tessera Test: account disabled', 'Tessera Test: account enabled']);
    expect(notices[0]?.text).toContain('An administrator disabled your account');
    expect(notices[1]?.text).toContain('An administrator enabled your account again');
  });

  it('sends nothing for an account without an address', async () => {
    const user = await createUser({ username: 'notice-none', phone: uniquePhone() });
    expect((await call('PATCH', `/admin/users/${user.id}`, { phone: uniquePhone() })).statusCode).toBe(200);
    expect((await call('POST', `/admin/users/${user.id}/disable`)).statusCode).toBe(200);
    expect((await call('POST', `/admin/users/${user.id}/enable`)).statusCode).toBe(200);
    expect((await call('PATCH', `/admin/users/${user.id}`, { phone: null })).statusCode).toBe(200);
    expect(await noticesFor('notice-none')).toEqual([]);
  });

  it('a first address is told it is now the account address; the phone change goes there too', async () => {
    const user = await createUser({ username: 'notice-first' });
    const phone = uniquePhone();
    const response = await call('PATCH', `/admin/users/${user.id}`, { email: 'notice-first@example.test', phone });
    expect(response.statusCode, response.body).toBe(200);
    await h.core.notifications.settle();
    // Notices are sent in the background: their order is not fixed.
    expect(
      h.outbox
        .notices('notice-first@example.test')
        .map((m) => m.subject)
        .sort(),
    ).toEqual([
      'Tessera Test: e-mail address set by an administrator',
      'Tessera Test: phone number changed by an administrator',
    ]);
  });

  it('a notice that cannot be sent does not undo or fail the change', async () => {
    const address = 'notice-fails@example.test';
    const user = await createUser({ username: 'notice-fails', email: address });
    h.outbox.failNext(1, address);
    const response = await call('PATCH', `/admin/users/${user.id}`, { email: 'notice-fails-new@example.test' });
    expect(response.statusCode, response.body).toBe(200);
    await h.core.notifications.settle();
    expect(h.outbox.notices(address)).toEqual([]);
    expect(await h.storage.users.findById(user.id)).toMatchObject({ email: 'notice-fails-new@example.test' });
    expect(h.outbox.notices('notice-fails-new@example.test')).toHaveLength(1);
  });
});

describe('username, role and password set by an admin', () => {
  it('renames an account and changes its role, recorded by field; a role change ends its sessions', async () => {
    const user = await createUser({ username: 'rename-me', password: 'old long password', email: 'r@example.test' });
    const signedIn = json<{ accessToken: string }>(await signIn('rename-me', 'old long password'));
    const changed = await call('PATCH', `/admin/users/${user.id}`, { username: 'renamed', role: 'admin' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(json(changed)).toMatchObject({ id: user.id, username: 'renamed', role: 'admin' });
    // The access token carried role user: it ends with its session.
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(signedIn.accessToken) });
    expect(me.statusCode).toBe(401);
    expect((await signIn('renamed', 'old long password')).statusCode).toBe(200);
    const entry = (await historyOf(`userId=${user.id}`)).find((item) => item.action === 'update');
    expect(entry).toMatchObject({ method: 'account', action: 'update', actor: 'admin', actorId: adminId });
    expect(entry?.details).toEqual({ changed: ['username', 'role'] });
    expect(JSON.stringify(entry)).not.toContain('renamed');
  });

  it('refuses a username another account has, a malformed one, and a change of the own role', async () => {
    const user = await createUser({ username: 'second-name' });
    await createUser({ username: 'taken-name' });
    const taken = await call('PATCH', `/admin/users/${user.id}`, { username: 'taken-name', role: 'admin' });
    expect(json(taken)).toMatchObject({ error: { code: 'USERNAME_TAKEN' } });
    // Nothing of the refused change was written, the role included.
    expect(json(await call('GET', `/admin/users/${user.id}`))).toMatchObject({ username: 'second-name', role: 'user' });
    expect((await call('PATCH', `/admin/users/${user.id}`, { username: 'a b' })).statusCode).toBe(400);
    const own = await call('PATCH', `/admin/users/${adminId}`, { role: 'user' });
    expect(own.statusCode).toBe(403);
    expect(json(own)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const readOnly = await call('PATCH', `/admin/users/${user.id}`, { role: 'admin' }, readToken);
    expect(readOnly.statusCode).toBe(403);
  });

  it('sets a new password: recorded, the owner told, every session ended, the old password refused', async () => {
    const user = await createUser({ username: 'forgot-it', password: 'old long password', email: 'f@example.test' });
    const signedIn = json<{ accessToken: string }>(await signIn('forgot-it', 'old long password'));
    const set = await call('POST', `/admin/users/${user.id}/password`, { password: 'brand new passphrase' });
    expect(set.statusCode, set.body).toBe(204);
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(signedIn.accessToken) });
    expect(me.statusCode).toBe(401);
    expect((await signIn('forgot-it', 'old long password')).statusCode).toBe(401);
    expect((await signIn('forgot-it', 'brand new passphrase')).statusCode).toBe(200);
    const entry = (await historyOf(`userId=${user.id}`)).find((item) => item.action === 'update');
    expect(entry).toMatchObject({ actor: 'admin', actorId: adminId, details: { changed: ['password'] } });
    await h.core.notifications.settle();
    const notice = h.outbox.notices('f@example.test').find((mail) => mail.subject.includes('password changed'));
    expect(notice?.text).toContain('An administrator set a new password');
    expect(notice?.text).toContain('1 session ended');
    expect(notice?.text).not.toContain('brand new passphrase');
  });

  it('gives an account made without a password its first, and refuses a short one and the own account', async () => {
    const user = await createUser({ username: 'no-password-yet' });
    expect((await call('POST', `/admin/users/${user.id}/password`, { password: 'short' })).statusCode).toBe(400);
    expect((await call('POST', `/admin/users/${user.id}/password`, { password: 'first passphrase' })).statusCode).toBe(
      204,
    );
    expect(json(await call('GET', `/admin/users/${user.id}`))).toMatchObject({ hasPassword: true });
    const own = await call('POST', `/admin/users/${adminId}/password`, { password: 'my own passphrase' });
    expect(json(own)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const nobody = await call('POST', '/admin/users/00000000-0000-4000-8000-000000000000/password', {
      password: 'first passphrase',
    });
    expect(json(nobody)).toMatchObject({ error: { code: 'USER_NOT_FOUND' } });
  });
});
