import { randomBytes } from 'node:crypto';
import {
  DEFAULT_TOTP_PARAMS,
  decodeBase32,
  encodeBase32,
  parseOtpauthUri,
  type TotpParams,
  totpAt,
} from '@tessera/core';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  bearer,
  createHarness,
  createSignedInUser,
  enrollTotp,
  type Harness,
  json,
  type SignedInUser,
  uniquePhone,
} from '../support/harness.js';

interface HistoryEntry {
  id: string;
  userId: string | null;
  method: string;
  action: string;
  enabled: boolean;
  actor: string;
  actorId: string | null;
  clientIp: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

interface HistoryPage {
  items: HistoryEntry[];
  total: number;
  limit: number;
  offset: number;
}

interface PolicyView {
  required: boolean;
  gracePeriodDays: number;
  requiredSince: string | null;
  methods: Record<string, boolean>;
  rememberDeviceForAdmins: boolean;
  phishingResistantForAdmins: boolean;
  restrictedMethods: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LOCAL_IP = '127.0.0.1';
const DAY_SECONDS = 86_400;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

// One server for the file. Every test works with accounts of its own, starts a minute after the
// one before, and reads the system-wide history from its start on; the policy and the system
// issuer are put back after each test.
let h: Harness;
let testStart: string;
beforeAll(async () => {
  h = await createHarness();
});
beforeEach(() => {
  h.clock.advanceSeconds(60);
  testStart = h.clock.now().toISOString();
});
afterEach(async () => {
  await h.core.notifications.settle();
  await h.resetSettings();
});
afterAll(async () => h.close());

/** A history query for the entries recorded since this test began, with more `params`. */
function sinceTestStart(params = ''): string {
  return `?from=${encodeURIComponent(testStart)}${params ? `&${params}` : ''}`;
}

function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, token?: string, payload?: object) {
  return h.app.inject({
    method,
    url: `/api/v1${path}`,
    headers: token ? bearer(token) : {},
    ...(payload === undefined ? {} : { payload }),
  });
}

function expectError(response: LightMyRequestResponse, status: number, code: string): void {
  expect({ status: response.statusCode, body: json(response) }).toEqual({
    status,
    body: { error: { code, message: expect.any(String) } },
  });
}

function codeFor(secret: string, at: Date, params: TotpParams = DEFAULT_TOTP_PARAMS): string {
  return totpAt(decodeBase32(secret), Math.floor(at.getTime() / 1000), params);
}

async function signIn(username: string, password: string): Promise<LightMyRequestResponse> {
  return call('POST', '/auth/sign-in', undefined, { username, password });
}

/** Signs in again (access tokens live 15 minutes; the policy tests move the clock by days). */
async function freshAccessToken(user: SignedInUser): Promise<string> {
  const body = json<{ status: string; accessToken?: string }>(await signIn(user.username, user.password));
  if (!body.accessToken) throw new Error(`expected a password-only sign-in, got ${JSON.stringify(body)}`);
  return body.accessToken;
}

async function adminApiToken(admin: SignedInUser): Promise<string> {
  return (await h.core.apiTokens.issue(admin.id, 'admin automation', 'write')).token;
}

/** Enables TOTP through POST /me/2fa/enable and its confirm step; returns the key. */
async function enableTotp(accessToken: string): Promise<{ secret: string; otpauthUri: string }> {
  const started = await call('POST', '/me/2fa/enable', accessToken, { method: 'totp' });
  expect(started.statusCode).toBe(201);
  const { flowId, totp } = json<{ flowId: string; totp: { secret: string; otpauthUri: string } }>(started);
  const confirmed = await call('POST', `/me/2fa/enable/${flowId}/confirm`, accessToken, {
    code: codeFor(totp.secret, h.clock.now()),
  });
  expect(confirmed.statusCode).toBe(200);
  return totp;
}

async function startTotpEnable(accessToken: string): Promise<{ secret: string; otpauthUri: string }> {
  const started = await call('POST', '/me/2fa/enable', accessToken, { method: 'totp' });
  expect(started.statusCode).toBe(201);
  return json<{ totp: { secret: string; otpauthUri: string } }>(started).totp;
}

async function enableBackupCodes(accessToken: string): Promise<string[]> {
  const started = await call('POST', '/me/2fa/enable', accessToken, { method: 'backup_codes' });
  expect(started.statusCode).toBe(201);
  return json<{ backupCodes: { codes: string[] } }>(started).backupCodes.codes;
}

async function disableWithCode(accessToken: string, method: string, code: string): Promise<void> {
  const started = await call('POST', '/me/2fa/disable', accessToken, { method });
  expect(started.statusCode).toBe(201);
  const { flowId } = json<{ flowId: string }>(started);
  const confirmed = await call('POST', `/me/2fa/disable/${flowId}/confirm`, accessToken, { code });
  expect(confirmed.statusCode).toBe(200);
  expect(json(confirmed)).toMatchObject({ state: 'disabled', method });
}

async function myHistory(accessToken: string, query = ''): Promise<HistoryPage> {
  const response = await call('GET', `/me/2fa/history${query}`, accessToken);
  expect(response.statusCode).toBe(200);
  return json<HistoryPage>(response);
}

async function adminHistory(token: string, query = ''): Promise<HistoryPage> {
  const response = await call('GET', `/admin/history${query}`, token);
  expect(response.statusCode).toBe(200);
  return json<HistoryPage>(response);
}

async function resetNotices(email: string): Promise<string[]> {
  await h.core.notifications.settle();
  return h.outbox
    .notices(email)
    .map((m) => m.subject)
    .filter((subject) => subject.includes('reset'));
}

describe('2FA change history', () => {
  it('records enabling TOTP through POST /me/2fa/enable with method, action, actor, address and time', async () => {
    const user = await createSignedInUser(h);
    const enabledAt = h.clock.now().toISOString();
    await enableTotp(user.accessToken);

    const page = await myHistory(user.accessToken);
    expect(page).toEqual({
      items: [
        {
          id: expect.stringMatching(UUID),
          userId: user.id,
          userPseudonym: null,
          method: 'totp',
          action: 'enable',
          enabled: true,
          actor: 'self',
          actorId: user.id,
          clientIp: LOCAL_IP,
          details: {},
          createdAt: enabledAt,
        },
      ],
      total: 1,
      limit: 20,
      offset: 0,
    });
  });

  it('records enabling TOTP through the older /me/factors/totp + confirm', async () => {
    const user = await createSignedInUser(h);
    const enabledAt = h.clock.now().toISOString();
    await enrollTotp(h.app, user.accessToken, h.clock.now());

    const page = await myHistory(user.accessToken);
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({
      userId: user.id,
      method: 'totp',
      action: 'enable',
      enabled: true,
      actor: 'self',
      actorId: user.id,
      clientIp: LOCAL_IP,
      createdAt: enabledAt,
    });
  });

  it('does not record a begun but unconfirmed enrollment', async () => {
    const user = await createSignedInUser(h);
    await startTotpEnable(user.accessToken);
    const begun = await call('POST', '/me/factors/totp', user.accessToken);
    expect(begun.statusCode).toBe(201);
    expect(await myHistory(user.accessToken)).toMatchObject({ items: [], total: 0 });
  });

  it('records enabling backup codes and disabling with a code', async () => {
    const user = await createSignedInUser(h);
    const codes = await enableBackupCodes(user.accessToken);
    h.clock.advanceSeconds(60);
    const totp = await enableTotp(user.accessToken);
    h.clock.advanceSeconds(60);
    await disableWithCode(user.accessToken, 'backup_codes', codes[0]!);
    h.clock.advanceSeconds(60);
    const disabledAt = h.clock.now();
    await disableWithCode(user.accessToken, 'totp', codeFor(totp.secret, disabledAt));

    const page = await myHistory(user.accessToken, '?order=asc');
    expect(page.total).toBe(4);
    expect(page.items.map((e) => [e.method, e.action, e.enabled])).toEqual([
      ['backup_codes', 'enable', true],
      ['totp', 'enable', true],
      ['backup_codes', 'disable', false],
      ['totp', 'disable', false],
    ]);
    expect(page.items[3]!.createdAt).toBe(disabledAt.toISOString());
    for (const entry of page.items) {
      expect(entry).toMatchObject({ userId: user.id, actor: 'self', actorId: user.id, clientIp: LOCAL_IP });
    }
    const status = json<{ methods: string[] }>(await call('GET', '/me/2fa', user.accessToken));
    expect(status.methods).toEqual([]);
  });

  it('takes the backup codes away with the last other factor, and records both', async () => {
    const user = await createSignedInUser(h);
    await enableBackupCodes(user.accessToken);
    h.clock.advanceSeconds(60);
    const totp = await enableTotp(user.accessToken);
    h.clock.advanceSeconds(60);
    await disableWithCode(user.accessToken, 'totp', codeFor(totp.secret, h.clock.now()));

    const page = await myHistory(user.accessToken, '?order=asc');
    const changes = page.items.map((e) => `${e.method}:${e.action}:${e.enabled}`);
    expect(changes.slice(0, 2)).toEqual(['backup_codes:enable:true', 'totp:enable:true']);
    // Both removals were written at one moment, in one transaction: compare them as a set.
    expect(changes.slice(2).sort()).toEqual(['backup_codes:disable:false', 'totp:disable:false']);
    const status = json<{ methods: string[] }>(await call('GET', '/me/2fa', user.accessToken));
    expect(status.methods).toEqual([]);
  });

  it('an admin changing their own 2FA is recorded as "self"', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    await enableTotp(admin.accessToken);
    const page = await myHistory(admin.accessToken);
    expect(page.items).toEqual([expect.objectContaining({ actor: 'self', actorId: admin.id, userId: admin.id })]);
  });

  describe('filters, order and paging', () => {
    let user: SignedInUser;
    let times: string[];

    /** t0 enable totp, t1 enable backup codes, t2 disable backup codes, t3 disable totp: one minute apart. */
    beforeEach(async () => {
      user = await createSignedInUser(h);
      times = [];
      times.push(h.clock.now().toISOString());
      const totp = await enableTotp(user.accessToken);
      h.clock.advanceSeconds(60);
      times.push(h.clock.now().toISOString());
      const codes = await enableBackupCodes(user.accessToken);
      h.clock.advanceSeconds(60);
      times.push(h.clock.now().toISOString());
      await disableWithCode(user.accessToken, 'backup_codes', codes[0]!);
      h.clock.advanceSeconds(60);
      times.push(h.clock.now().toISOString());
      await disableWithCode(user.accessToken, 'totp', codeFor(totp.secret, h.clock.now()));
      h.clock.advanceSeconds(60);
      // Another account's changes never show in this user's history.
      const other = await createSignedInUser(h);
      await enableBackupCodes(other.accessToken);
    });

    const summary = (page: HistoryPage) => page.items.map((e) => `${e.method}:${e.action}`);

    it('lists newest first by default, oldest first with order=asc', async () => {
      const desc = await myHistory(user.accessToken);
      expect(summary(desc)).toEqual(['totp:disable', 'backup_codes:disable', 'backup_codes:enable', 'totp:enable']);
      expect(desc.items.map((e) => e.createdAt)).toEqual([...times].reverse());
      expect(desc.total).toBe(4);
      const asc = await myHistory(user.accessToken, '?order=asc');
      expect(summary(asc)).toEqual(['totp:enable', 'backup_codes:enable', 'backup_codes:disable', 'totp:disable']);
      const explicitDesc = await myHistory(user.accessToken, '?order=desc');
      expect(summary(explicitDesc)).toEqual(summary(desc));
    });

    it('filters by method and by enabled', async () => {
      const totp = await myHistory(user.accessToken, '?method=totp');
      expect(summary(totp)).toEqual(['totp:disable', 'totp:enable']);
      expect(totp.total).toBe(2);
      const off = await myHistory(user.accessToken, '?enabled=false');
      expect(summary(off)).toEqual(['totp:disable', 'backup_codes:disable']);
      expect(off.total).toBe(2);
      const on = await myHistory(user.accessToken, '?enabled=true&method=backup_codes');
      expect(summary(on)).toEqual(['backup_codes:enable']);
      expect(on.total).toBe(1);
      const none = await myHistory(user.accessToken, '?method=sms');
      expect(none).toMatchObject({ items: [], total: 0 });
    });

    it('from is inclusive and to is exclusive', async () => {
      const q = (params: Record<string, string>) => `?${new URLSearchParams({ order: 'asc', ...params })}`;
      const fromT1 = await myHistory(user.accessToken, q({ from: times[1]! }));
      expect(summary(fromT1)).toEqual(['backup_codes:enable', 'backup_codes:disable', 'totp:disable']);
      expect(fromT1.total).toBe(3);
      const toT2 = await myHistory(user.accessToken, q({ to: times[2]! }));
      expect(summary(toT2)).toEqual(['totp:enable', 'backup_codes:enable']);
      expect(toT2.total).toBe(2);
      const between = await myHistory(user.accessToken, q({ from: times[1]!, to: times[3]! }));
      expect(summary(between)).toEqual(['backup_codes:enable', 'backup_codes:disable']);
      const justAfter = new Date(Date.parse(times[1]!) + 1).toISOString();
      const fromJustAfterT1 = await myHistory(user.accessToken, q({ from: justAfter }));
      expect(summary(fromJustAfterT1)).toEqual(['backup_codes:disable', 'totp:disable']);
      const empty = await myHistory(user.accessToken, q({ from: times[2]!, to: times[2]! }));
      expect(empty).toMatchObject({ items: [], total: 0 });
    });

    it('pages with limit and offset and reports the total of the whole filtered set', async () => {
      const first = await myHistory(user.accessToken, '?order=asc&limit=2');
      expect(first).toMatchObject({ total: 4, limit: 2, offset: 0 });
      expect(summary(first)).toEqual(['totp:enable', 'backup_codes:enable']);
      const second = await myHistory(user.accessToken, '?order=asc&limit=2&offset=2');
      expect(second).toMatchObject({ total: 4, limit: 2, offset: 2 });
      expect(summary(second)).toEqual(['backup_codes:disable', 'totp:disable']);
      const middle = await myHistory(user.accessToken, '?order=asc&limit=1&offset=1');
      expect(summary(middle)).toEqual(['backup_codes:enable']);
      const past = await myHistory(user.accessToken, '?limit=2&offset=10');
      expect(past).toEqual({ items: [], total: 4, limit: 2, offset: 10 });
      const filtered = await myHistory(user.accessToken, '?enabled=false&limit=1&offset=1');
      expect(filtered).toMatchObject({ total: 2, limit: 1, offset: 1 });
      expect(summary(filtered)).toEqual(['backup_codes:disable']);
    });
  });

  it('GET /me/2fa/history/{id} returns one own entry; another account’s entry is not found', async () => {
    const user = await createSignedInUser(h);
    const other = await createSignedInUser(h);
    await enableTotp(user.accessToken);
    await enableBackupCodes(other.accessToken);
    const [mine] = (await myHistory(user.accessToken)).items;
    const [theirs] = (await myHistory(other.accessToken)).items;

    const one = await call('GET', `/me/2fa/history/${mine!.id}`, user.accessToken);
    expect(one.statusCode).toBe(200);
    expect(json(one)).toEqual(mine);

    expectError(await call('GET', `/me/2fa/history/${theirs!.id}`, user.accessToken), 404, 'HISTORY_ENTRY_NOT_FOUND');
    expectError(
      await call('GET', '/me/2fa/history/00000000-0000-4000-8000-000000000000', user.accessToken),
      404,
      'HISTORY_ENTRY_NOT_FOUND',
    );
    expectError(await call('GET', '/me/2fa/history/not-a-uuid', user.accessToken), 400, 'VALIDATION_FAILED');
  });

  it('a policy entry (no account) is not part of any user’s own history', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const user = await createSignedInUser(h);
    expect((await call('PUT', '/admin/policy', admin.accessToken, { gracePeriodDays: 3 })).statusCode).toBe(200);
    const [policyEntry] = (await adminHistory(admin.accessToken, sinceTestStart('method=policy'))).items;
    expect(policyEntry).toBeDefined();
    expect(await myHistory(user.accessToken)).toMatchObject({ items: [], total: 0 });
    expectError(
      await call('GET', `/me/2fa/history/${policyEntry!.id}`, user.accessToken),
      404,
      'HISTORY_ENTRY_NOT_FOUND',
    );
  });

  it.each([
    ['limit=0'],
    ['limit=101'],
    ['limit=abc'],
    ['offset=-1'],
    ['from=yesterday'],
    ['from=2026-01-01'],
    ['to=not-a-date'],
    ['order=sideways'],
    ['enabled=maybe'],
    ['unknown=1'],
  ])('refuses the history query %s with 400', async (query) => {
    const user = await createSignedInUser(h);
    const admin = await createSignedInUser(h, { role: 'admin' });
    expectError(await call('GET', `/me/2fa/history?${query}`, user.accessToken), 400, 'VALIDATION_FAILED');
    expectError(await call('GET', `/admin/history?${query}`, admin.accessToken), 400, 'VALIDATION_FAILED');
  });

  it('accepts the limits at their bounds', async () => {
    const user = await createSignedInUser(h);
    expect(await myHistory(user.accessToken, '?limit=1')).toMatchObject({ limit: 1 });
    expect(await myHistory(user.accessToken, '?limit=100')).toMatchObject({ limit: 100 });
  });

  it('needs a signed-in caller', async () => {
    expectError(await call('GET', '/me/2fa/history'), 401, 'UNAUTHENTICATED');
  });

  it('admin GET /admin/history filters by userId, and /admin/history/{id} returns any entry', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const alice = await createSignedInUser(h);
    const bob = await createSignedInUser(h);
    await enableTotp(alice.accessToken);
    await enableBackupCodes(alice.accessToken);
    await enableBackupCodes(bob.accessToken);

    const aliceOnly = await adminHistory(admin.accessToken, `?userId=${alice.id}`);
    expect(aliceOnly.total).toBe(2);
    expect(aliceOnly.items.every((e) => e.userId === alice.id)).toBe(true);
    const bobOnly = await adminHistory(admin.accessToken, `?userId=${bob.id}`);
    expect(bobOnly.items).toEqual([expect.objectContaining({ userId: bob.id, method: 'backup_codes' })]);
    const aliceTotp = await adminHistory(admin.accessToken, `?userId=${alice.id}&method=totp`);
    expect(aliceTotp.items).toEqual([expect.objectContaining({ userId: alice.id, method: 'totp' })]);
    const everyone = await adminHistory(admin.accessToken, sinceTestStart());
    expect(everyone.total).toBe(3);
    const nobody = await adminHistory(admin.accessToken, `?userId=${admin.id}`);
    expect(nobody.total).toBe(0);
    expectError(await call('GET', '/admin/history?userId=alice', admin.accessToken), 400, 'VALIDATION_FAILED');

    const entry = bobOnly.items[0]!;
    const one = await call('GET', `/admin/history/${entry.id}`, admin.accessToken);
    expect(one.statusCode).toBe(200);
    expect(json(one)).toEqual(entry);
    expectError(
      await call('GET', '/admin/history/00000000-0000-4000-8000-000000000000', admin.accessToken),
      404,
      'HISTORY_ENTRY_NOT_FOUND',
    );
  });
});

describe('admin operations', () => {
  it('a non-admin gets 403 FORBIDDEN on every /admin route, and changes nothing', async () => {
    const user = await createSignedInUser(h);
    const victim = await createSignedInUser(h);
    await enrollTotp(h.app, victim.accessToken, h.clock.now());
    const userToken = (await h.core.apiTokens.issue(user.id, 'script', 'write')).token;
    const routes: Array<['GET' | 'POST' | 'PUT' | 'DELETE', string, object?]> = [
      ['GET', '/admin/users'],
      ['GET', `/admin/users/${victim.id}/factors`],
      ['DELETE', `/admin/users/${victim.id}/2fa`],
      ['POST', `/admin/users/${victim.id}/2fa/totp/export`],
      ['POST', `/admin/users/${victim.id}/2fa/totp/import`, { secret: encodeBase32(randomBytes(20)) }],
      ['PUT', `/admin/users/${victim.id}/issuer`, { issuer: 'Evil' }],
      ['PUT', `/admin/users/${UNKNOWN_ID}/issuer`, { issuer: 'Evil' }],
      ['GET', '/admin/settings/issuer'],
      ['PUT', '/admin/settings/issuer', { issuer: 'Evil' }],
      ['GET', '/admin/policy'],
      ['PUT', '/admin/policy', { required: true }],
      ['GET', '/admin/history'],
      ['GET', `/admin/history?userId=${victim.id}`],
      ['GET', `/admin/history/${UNKNOWN_ID}`],
    ];
    for (const token of [user.accessToken, userToken]) {
      for (const [method, path, payload] of routes) {
        const response = await call(method, path, token, payload);
        expect({ route: `${method} ${path}`, status: response.statusCode, body: json(response) }).toEqual({
          route: `${method} ${path}`,
          status: 403,
          body: { error: { code: 'FORBIDDEN', message: expect.any(String) } },
        });
      }
    }
    // Nothing was changed by the refused calls.
    const admin = await createSignedInUser(h, { role: 'admin' });
    expect(
      json<{ factors: unknown[] }>(await call('GET', `/admin/users/${victim.id}/factors`, admin.accessToken)),
    ).toMatchObject({ factors: [expect.objectContaining({ method: 'totp', status: 'active' })] });
    expect(json(await call('GET', '/admin/settings/issuer', admin.accessToken))).toEqual({ issuer: 'Tessera Test' });
    expect(json(await call('GET', '/admin/policy', admin.accessToken))).toMatchObject({ required: false });
    expect((await adminHistory(admin.accessToken, `?userId=${victim.id}`)).items.map((e) => e.action)).toEqual([
      'enable',
    ]);
  });

  it('a non-admin is refused before the request is validated', async () => {
    const user = await createSignedInUser(h);
    expectError(await call('PUT', '/admin/settings/issuer', user.accessToken, {}), 403, 'FORBIDDEN');
    expectError(await call('PUT', '/admin/policy', user.accessToken, { required: 'yes' }), 403, 'FORBIDDEN');
    expectError(await call('GET', '/admin/users/not-a-uuid/factors', user.accessToken), 403, 'FORBIDDEN');
    expectError(await call('GET', '/admin/history?limit=0', user.accessToken), 403, 'FORBIDDEN');
  });

  it('without a token every /admin route is 401', async () => {
    expectError(await call('GET', '/admin/users'), 401, 'UNAUTHENTICATED');
    expectError(await call('GET', '/admin/policy'), 401, 'UNAUTHENTICATED');
    expectError(await call('DELETE', `/admin/users/${UNKNOWN_ID}/2fa`), 401, 'UNAUTHENTICATED');
  });

  describe('on a server of its own, since the list holds every account', () => {
    let shared: Harness;
    beforeAll(async () => {
      shared = h;
      h = await createHarness();
    });
    afterAll(async () => {
      await h.close();
      h = shared;
    });

    it('GET /admin/users lists users with their active methods, paged, with the total', async () => {
      const admin = await createSignedInUser(h, { role: 'admin', username: 'a-admin' });
      const both = await createSignedInUser(h, { username: 'b-both' });
      await enableTotp(both.accessToken);
      await enableBackupCodes(both.accessToken);
      const pending = await createSignedInUser(h, { username: 'c-pending' });
      await startTotpEnable(pending.accessToken);
      await createSignedInUser(h, { username: 'd-plain' });

      const first = await call('GET', '/admin/users?limit=2', admin.accessToken);
      expect(first.statusCode).toBe(200);
      const firstPage = json<{ items: Array<Record<string, unknown>>; total: number }>(first);
      expect(firstPage.total).toBe(4);
      expect(firstPage.items).toEqual([
        {
          id: admin.id,
          username: 'a-admin',
          email: 'a-admin@example.test',
          role: 'admin',
          twoFactorEnabled: false,
          methods: [],
          externalId: null,
          disabled: false,
          secondFactorLock: { locked: false, lockedUntil: null, suspended: false },
          domain: null,
          ownerId: null,
          subAccountType: null,
        },
        {
          id: both.id,
          username: 'b-both',
          email: 'b-both@example.test',
          role: 'user',
          twoFactorEnabled: true,
          methods: ['backup_codes', 'totp'],
          externalId: null,
          disabled: false,
          secondFactorLock: { locked: false, lockedUntil: null, suspended: false },
          domain: null,
          ownerId: null,
          subAccountType: null,
        },
      ]);
      const second = json<{ items: Array<Record<string, unknown>>; total: number }>(
        await call('GET', '/admin/users?limit=2&offset=2', admin.accessToken),
      );
      expect(second.total).toBe(4);
      expect(second.items).toEqual([
        expect.objectContaining({ id: pending.id, username: 'c-pending', twoFactorEnabled: false, methods: [] }),
        expect.objectContaining({ username: 'd-plain', twoFactorEnabled: false, methods: [] }),
      ]);
      const past = json(await call('GET', '/admin/users?offset=10', admin.accessToken));
      expect(past).toEqual({ items: [], total: 4 });
      const all = json<{ items: unknown[] }>(await call('GET', '/admin/users', admin.accessToken));
      expect(all.items).toHaveLength(4);

      expectError(await call('GET', '/admin/users?limit=0', admin.accessToken), 400, 'VALIDATION_FAILED');
      expectError(await call('GET', '/admin/users?limit=101', admin.accessToken), 400, 'VALIDATION_FAILED');
      expectError(await call('GET', '/admin/users?sort=name', admin.accessToken), 400, 'VALIDATION_FAILED');
    });
  });

  it("GET /admin/users/{id}/factors lists a user's factors; an unknown id is 404", async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const user = await createSignedInUser(h);
    const totp = await enrollTotp(h.app, user.accessToken, h.clock.now());

    const response = await call('GET', `/admin/users/${user.id}/factors`, admin.accessToken);
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({
      factors: [expect.objectContaining({ id: totp.factorId, method: 'totp', status: 'active' })],
    });
    expect(response.body).not.toContain(totp.secret);
    const plain = await createSignedInUser(h);
    expect(json(await call('GET', `/admin/users/${plain.id}/factors`, admin.accessToken))).toEqual({ factors: [] });
    expectError(await call('GET', `/admin/users/${UNKNOWN_ID}/factors`, admin.accessToken), 404, 'USER_NOT_FOUND');
    expectError(await call('GET', '/admin/users/not-a-uuid/factors', admin.accessToken), 400, 'VALIDATION_FAILED');
  });

  it('DELETE /admin/users/{id}/2fa removes every factor, is recorded as the admin, and e-mails the user once', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const user = await createSignedInUser(h);
    await enableTotp(user.accessToken);
    await enableBackupCodes(user.accessToken);
    h.clock.advanceSeconds(60);
    expect(json(await signIn(user.username, user.password))).toMatchObject({ status: 'second_factor_required' });

    const resetAt = h.clock.now().toISOString();
    const reset = await call('DELETE', `/admin/users/${user.id}/2fa`, admin.accessToken);
    expect(reset.statusCode).toBe(200);
    expect(json(reset)).toEqual({ removed: ['backup_codes', 'totp'] });

    expect(json(await call('GET', `/admin/users/${user.id}/factors`, admin.accessToken))).toEqual({ factors: [] });
    const signedIn = await signIn(user.username, user.password);
    expect(json(signedIn)).toMatchObject({ status: 'signed_in', accessToken: expect.any(String) });
    // The reset ended the sessions the user had: they go on with the one just started.
    expect((await call('GET', '/me/2fa', user.accessToken)).statusCode).toBe(401);
    const accessToken = json<{ accessToken: string }>(signedIn).accessToken;
    const status = json(await call('GET', '/me/2fa', accessToken));
    expect(status).toMatchObject({ methods: [], backupCodesRemaining: 0 });

    const entries = await adminHistory(admin.accessToken, `?userId=${user.id}&from=${encodeURIComponent(resetAt)}`);
    expect(entries.total).toBe(2);
    expect(entries.items.map((e) => e.method).sort()).toEqual(['backup_codes', 'totp']);
    for (const entry of entries.items) {
      expect(entry).toMatchObject({
        userId: user.id,
        action: 'reset',
        enabled: false,
        actor: 'admin',
        actorId: admin.id,
        clientIp: LOCAL_IP,
        createdAt: resetAt,
      });
    }
    // The user sees the admin's reset in their own history.
    expect((await myHistory(accessToken, '?enabled=false')).items.map((e) => e.actor)).toEqual(['admin', 'admin']);

    expect(await resetNotices(user.email)).toEqual(['Tessera Test: two-factor authentication reset']);
    expect(await resetNotices(admin.email)).toEqual([]);

    // A second reset removes what was enabled since; with nothing left, nothing is recorded and nobody told.
    await enableBackupCodes(accessToken);

    const again = await call('DELETE', `/admin/users/${user.id}/2fa`, admin.accessToken);
    expect(json(again)).toEqual({ removed: ['backup_codes'] });
    const third = await call('DELETE', `/admin/users/${user.id}/2fa`, admin.accessToken);
    expect(json(third)).toEqual({ removed: [] });
    expect((await adminHistory(admin.accessToken, `?userId=${user.id}&method=backup_codes`)).total).toBe(4);
    expect(await resetNotices(user.email)).toHaveLength(2);
  });

  it('DELETE /admin/users/{id}/2fa of an unknown user is 404', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    expectError(await call('DELETE', `/admin/users/${UNKNOWN_ID}/2fa`, admin.accessToken), 404, 'USER_NOT_FOUND');
  });

  it('export returns a key that makes the same codes as the user’s app, and records every export', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const user = await createSignedInUser(h);
    const totp = await enrollTotp(h.app, user.accessToken, h.clock.now());
    h.clock.advanceSeconds(1);

    const exported = await call('POST', `/admin/users/${user.id}/2fa/totp/export`, admin.accessToken);
    expect(exported.statusCode).toBe(200);
    const body = json<{ secret: string; otpauthUri: string; algorithm: string; digits: number; period: number }>(
      exported,
    );
    expect(body).toMatchObject({ algorithm: 'SHA1', digits: 6, period: 30 });
    expect(decodeBase32(body.secret)).toEqual(decodeBase32(totp.secret));
    for (const offset of [0, 30, 3600, 86_400 * 365]) {
      const at = new Date(h.clock.now().getTime() + offset * 1000);
      expect(codeFor(body.secret, at)).toBe(totp.codeAt(at));
    }
    expect(parseOtpauthUri(body.otpauthUri)).toMatchObject({
      issuer: 'Tessera Test',
      accountName: user.username,
      secret: body.secret,
    });

    h.clock.advanceSeconds(60);
    const secondAt = h.clock.now().toISOString();
    expect((await call('POST', `/admin/users/${user.id}/2fa/totp/export`, admin.accessToken)).statusCode).toBe(200);
    const exports = await adminHistory(admin.accessToken, `?userId=${user.id}&order=asc`);
    expect(exports.items.map((e) => e.action)).toEqual(['enable', 'export', 'export']);
    expect(exports.items[2]).toMatchObject({
      method: 'totp',
      action: 'export',
      actor: 'admin',
      actorId: admin.id,
      clientIp: LOCAL_IP,
      createdAt: secondAt,
    });
    expect(JSON.stringify(exports)).not.toContain(body.secret);
    await h.core.notifications.settle();
    const notices = h.outbox.notices(user.email).filter((m) => m.subject.includes('authenticator key exported'));
    expect(notices).toHaveLength(2);
    expect(JSON.stringify(notices)).not.toContain(body.secret);
  });

  it('export of a user without TOTP is 409; of an unknown user 404', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const user = await createSignedInUser(h);
    await startTotpEnable(user.accessToken);
    expectError(
      await call('POST', `/admin/users/${user.id}/2fa/totp/export`, admin.accessToken),
      409,
      'METHOD_NOT_ACTIVE',
    );
    expectError(
      await call('POST', `/admin/users/${UNKNOWN_ID}/2fa/totp/export`, admin.accessToken),
      404,
      'USER_NOT_FOUND',
    );
    expect((await adminHistory(admin.accessToken, sinceTestStart())).total).toBe(0);
  });

  it('import installs a key: its codes verify through POST /verify and at sign-in', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const token = await adminApiToken(admin);
    const user = await createSignedInUser(h);
    const secret = encodeBase32(randomBytes(20));

    const imported = await call('POST', `/admin/users/${user.id}/2fa/totp/import`, admin.accessToken, { secret });
    expect(imported.statusCode).toBe(204);
    expect(json(await call('GET', `/admin/users/${user.id}/factors`, admin.accessToken))).toEqual({
      factors: [expect.objectContaining({ method: 'totp', status: 'active' })],
    });

    const verify = (code: string) =>
      call('POST', '/verify', token, { username: user.username, code }).then((r) => json(r));
    const now = h.clock.now();
    const wrong = String((Number(codeFor(secret, now)) + 1) % 1_000_000).padStart(6, '0');
    expect(await verify(wrong)).toEqual({ valid: false });
    expect(await verify(codeFor(secret, now))).toEqual({ valid: true });

    h.clock.advanceSeconds(30);
    const started = json<{ status: string; flowId: string; methods: string[] }>(
      await signIn(user.username, user.password),
    );
    expect(started).toMatchObject({ status: 'second_factor_required', methods: ['totp'] });
    const finished = await call('POST', `/auth/sign-in/${started.flowId}/second-factor`, undefined, {
      code: codeFor(secret, h.clock.now()),
    });
    expect(finished.statusCode).toBe(200);
    expect(json(finished)).toMatchObject({ accessToken: expect.any(String) });

    const history = await adminHistory(admin.accessToken, `?userId=${user.id}`);
    expect(history.items).toEqual([
      expect.objectContaining({
        method: 'totp',
        action: 'import',
        enabled: true,
        actor: 'admin',
        actorId: admin.id,
        clientIp: LOCAL_IP,
      }),
    ]);
    expect(JSON.stringify(history)).not.toContain(secret);
  });

  it('import honours the parameters of the imported key', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const token = await adminApiToken(admin);
    const user = await createSignedInUser(h);
    const secret = encodeBase32(randomBytes(32));
    const params: TotpParams = { algorithm: 'SHA256', digits: 8, period: 60 };
    const imported = await call('POST', `/admin/users/${user.id}/2fa/totp/import`, token, { secret, ...params });
    expect(imported.statusCode).toBe(204);
    const result = await call('POST', '/verify', token, {
      username: user.username,
      code: codeFor(secret, h.clock.now(), params),
    });
    expect(json(result)).toEqual({ valid: true });
    const exported = json(await call('POST', `/admin/users/${user.id}/2fa/totp/export`, token));
    expect(exported).toMatchObject({ ...params });
  });

  it('import refuses when TOTP is already active (409), keeping the old key', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const token = await adminApiToken(admin);
    const user = await createSignedInUser(h);
    const existing = await enrollTotp(h.app, user.accessToken, h.clock.now());
    h.clock.advanceSeconds(30);
    const secret = encodeBase32(randomBytes(20));

    expectError(
      await call('POST', `/admin/users/${user.id}/2fa/totp/import`, admin.accessToken, { secret }),
      409,
      'FACTOR_ALREADY_ACTIVE',
    );
    const now = h.clock.now();
    expect(json(await call('POST', '/verify', token, { username: user.username, code: codeFor(secret, now) }))).toEqual(
      { valid: false },
    );
    h.clock.advanceSeconds(30);
    const later = h.clock.now();
    expect(
      json(await call('POST', '/verify', token, { username: user.username, code: existing.codeAt(later) })),
    ).toEqual({ valid: true });
    expect((await adminHistory(admin.accessToken, `?userId=${user.id}`)).items.map((e) => e.action)).toEqual([
      'enable',
    ]);
  });

  it.each([
    ['a character outside base32', 'ABCDEFGH1JKLMNOP'],
    ['punctuation', 'ABCDEFGHIJKLMNO!'],
    ['a length no key has', 'AAAAAAAAAAAAAAAAA'],
    ['too short', 'AAAAAAAAAAAAAAA'],
    ['nothing but padding', '================'],
  ])('import refuses a malformed secret (%s) with 400 and installs nothing', async (_why, secret) => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const user = await createSignedInUser(h);
    expectError(
      await call('POST', `/admin/users/${user.id}/2fa/totp/import`, admin.accessToken, { secret }),
      400,
      'VALIDATION_FAILED',
    );
    expect(json(await call('GET', `/admin/users/${user.id}/factors`, admin.accessToken))).toEqual({ factors: [] });
    expect((await adminHistory(admin.accessToken, sinceTestStart())).total).toBe(0);
  });

  it('import for an unknown user is 404', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    expectError(
      await call('POST', `/admin/users/${UNKNOWN_ID}/2fa/totp/import`, admin.accessToken, {
        secret: encodeBase32(randomBytes(20)),
      }),
      404,
      'USER_NOT_FOUND',
    );
  });
});

describe('issuer settings', () => {
  const issuerOf = (uri: string) => parseOtpauthUri(uri).issuer;

  it('the system issuer set by an admin names new otpauth URIs', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const user = await createSignedInUser(h);
    expect(json(await call('GET', '/admin/settings/issuer', admin.accessToken))).toEqual({ issuer: 'Tessera Test' });
    expect(issuerOf((await startTotpEnable(user.accessToken)).otpauthUri)).toBe('Tessera Test');

    const changed = await call('PUT', '/admin/settings/issuer', admin.accessToken, { issuer: 'Acme Corp' });
    expect(changed.statusCode).toBe(200);
    expect(json(changed)).toEqual({ issuer: 'Acme Corp' });
    expect(json(await call('GET', '/admin/settings/issuer', admin.accessToken))).toEqual({ issuer: 'Acme Corp' });

    const { otpauthUri } = await startTotpEnable(user.accessToken);
    expect(otpauthUri).toContain('issuer=Acme%20Corp');
    expect(parseOtpauthUri(otpauthUri)).toMatchObject({ issuer: 'Acme Corp', accountName: user.username });
    const legacy = json<{ otpauthUri: string }>(await call('POST', '/me/factors/totp', user.accessToken));
    expect(issuerOf(legacy.otpauthUri)).toBe('Acme Corp');
  });

  it("a user's own issuer wins over the system one; null clears it", async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const user = await createSignedInUser(h);
    const other = await createSignedInUser(h);

    const own = await call('PUT', '/me/issuer', user.accessToken, { issuer: 'My Lab' });
    expect(own.statusCode).toBe(200);
    expect(json(own)).toEqual({ issuer: 'My Lab', effectiveIssuer: 'My Lab' });
    expect((await call('PUT', '/admin/settings/issuer', admin.accessToken, { issuer: 'Acme' })).statusCode).toBe(200);

    const enable = await startTotpEnable(user.accessToken);
    expect(enable.otpauthUri).toContain('issuer=My%20Lab');
    expect(issuerOf(enable.otpauthUri)).toBe('My Lab');
    expect(issuerOf((await startTotpEnable(other.accessToken)).otpauthUri)).toBe('Acme');

    const cleared = await call('PUT', '/me/issuer', user.accessToken, { issuer: null });
    expect(cleared.statusCode).toBe(200);
    expect(json(cleared)).toEqual({ issuer: null, effectiveIssuer: 'Acme' });
    expect(issuerOf((await startTotpEnable(user.accessToken)).otpauthUri)).toBe('Acme');
  });

  it('an admin sets and clears a user’s issuer', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const user = await createSignedInUser(h);
    const set = await call('PUT', `/admin/users/${user.id}/issuer`, admin.accessToken, { issuer: 'Partner-X' });
    expect(set.statusCode).toBe(200);
    expect(json(set)).toEqual({ issuer: 'Partner-X', effectiveIssuer: 'Partner-X' });
    const enable = await enableTotp(user.accessToken);
    expect(issuerOf(enable.otpauthUri)).toBe('Partner-X');
    const exported = json<{ otpauthUri: string }>(
      await call('POST', `/admin/users/${user.id}/2fa/totp/export`, admin.accessToken),
    );
    expect(issuerOf(exported.otpauthUri)).toBe('Partner-X');
    // The admin's own URIs are not affected.
    expect(issuerOf((await startTotpEnable(admin.accessToken)).otpauthUri)).toBe('Tessera Test');

    const cleared = await call('PUT', `/admin/users/${user.id}/issuer`, admin.accessToken, { issuer: null });
    expect(json(cleared)).toEqual({ issuer: null, effectiveIssuer: 'Tessera Test' });
    expectError(
      await call('PUT', `/admin/users/${UNKNOWN_ID}/issuer`, admin.accessToken, { issuer: 'X' }),
      404,
      'USER_NOT_FOUND',
    );
  });

  it('accepts 32 characters of letters, digits, spaces, ".", "_" and "-"', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const issuer = 'Ab 9._-'.padEnd(32, 'z');
    const response = await call('PUT', '/admin/settings/issuer', admin.accessToken, { issuer });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ issuer });
  });

  it.each([
    ['empty', ''],
    ['33 characters', 'a'.repeat(33)],
    ['markup', '<script>'],
    ['a colon', 'Acme:Corp'],
    ['not a string', 42],
  ])('refuses an invalid issuer (%s) with 400 everywhere', async (_why, issuer) => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const user = await createSignedInUser(h);
    expectError(await call('PUT', '/admin/settings/issuer', admin.accessToken, { issuer }), 400, 'VALIDATION_FAILED');
    expectError(await call('PUT', '/me/issuer', user.accessToken, { issuer }), 400, 'VALIDATION_FAILED');
    expectError(
      await call('PUT', `/admin/users/${user.id}/issuer`, admin.accessToken, { issuer }),
      400,
      'VALIDATION_FAILED',
    );
    expect(json(await call('GET', '/admin/settings/issuer', admin.accessToken))).toEqual({ issuer: 'Tessera Test' });
    expect(issuerOf((await startTotpEnable(user.accessToken)).otpauthUri)).toBe('Tessera Test');
  });

  it('the system issuer cannot be cleared with null or an empty body', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    expectError(
      await call('PUT', '/admin/settings/issuer', admin.accessToken, { issuer: null }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(await call('PUT', '/admin/settings/issuer', admin.accessToken, {}), 400, 'VALIDATION_FAILED');
  });
});

describe('2FA policy', () => {
  it('GET /admin/policy starts from the defaults and lists sms and email as restricted', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const response = await call('GET', '/admin/policy', admin.accessToken);
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({
      required: false,
      gracePeriodDays: 0,
      requiredSince: null,
      methods: { totp: true, sms: true, email: true, backup_codes: true, webauthn: true },
      rememberDeviceForAdmins: false,
      phishingResistantForAdmins: false,
      restrictedMethods: ['sms', 'email'],
    });
  });

  it('PUT /admin/policy changes only what it names, and every change is recorded', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const since = h.clock.now().toISOString();
    const first = await call('PUT', '/admin/policy', admin.accessToken, { required: true, gracePeriodDays: 7 });
    expect(first.statusCode).toBe(200);
    const expected: PolicyView = {
      required: true,
      gracePeriodDays: 7,
      requiredSince: since,
      methods: { totp: true, sms: true, email: true, backup_codes: true, webauthn: true },
      rememberDeviceForAdmins: false,
      phishingResistantForAdmins: false,
      restrictedMethods: ['sms', 'email'],
    };
    expect(json(first)).toEqual(expected);
    expect(json(await call('GET', '/admin/policy', admin.accessToken))).toEqual(expected);

    h.clock.advanceSeconds(600);
    const second = await call('PUT', '/admin/policy', admin.accessToken, {
      methods: { sms: false },
      rememberDeviceForAdmins: true,
    });
    // Still required since the first change: the grace period does not restart.
    expect(json(second)).toEqual({
      ...expected,
      methods: { ...expected.methods, sms: false },
      rememberDeviceForAdmins: true,
    });

    h.clock.advanceSeconds(60);
    const third = await call('PUT', '/admin/policy', admin.accessToken, { required: false });
    expect(json(third)).toMatchObject({ required: false, requiredSince: null, methods: { sms: false } });

    const history = await adminHistory(admin.accessToken, sinceTestStart('method=policy&order=asc'));
    expect(history.total).toBe(3);
    expect(history.items.map((e) => [e.action, e.enabled])).toEqual([
      ['policy', true],
      ['policy', true],
      ['policy', false],
    ]);
    for (const entry of history.items) {
      expect(entry).toMatchObject({
        userId: null,
        method: 'policy',
        actor: 'admin',
        actorId: admin.id,
        clientIp: LOCAL_IP,
      });
    }
    expect(history.items[0]).toMatchObject({ createdAt: since, details: { required: true, gracePeriodDays: 7 } });
    expect(history.items[1]!.details).toMatchObject({ methods: { sms: false }, rememberDeviceForAdmins: true });
  });

  it.each([
    [{ gracePeriodDays: -1 }],
    [{ gracePeriodDays: 366 }],
    [{ gracePeriodDays: 1.5 }],
    [{ gracePeriodDays: '7' }],
    [{ required: 'true' }],
    [{ methods: { sms: 'no' } }],
    [{ methods: { fax: false } }],
    [{ requiredSince: '2020-01-01T00:00:00Z' }],
    [{ restrictedMethods: [] }],
  ])('refuses the policy update %j with 400 and records nothing', async (body) => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    expectError(await call('PUT', '/admin/policy', admin.accessToken, body), 400, 'VALIDATION_FAILED');
    expect(json(await call('GET', '/admin/policy', admin.accessToken))).toMatchObject({
      required: false,
      gracePeriodDays: 0,
    });
    expect((await adminHistory(admin.accessToken, sinceTestStart('method=policy'))).total).toBe(0);
  });

  it('a required policy gives a grace period, then lets a user without a factor do nothing but enroll', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const adminToken = await adminApiToken(admin);
    const user = await createSignedInUser(h);
    const enrolled = await createSignedInUser(h);
    const enrolledTotp = await enableTotp(enrolled.accessToken);

    const since = h.clock.now();
    expect((await call('PUT', '/admin/policy', adminToken, { required: true, gracePeriodDays: 7 })).statusCode).toBe(
      200,
    );
    const enforcedFrom = new Date(since.getTime() + 7 * DAY_SECONDS * 1000).toISOString();

    const graceStatus = await call('GET', '/me/2fa', user.accessToken);
    expect(json(graceStatus)).toEqual({
      methods: [],
      backupCodesRemaining: 0,
      requirement: { status: 'grace', enforcedFrom },
      issuer: 'Tessera Test',
    });
    expect((await call('GET', '/me/api-tokens', user.accessToken)).statusCode).toBe(200);

    // One second before the end of the grace period: still allowed.
    h.clock.advanceSeconds(7 * DAY_SECONDS - 1);
    let token = await freshAccessToken(user);
    expect((await call('GET', '/me/api-tokens', token)).statusCode).toBe(200);

    h.clock.advanceSeconds(DAY_SECONDS + 1);
    token = await freshAccessToken(user);
    expectError(await call('GET', '/me/api-tokens', token), 403, 'TWO_FACTOR_REQUIRED');
    expectError(await call('POST', '/me/api-tokens', token, { name: 'sneaky' }), 403, 'TWO_FACTOR_REQUIRED');
    expectError(await call('GET', '/me/2fa/history', token), 403, 'TWO_FACTOR_REQUIRED');
    const enforcedStatus = await call('GET', '/me/2fa', token);
    expect(enforcedStatus.statusCode).toBe(200);
    expect(json(enforcedStatus)).toMatchObject({ methods: [], requirement: { status: 'enforced' } });
    expect((await call('GET', '/me', token)).statusCode).toBe(200);

    // A user with a factor is not affected; API tokens (machine credentials) are not either.
    const started = json<{ flowId: string }>(await signIn(enrolled.username, enrolled.password));
    const finished = await call('POST', `/auth/sign-in/${started.flowId}/second-factor`, undefined, {
      code: codeFor(enrolledTotp.secret, h.clock.now()),
    });
    expect(finished.statusCode).toBe(200);
    const enrolledAccess = json<{ accessToken: string }>(finished).accessToken;
    expect((await call('GET', '/me/api-tokens', enrolledAccess)).statusCode).toBe(200);
    expect((await call('GET', '/admin/policy', adminToken)).statusCode).toBe(200);

    // Enrolling is allowed, and once done everything works again.
    await enableTotp(token);
    expect((await call('GET', '/me/api-tokens', token)).statusCode).toBe(200);
    expect(json(await call('GET', '/me/2fa', token))).toMatchObject({
      methods: ['totp'],
      requirement: { status: 'satisfied' },
    });
  });

  it('with no grace period the requirement applies at once, and switching it off lifts it', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const adminToken = await adminApiToken(admin);
    const user = await createSignedInUser(h);
    expect((await call('PUT', '/admin/policy', adminToken, { required: true })).statusCode).toBe(200);
    expectError(await call('GET', '/me/api-tokens', user.accessToken), 403, 'TWO_FACTOR_REQUIRED');
    // Enrolling stays reachable.
    expect((await call('POST', '/me/factors/totp', user.accessToken)).statusCode).toBe(201);

    expect((await call('PUT', '/admin/policy', adminToken, { required: false })).statusCode).toBe(200);
    expect((await call('GET', '/me/api-tokens', user.accessToken)).statusCode).toBe(200);
    expect(json(await call('GET', '/me/2fa', user.accessToken))).toMatchObject({
      requirement: { status: 'not_required' },
    });
  });

  it('no policy change locks out the admin who makes it: required at once is refused while they have no factor', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const refused = await call('PUT', '/admin/policy', admin.accessToken, { required: true });
    expectError(refused, 403, 'TWO_FACTOR_REQUIRED');
    expect(json<{ error: { message: string } }>(refused).error.message).toMatch(/lock you out/);
    expect(await h.core.policy.get()).toMatchObject({ required: false });
    // Still able to do everything an admin does.
    expect((await call('GET', '/admin/policy', admin.accessToken)).statusCode).toBe(200);

    // With a grace period they are reminded, not locked out; and once they have a factor, at once is fine.
    expect(
      (await call('PUT', '/admin/policy', admin.accessToken, { required: true, gracePeriodDays: 7 })).statusCode,
    ).toBe(200);
    await call('PUT', '/admin/policy', admin.accessToken, { required: false });
    await enableTotp(admin.accessToken);
    expect((await call('PUT', '/admin/policy', admin.accessToken, { required: true })).statusCode).toBe(200);
    expect((await call('GET', '/admin/policy', admin.accessToken)).statusCode).toBe(200);
  });

  it('switching the requirement on again restarts the grace period', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const adminToken = await adminApiToken(admin);
    const user = await createSignedInUser(h);
    await call('PUT', '/admin/policy', adminToken, { required: true, gracePeriodDays: 7 });
    h.clock.advanceSeconds(10 * DAY_SECONDS);
    await call('PUT', '/admin/policy', adminToken, { required: false });
    const restartedAt = h.clock.now();
    const again = json<PolicyView>(await call('PUT', '/admin/policy', adminToken, { required: true }));
    expect(again.requiredSince).toBe(restartedAt.toISOString());
    const token = await freshAccessToken(user);
    expect(json(await call('GET', '/me/2fa', token))).toMatchObject({ requirement: { status: 'grace' } });
    expect((await call('GET', '/me/api-tokens', token)).statusCode).toBe(200);
  });

  it('a forbidden method cannot be enabled; the others still can', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const user = await createSignedInUser(h);
    const phone = uniquePhone();
    const smsBefore = h.outbox.smsSent.length;
    const forbidden = await call('PUT', '/admin/policy', admin.accessToken, { methods: { sms: false } });
    expect(json(forbidden)).toMatchObject({ methods: { totp: true, sms: false, email: true, backup_codes: true } });

    expectError(
      await call('POST', '/me/2fa/enable', user.accessToken, { method: 'sms', phone }),
      403,
      'METHOD_NOT_ALLOWED',
    );
    expect(h.outbox.smsSent.slice(smsBefore)).toEqual([]);
    const email = await call('POST', '/me/2fa/enable', user.accessToken, { method: 'email' });
    expect(email.statusCode).toBe(201);

    await call('PUT', '/admin/policy', admin.accessToken, { methods: { sms: true, totp: false } });
    const sms = await call('POST', '/me/2fa/enable', user.accessToken, { method: 'sms', phone });
    expect(sms.statusCode).toBe(201);
    expect(h.outbox.smsSent.slice(smsBefore).map((m) => m.to)).toEqual([phone]);
    expectError(await call('POST', '/me/2fa/enable', user.accessToken, { method: 'totp' }), 403, 'METHOD_NOT_ALLOWED');
    expectError(await call('POST', '/me/factors/totp', user.accessToken), 403, 'METHOD_NOT_ALLOWED');
  });
});
