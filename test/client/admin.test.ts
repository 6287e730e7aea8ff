import type { TesseraClient } from '@tessera/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { wrongCode } from '../support/totp-user.js';
import {
  enrollTotpWithSdk,
  forOperation,
  PASSWORD,
  rejection,
  signedInClient,
  totpCode,
  uniqueName,
  useSdkServer,
} from './sdk-support.js';

const server = useSdkServer({ lockout: { maxFailures: 3 } });

let admin: TesseraClient;
beforeAll(async () => {
  admin = (await signedInClient(server, { role: 'admin' })).client;
});

/** A user an admin made, with an authenticator enrolled through the SDK; its id and secret. */
async function userWithTotp(): Promise<{ id: string; username: string; secret: string; client: TesseraClient }> {
  const user = await signedInClient(server);
  const { secret } = await enrollTotpWithSdk(server, user.client);
  return { id: user.id, username: user.username, secret, client: user.client };
}

describe('admin users', () => {
  forOperation('adminCreateUser', 'creates an account with the platform’s external id', async () => {
    const username = uniqueName();
    const created = await admin.admin.users.create({ username, password: PASSWORD, externalId: `ext-${username}` });
    expect(created).toMatchObject({ username, externalId: `ext-${username}`, role: 'user', disabled: false });
    const user = await signedInClient(server);
    expect(await rejection(user.client.admin.users.create({ username: uniqueName() }))).toMatchObject({
      code: 'FORBIDDEN',
      status: 403,
    });
  });

  forOperation('adminListUsers', 'pages through the accounts', async () => {
    const page = await admin.admin.users.list({ limit: 2, offset: 0 });
    expect(page.items.length).toBeLessThanOrEqual(2);
    expect(page.total).toBeGreaterThanOrEqual(page.items.length);
  });

  forOperation('adminLookUpUser', 'finds an account by externalId, with its factors', async () => {
    const username = uniqueName();
    await admin.admin.users.create({ username, externalId: `ext-${username}` });
    const found = await admin.admin.users.lookup({ externalId: `ext-${username}` });
    expect(found).toMatchObject({ user: { username }, factors: [] });
    expect(await rejection(admin.admin.users.lookup({ username: uniqueName() }))).toMatchObject({
      code: 'USER_NOT_FOUND',
      status: 404,
    });
  });

  forOperation('adminGetUser', 'answers one account', async () => {
    const { id, username } = await signedInClient(server);
    expect(await admin.admin.users.get(id)).toMatchObject({ id, username, hasPassword: true });
  });

  forOperation('adminUpdateUser', 'changes the e-mail address and phone number', async () => {
    const { id } = await signedInClient(server);
    const updated = await admin.admin.users.update(id, { email: 'changed@example.test', phone: null });
    expect(updated).toMatchObject({ id, email: 'changed@example.test', phone: null });
  });

  it('changes the username and the role; a role change signs the account out', async () => {
    const account = await signedInClient(server);
    const username = `renamed-${account.username}`.slice(0, 64);
    const updated = await admin.admin.users.update(account.id, { username, role: 'admin' });
    expect(updated).toMatchObject({ id: account.id, username, role: 'admin' });
    expect(await rejection(account.client.me.get())).toMatchObject({ status: 401 });
    const signedIn = await server.client().auth.signIn({ username, password: PASSWORD });
    expect(signedIn).toMatchObject({ status: 'signed_in' });
    const other = await signedInClient(server);
    expect(await rejection(admin.admin.users.update(other.id, { username }))).toMatchObject({
      code: 'USERNAME_TAKEN',
      status: 409,
    });
  });

  forOperation('adminSetUserPassword', 'sets a new password: the old one and the sessions stop working', async () => {
    const account = await signedInClient(server);
    await admin.admin.users.setPassword(account.id, { password: 'a new long passphrase' });
    expect(await rejection(account.client.me.get())).toMatchObject({ status: 401 });
    expect(
      await rejection(server.client().auth.signIn({ username: account.username, password: PASSWORD })),
    ).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(
      await server.client().auth.signIn({ username: account.username, password: 'a new long passphrase' }),
    ).toMatchObject({ status: 'signed_in' });
  });

  forOperation('adminDisableUser', 'a disabled account cannot sign in', async () => {
    const { id, username } = await signedInClient(server);
    expect(await admin.admin.users.disable(id)).toMatchObject({ id, disabled: true });
    expect(await rejection(server.client().auth.signIn({ username, password: PASSWORD }))).toMatchObject({
      code: 'ACCOUNT_DISABLED',
    });
  });

  forOperation('adminEnableUser', 'an enabled account signs in again', async () => {
    const { id, username } = await signedInClient(server);
    await admin.admin.users.disable(id);
    expect(await admin.admin.users.enable(id)).toMatchObject({ id, disabled: false });
    expect(await server.client().auth.signIn({ username, password: PASSWORD })).toMatchObject({ status: 'signed_in' });
  });

  forOperation('adminDeleteUser', 'deletes the account, leaving a pseudonym in the history', async () => {
    const { id } = await signedInClient(server);
    expect(await admin.admin.users.delete(id)).toEqual({ deleted: true, pseudonym: expect.any(String) });
    expect(await rejection(admin.admin.users.get(id))).toMatchObject({ code: 'USER_NOT_FOUND', status: 404 });
  });

  forOperation('adminListUserFactors', 'lists a user’s factors', async () => {
    const { id } = await userWithTotp();
    expect((await admin.admin.users.factors(id)).factors).toEqual([
      expect.objectContaining({ method: 'totp', status: 'active' }),
    ]);
  });

  forOperation('adminResetTwoFactor', 'removes every second factor of a user', async () => {
    const { id } = await userWithTotp();
    expect(await admin.admin.users.reset(id)).toEqual({ removed: ['totp'] });
    expect((await admin.admin.users.factors(id)).factors).toEqual([]);
  });

  forOperation('adminUnlockSecondFactor', 'lifts the lock that wrong codes put on', async () => {
    const { id, secret, client } = await userWithTotp();
    const code = totpCode(server, secret);
    for (let attempt = 1; attempt < 3; attempt++) {
      expect(await client.factors.verify({ code: wrongCode(code) })).toEqual({ valid: false });
    }
    // The third wrong code locks the second factor: the answer says for how long.
    const locked = await rejection(client.factors.verify({ code: wrongCode(code) }));
    expect(locked).toMatchObject({ code: 'SECOND_FACTOR_LOCKED', status: 429 });
    expect(locked.retryAfter).toBeGreaterThan(0);
    expect(await rejection(client.factors.verify({ code }))).toMatchObject({ code: 'SECOND_FACTOR_LOCKED' });
    expect((await admin.admin.users.get(id)).secondFactorLock.locked).toBe(true);
    await admin.admin.users.unlock(id);
    expect(await client.factors.verify({ code })).toEqual({ valid: true });
  });

  forOperation('adminExportTotp', 'answers the authenticator’s secret for a migration', async () => {
    const { id, secret } = await userWithTotp();
    expect(await admin.admin.users.exportTotp(id)).toMatchObject({ secret, digits: 6, period: 30 });
  });

  forOperation('adminImportTotp', 'an imported secret is the user’s authenticator', async () => {
    const { id } = await signedInClient(server);
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await admin.admin.users.importTotp(id, { secret });
    expect(await admin.admin.users.exportTotp(id)).toMatchObject({ secret });
  });

  forOperation('adminSetUserIssuer', 'overrides the issuer of one user', async () => {
    const { id } = await signedInClient(server);
    expect(await admin.admin.users.setIssuer(id, { issuer: 'Reseller' })).toEqual({
      issuer: 'Reseller',
      effectiveIssuer: 'Reseller',
    });
  });
});

describe('admin settings, policy and history', () => {
  forOperation('adminGetSystemIssuer', 'answers the system issuer', async () => {
    expect(await admin.admin.settings.getIssuer()).toEqual({ issuer: 'Tessera Test' });
  });

  forOperation('adminSetSystemIssuer', 'changes the system issuer', async () => {
    try {
      expect(await admin.admin.settings.setIssuer({ issuer: 'Acme 2FA' })).toEqual({ issuer: 'Acme 2FA' });
      expect(await admin.admin.settings.getIssuer()).toEqual({ issuer: 'Acme 2FA' });
    } finally {
      await server.h.resetSettings();
    }
  });

  forOperation('adminRotateSigningKey', 'a new key signs, and the old tokens still verify', async () => {
    const before = (await server.client().system.jwks()).keys.length;
    const { kid } = await admin.admin.settings.rotateSigningKey();
    const { keys } = await server.client().system.jwks();
    expect(keys.map((key) => key.kid)).toContain(kid);
    expect(keys.length).toBe(before + 1);
    expect((await admin.me.get()).account.role).toBe('admin');
  });

  forOperation('adminGetPolicy', 'answers the 2FA policy', async () => {
    expect(await admin.admin.policy.get()).toMatchObject({ required: false, methods: { totp: true } });
  });

  forOperation('adminUpdatePolicy', 'requires 2FA with a grace period', async () => {
    try {
      expect(await admin.admin.policy.update({ required: true, gracePeriodDays: 7 })).toMatchObject({
        required: true,
        gracePeriodDays: 7,
      });
      const { client } = await signedInClient(server);
      expect((await client.twoFactor.status()).requirement.status).toBe('grace');
    } finally {
      await server.h.resetSettings();
    }
  });

  forOperation('adminListHistory', 'lists every account’s events, filtered by user', async () => {
    const { id } = await userWithTotp();
    const page = await admin.admin.history.list({ userId: id });
    expect(page.items).toEqual([expect.objectContaining({ userId: id, method: 'totp', action: 'enable' })]);
  });

  forOperation('adminGetHistoryEntry', 'answers one entry', async () => {
    const { id } = await userWithTotp();
    const [entry] = (await admin.admin.history.list({ userId: id })).items;
    expect(await admin.admin.history.get(entry?.id ?? '')).toEqual(entry);
  });
});

describe('admin audit trail', () => {
  forOperation('adminListAudit', 'lists security events newest first, filtered and paged', async () => {
    const user = await signedInClient(server);
    const mine = await admin.admin.audit.list({ userId: user.id });
    expect(mine.items.length).toBeGreaterThan(0);
    expect(mine.items.every((entry) => entry.targetUserId === user.id)).toBe(true);
    expect(mine.items.map((entry) => entry.action)).toContain('sign_in.password_ok');
    const first = await admin.admin.audit.list({ limit: 1 });
    expect(first.items).toHaveLength(1);
    expect(first.next).toBe(first.items[0]?.seq);
    const second = await admin.admin.audit.list({ limit: 1, before: first.next ?? 0 });
    expect(second.items[0]?.seq).toBeLessThan(first.items[0]?.seq ?? 0);
    expect(await rejection(user.client.admin.audit.list())).toMatchObject({ code: 'FORBIDDEN', status: 403 });
  });

  forOperation('listAuditCheckpoints', 'publishes the signed checkpoints and their keys', async () => {
    await server.h.core.audit.checkpoint();
    const published = await admin.system.auditCheckpoints({ limit: 1 });
    expect(published.checkpoints).toHaveLength(1);
    expect(published.keys.map((key) => key.kid)).toContain(published.checkpoints[0]?.kid);
  });
});
