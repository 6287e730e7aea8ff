import { randomBytes } from 'node:crypto';
import {
  anonymousActor,
  KeyRing,
  SecretBox,
  SecretKeyMismatchError,
  type SecretKeyStatus,
  SYSTEM_ACTOR,
  webhookSecretSealContext,
} from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStorage, type TestStorage } from '../../packages/storage-kysely/src/test-support/index.js';
import { bearer, createHarness, type Harness, json, uniquePhone } from '../support/harness.js';
import { MutableClock } from '../support/mutable-clock.js';
import { createTotpUser, type TotpUser } from '../support/totp-user.js';

/**
 * Rotating TESSERA_SECRET_KEY on one database (SQLite, or PostgreSQL when
 * TESSERA_TEST_DATABASE_URL is set): a server on the old key makes every kind of value that
 * depends on the key, a server on the new key with the old one as previous keeps them all
 * working while `secret rotate` runs under load, and a server with the old key dropped loses
 * exactly what `secret status` still listed. Each step is a new server over the same database,
 * as a restart with new settings is.
 */

const oldKey = new Uint8Array(randomBytes(32));
const newKey = new Uint8Array(randomBytes(32));
const oldKeyId = new KeyRing(oldKey).current.id;
const newKeyId = new KeyRing(newKey).current.id;

interface Account extends TotpUser {
  id: string;
  smsPhone: string;
  accountPhone: string;
  backupCodes: string[];
  apiToken: string;
}

let storage: TestStorage;
const clock = new MutableClock();
let server: Harness | undefined;
let adminToken: string;
/** A webhook endpoint's signing secret, sealed under the old key. */
let webhookSecret: string;
const accounts: Account[] = [];
/** A cPanel `/login` session of the first account, opened under the old key. */
let cookieSession: { token: string; securityToken: string };

async function startServer(secretKey: Uint8Array, previousSecretKeys: Uint8Array[] = []): Promise<Harness> {
  await server?.close();
  server = undefined;
  server = await createHarness({ storage, clock, secretKey, previousSecretKeys });
  return server;
}

function current(): Harness {
  if (!server) throw new Error('no server');
  return server;
}

beforeAll(async () => {
  storage = await openTestStorage();
  const h = await startServer(oldKey);
  const admin = await h.core.accounts.create(SYSTEM_ACTOR, {
    username: 'rotation-admin',
    password: 'admin password here',
    role: 'admin',
  });
  adminToken = (await h.core.apiTokens.issue(admin.id, 'ops', 'write')).token;
  webhookSecret = (await h.core.webhooks.create(SYSTEM_ACTOR, { url: 'http://127.0.0.1:9/rotation' })).secret;
  for (let i = 0; i < 6; i += 1) accounts.push(await createAccount(h));
  const first = accounts[0] as Account;
  h.clock.advanceSeconds(30);
  cookieSession = await h.core.cookieSessions.login(anonymousActor('127.0.0.1'), {
    username: first.username,
    password: first.password,
    otp: first.codeAt(h.clock.now()),
  });
});

afterAll(async () => {
  await server?.close();
  await storage.dispose();
});

/** A user with every kind of value the key protects: TOTP, SMS, backup codes, phone, API token, session. */
async function createAccount(h: Harness): Promise<Account> {
  const user = await createTotpUser(h.app, h.clock);
  const found = await h.core.accounts.find(SYSTEM_ACTOR, user.username);
  const smsPhone = uniquePhone();
  const started = await h.app.inject({
    method: 'POST',
    url: '/api/v1/me/2fa/enable',
    headers: bearer(user.accessToken),
    payload: { method: 'sms', phone: smsPhone },
  });
  const { flowId } = json<{ flowId: string }>(started);
  const confirmed = await h.app.inject({
    method: 'POST',
    url: `/api/v1/me/2fa/enable/${flowId}/confirm`,
    headers: bearer(user.accessToken),
    payload: { code: h.outbox.lastSmsCode(smsPhone) },
  });
  expect(confirmed.statusCode).toBe(200);
  const backup = await h.app.inject({
    method: 'POST',
    url: '/api/v1/me/2fa/enable',
    headers: bearer(user.accessToken),
    payload: { method: 'backup_codes' },
  });
  const backupCodes = json<{ backupCodes: { codes: string[] } }>(backup).backupCodes.codes;
  const accountPhone = uniquePhone();
  await h.core.userAdmin.updateContact(SYSTEM_ACTOR, found.id, { phone: accountPhone });
  const created = await h.app.inject({
    method: 'POST',
    url: '/api/v1/me/api-tokens',
    headers: bearer(user.accessToken),
    payload: { name: 'script' },
  });
  const { token: apiToken } = json<{ token: string }>(created);
  return { ...user, id: found.id, smsPhone, accountPhone, backupCodes, apiToken };
}

/** The server checks the user's current authenticator code for an admin (opens the sealed TOTP key). */
async function totpVerifies(h: Harness, account: Account): Promise<boolean> {
  h.clock.advanceSeconds(30);
  const response = await h.app.inject({
    method: 'POST',
    url: '/api/v1/verify',
    headers: bearer(adminToken),
    payload: { username: account.username, code: account.codeAt(h.clock.now()) },
  });
  expect(response.statusCode).toBe(200);
  return json<{ valid: boolean }>(response).valid;
}

/** A sign-in answered by an SMS code: the server opens the sealed number to send it. */
async function smsSignInWorks(h: Harness, account: Account): Promise<boolean> {
  const flow = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { username: account.username, password: account.password },
  });
  const { flowId } = json<{ flowId: string }>(flow);
  const sentBefore = h.outbox.smsTo(account.smsPhone).length;
  const chosen = await h.app.inject({
    method: 'POST',
    url: `/api/v1/auth/sign-in/${flowId}/method`,
    payload: { method: 'sms' },
  });
  if (chosen.statusCode !== 200 || h.outbox.smsTo(account.smsPhone).length !== sentBefore + 1) return false;
  const answered = await h.app.inject({
    method: 'POST',
    url: `/api/v1/auth/sign-in/${flowId}/second-factor`,
    payload: { code: h.outbox.lastSmsCode(account.smsPhone), method: 'sms' },
  });
  return answered.statusCode === 200;
}

/** A sign-in answered by a backup code (one conditional use of its keyed hash). */
async function backupCodeSignIn(h: Harness, account: Account, code: string): Promise<number> {
  const flow = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { username: account.username, password: account.password },
  });
  const { flowId } = json<{ flowId: string }>(flow);
  const answered = await h.app.inject({
    method: 'POST',
    url: `/api/v1/auth/sign-in/${flowId}/second-factor`,
    payload: { code, method: 'backup_codes' },
  });
  return answered.statusCode;
}

async function apiTokenStatus(h: Harness, token: string): Promise<number> {
  return (await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode;
}

/** Refreshes the session; the account keeps the new refresh token. */
async function refresh(h: Harness, account: Account): Promise<number> {
  const response = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/refresh',
    payload: { refreshToken: account.refreshToken },
  });
  if (response.statusCode === 200) {
    const body = json<{ accessToken: string; refreshToken: string }>(response);
    account.accessToken = body.accessToken;
    account.refreshToken = body.refreshToken;
  }
  return response.statusCode;
}

async function cookieSessionOpens(h: Harness): Promise<boolean> {
  try {
    await h.core.cookieSessions.authenticate(cookieSession.token, cookieSession.securityToken, '127.0.0.1');
    return true;
  } catch {
    return false;
  }
}

async function accountPhone(h: Harness, account: Account): Promise<string | null> {
  return (await h.core.userAdmin.get(SYSTEM_ACTOR, account.id)).phone;
}

function sealedUnder(status: SecretKeyStatus, keyId: string): number {
  return status.sealed.filter((count) => count.keyId === keyId).reduce((sum, count) => sum + count.count, 0);
}

function hashedUnder(status: SecretKeyStatus, keyId: string, table: string): number {
  return status.hashed
    .filter((count) => count.keyId === keyId && count.column === table)
    .reduce((sum, count) => sum + count.count, 0);
}

describe('rotating the secret key', () => {
  it('refuses a start with the new key alone while values are sealed under the old one, naming the old key', async () => {
    await server?.close();
    server = undefined;
    const refused = createHarness({ storage, clock, secretKey: newKey });
    await expect(refused).rejects.toBeInstanceOf(SecretKeyMismatchError);
    const error = await createHarness({ storage, clock, secretKey: newKey }).catch((caught: unknown) => caught);
    const message = (error as Error).message;
    expect(message).toContain(`key id ${oldKeyId}`);
    expect(message).toContain('6 authenticator (TOTP) secrets');
    expect(message).toContain('6 SMS factor phone numbers');
    expect(message).toContain(`have the ids ${newKeyId}`);
    // The key itself is never printed.
    expect(message).not.toContain(Buffer.from(oldKey).toString('base64'));
  });

  it('with the old key as previous, everything made under it keeps working before any re-seal', async () => {
    const h = await startServer(newKey, [oldKey]);
    const [first] = accounts;
    if (!first) throw new Error('no account');
    expect(await totpVerifies(h, first)).toBe(true);
    expect(await smsSignInWorks(h, first)).toBe(true);
    expect(await accountPhone(h, first)).toBe(first.accountPhone);
    expect(await apiTokenStatus(h, first.apiToken)).toBe(200);
    expect(await backupCodeSignIn(h, first, first.backupCodes.shift() ?? '')).toBe(200);
    expect(await refresh(h, first)).toBe(200);
    // The cPanel session and its URL token, both derived under the old key.
    expect(await cookieSessionOpens(h)).toBe(true);

    const status = await h.core.secretKeys.status();
    expect(status).toMatchObject({ currentKeyId: newKeyId, previousKeyIds: [oldKeyId] });
    expect(status.sealed).toEqual(
      expect.arrayContaining([
        { column: 'totp_secret', keyId: oldKeyId, count: 6 },
        { column: 'sms_phone', keyId: oldKeyId, count: 6 },
        { column: 'user_phone', keyId: oldKeyId, count: 6 },
        { column: 'key_check', keyId: oldKeyId, count: 1 },
        { column: 'webhook_secret', keyId: oldKeyId, count: 1 },
      ]),
    );
    // The two API tokens used above (the user's, and the admin's that checked the code) were
    // re-hashed under the new key; the other five still need the old one.
    expect(hashedUnder(status, oldKeyId, 'api_tokens')).toBe(5);
    expect(hashedUnder(status, newKeyId, 'api_tokens')).toBe(2);
  });

  it('re-seals every sealed value under load, without overwriting a change made meanwhile', async () => {
    const h = current();
    const [, second, third] = accounts;
    if (!second || !third) throw new Error('no account');
    const statuses: number[] = [];
    const changedPhones = new Map<string, string>();
    let rotating = true;
    const load = async () => {
      let round = 0;
      while (rotating || round < 3) {
        round += 1;
        const account = accounts[round % accounts.length];
        if (!account) continue;
        // Only the first account's API token is used: the others stay hashed under the old key.
        statuses.push(await apiTokenStatus(h, accounts[0]?.apiToken ?? ''));
        statuses.push(
          (await h.app.inject({ method: 'GET', url: '/api/v1/me/2fa', headers: bearer(account.accessToken) }))
            .statusCode,
        );
        // A phone changed while the rotation reads phones: the change must stand.
        const phone = uniquePhone();
        await h.core.userAdmin.updateContact(SYSTEM_ACTOR, account.id, { phone });
        changedPhones.set(account.id, phone);
        if (round > 200) break;
      }
    };
    const rotation = h.core.secretKeys.rotate({ batchSize: 2 }).finally(() => {
      rotating = false;
    });
    const [report] = await Promise.all([rotation, load(), createAccount(h).then((made) => accounts.push(made))]);
    expect(statuses.length).toBeGreaterThanOrEqual(6);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(report.unopenable).toEqual([]);
    expect(report.resealed.totp_secret).toBe(6);
    expect(report.resealed.sms_phone).toBe(6);
    expect(report.resealed.key_check).toBe(1);
    expect(report.resealed.webhook_secret).toBe(1);
    for (const account of accounts) {
      const phone = changedPhones.get(account.id) ?? account.accountPhone;
      expect(await accountPhone(h, account)).toBe(phone);
      account.accountPhone = phone;
    }
    // Resumable: a second run finds nothing left and changes nothing.
    const again = await h.core.secretKeys.rotate({ batchSize: 2 });
    expect(again.resealed).toEqual({});

    const status = await h.core.secretKeys.status();
    expect(sealedUnder(status, oldKeyId)).toBe(0);
    expect(status.sealed.every((count) => count.keyId === newKeyId)).toBe(true);
    expect(second.backupCodes.length + third.backupCodes.length).toBeGreaterThan(0);
  });

  it('after the re-seal, dropping the old key ends only what `secret status` still listed under it', async () => {
    // Before dropping: use one more API token (re-hashed) and one more refresh token (replaced).
    const h = current();
    const [first, second, third, fourth] = accounts;
    if (!first || !second || !third || !fourth) throw new Error('no account');
    expect(await apiTokenStatus(h, second.apiToken)).toBe(200);
    expect(await refresh(h, second)).toBe(200);
    const listed = await h.core.secretKeys.status();
    const apiTokensOnOldKey = hashedUnder(listed, oldKeyId, 'api_tokens');
    const backupCodesOnOldKey = hashedUnder(listed, oldKeyId, 'backup_codes');
    const sessionsOnOldKey = hashedUnder(listed, oldKeyId, 'refresh_tokens');
    expect(sealedUnder(listed, oldKeyId)).toBe(0);

    const accessTokenBefore = second.accessToken;
    const dropped = await startServer(newKey);
    // An access token signed before the old key was dropped still opens: the signing keys are
    // their own (re-sealed, not replaced), so no access token ends with a secret-key rotation.
    expect(
      (await dropped.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(accessTokenBefore) })).statusCode,
    ).toBe(200);
    // Every factor and sealed phone, of accounts made before and after the rotation.
    for (const account of accounts) {
      expect(await totpVerifies(dropped, account)).toBe(true);
      expect(await accountPhone(dropped, account)).toBe(account.accountPhone);
    }
    expect(await smsSignInWorks(dropped, third)).toBe(true);
    expect(await smsSignInWorks(dropped, accounts.at(-1) as Account)).toBe(true);
    // Moved to the new key by their use: still work.
    expect(await apiTokenStatus(dropped, first.apiToken)).toBe(200);
    expect(await apiTokenStatus(dropped, second.apiToken)).toBe(200);
    expect(await apiTokenStatus(dropped, (accounts.at(-1) as Account).apiToken)).toBe(200);
    expect(await refresh(dropped, first)).toBe(200);
    expect(await refresh(dropped, second)).toBe(200);
    expect(await apiTokenStatus(dropped, adminToken)).toBe(200);
    // Listed under the old key: ended, and exactly as many as were listed.
    const oldApiTokens = [third, fourth, ...accounts.slice(4, 6)].map((account) => account.apiToken);
    for (const token of oldApiTokens) expect(await apiTokenStatus(dropped, token)).toBe(401);
    expect(oldApiTokens).toHaveLength(apiTokensOnOldKey);
    const oldSessions = [third, fourth, ...accounts.slice(4, 6)];
    for (const account of oldSessions) expect(await refresh(dropped, account)).toBe(401);
    // The cPanel cookie session is a refresh token too, extended rather than rotated: listed, and ended.
    expect(await cookieSessionOpens(dropped)).toBe(false);
    expect(oldSessions.length + 1).toBe(sessionsOnOldKey);
    expect(await backupCodeSignIn(dropped, third, third.backupCodes[0] ?? '')).toBe(422);
    expect(backupCodesOnOldKey).toBe(
      accounts.slice(0, 6).reduce((sum, account) => sum + account.backupCodes.length, 0),
    );
    // The webhook secret, re-sealed, opens under the new key alone: it is the one shown at creation.
    const [sealed] = await storage.db.selectFrom('webhook_secrets').selectAll().execute();
    const opened = new SecretBox(new KeyRing(newKey)).open(
      sealed?.sealed_secret ?? '',
      webhookSecretSealContext(sealed?.id ?? ''),
    );
    expect(opened.toString('utf8')).toBe(webhookSecret);
    // Backup codes made after the rotation are under the new key and work.
    const newest = accounts.at(-1) as Account;
    expect(await backupCodeSignIn(dropped, newest, newest.backupCodes[0] ?? '')).toBe(200);
  });

  it('a start on a key the re-sealed database does not know names the key it needs', async () => {
    await server?.close();
    server = undefined;
    const stranger = new Uint8Array(randomBytes(32));
    const error = await createHarness({ storage, clock, secretKey: stranger, previousSecretKeys: [oldKey] }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SecretKeyMismatchError);
    expect((error as Error).message).toContain(`key id ${newKeyId}`);
    expect((error as SecretKeyMismatchError).missing.map((key) => key.keyId)).toEqual([newKeyId]);
  });
});
