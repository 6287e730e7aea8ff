/**
 * Changing one's password while signed in, confirmed again: by a success token from a challenge,
 * or by the current password and, with 2FA, a current code. An account without an e-mail address
 * could not change its password at all before (a challenge had nowhere to send a code); a stolen
 * access token alone must never be enough.
 */
import { randomBytes } from 'node:crypto';
import { SYSTEM_ACTOR } from '@tessera/core';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type EnrolledTotp, enrollTotp, type Harness, json } from '../support/harness.js';
import { wrongCode } from '../support/totp-user.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterEach(async () => h.core.notifications.settle());
afterAll(async () => h.close());

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

interface Account {
  username: string;
  accessToken: string;
}

function errorCode(response: LightMyRequestResponse): string | undefined {
  return json<{ error?: { code: string } }>(response).error?.code;
}

async function signIn(username: string, password: string): Promise<LightMyRequestResponse> {
  return h.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password } });
}

/** An account made by the operator with no e-mail address, signed in (no factor yet). */
async function accountWithoutEmail(): Promise<Account> {
  const username = `noemail${randomBytes(4).toString('hex')}`;
  await h.core.accounts.create(SYSTEM_ACTOR, { username, password: PASSWORD });
  const body = json<{ accessToken: string }>(await signIn(username, PASSWORD));
  return { username, accessToken: body.accessToken };
}

async function withTotp(account: Account): Promise<Account & EnrolledTotp> {
  const totp = await enrollTotp(h.app, account.accessToken, h.clock.now());
  h.clock.advanceSeconds(30);
  return { ...account, ...totp };
}

async function change(account: Account, payload: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/me/password',
    headers: bearer(account.accessToken),
    payload: { newPassword: NEW_PASSWORD, ...payload },
  });
}

async function passwordIs(username: string, password: string): Promise<boolean> {
  return (await signIn(username, password)).statusCode === 200;
}

describe('password change of an account without an e-mail address', () => {
  it('a challenge cannot help it (nowhere to send a code), its current password can', async () => {
    const account = await accountWithoutEmail();
    const challenge = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/challenges',
      headers: bearer(account.accessToken),
      payload: { operation: 'change_password' },
    });
    expect(challenge.statusCode).toBeGreaterThanOrEqual(400);

    const changed = await change(account, { currentPassword: PASSWORD });
    expect(changed.statusCode).toBe(204);
    expect(await passwordIs(account.username, NEW_PASSWORD)).toBe(true);
    expect(await passwordIs(account.username, PASSWORD)).toBe(false);
  });

  it('with an authenticator app: the password alone is not enough, the password and a code are', async () => {
    const account = await withTotp(await accountWithoutEmail());
    const alone = await change(account, { currentPassword: PASSWORD });
    expect(alone.statusCode).toBe(403);
    expect(errorCode(alone)).toBe('REAUTHENTICATION_REQUIRED');

    const wrong = await change(account, { currentPassword: PASSWORD, code: wrongCode(account.codeAt(h.clock.now())) });
    expect(wrong.statusCode).toBe(422);
    expect(errorCode(wrong)).toBe('CODE_INVALID');
    // Still the old password: the sign-in gets as far as the second factor.
    expect(json<{ status: string }>(await signIn(account.username, PASSWORD)).status).toBe('second_factor_required');

    const changed = await change(account, { currentPassword: PASSWORD, code: account.codeAt(h.clock.now()) });
    expect(changed.statusCode).toBe(204);
    expect(json<{ status: string }>(await signIn(account.username, NEW_PASSWORD)).status).toBe(
      'second_factor_required',
    );
  });

  it('a spent app code is refused: the code is single use here as everywhere', async () => {
    const account = await withTotp(await accountWithoutEmail());
    const code = account.codeAt(h.clock.now());
    const verified = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/verify',
      headers: bearer(account.accessToken),
      payload: { code },
    });
    expect(verified.statusCode).toBe(200);
    const replay = await change(account, { currentPassword: PASSWORD, code });
    expect(errorCode(replay)).toBe('CODE_INVALID');
  });

  it('accepts a backup code as the second factor', async () => {
    const account = await withTotp(await accountWithoutEmail());
    const enabled = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/enable',
      headers: bearer(account.accessToken),
      payload: { method: 'backup_codes' },
    });
    const backup = json<{ backupCodes: { codes: string[] } }>(enabled).backupCodes.codes[0];
    expect(backup).toBeDefined();
    const changed = await change(account, { currentPassword: PASSWORD, code: backup, method: 'backup_codes' });
    expect(changed.statusCode).toBe(204);
  });
});

describe('what a stolen access token can do to the password', () => {
  it('nothing without the password or a success token', async () => {
    const account = await accountWithoutEmail();
    const bare = await change(account, {});
    expect(bare.statusCode).toBe(403);
    expect(errorCode(bare)).toBe('REAUTHENTICATION_REQUIRED');
    const guessed = await change(account, { currentPassword: 'not the password' });
    expect(guessed.statusCode).toBe(401);
    expect(errorCode(guessed)).toBe('INVALID_CREDENTIALS');
    const forged = await change(account, { successToken: 'tst_made_up' });
    expect(errorCode(forged)).toBe('SUCCESS_TOKEN_INVALID');
    expect(await passwordIs(account.username, PASSWORD)).toBe(true);
  });

  it('guessing the current password is throttled as sign-in is', async () => {
    const account = await accountWithoutEmail();
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 8; i += 1) codes.push(errorCode(await change(account, { currentPassword: `guess ${i}` })));
    expect(codes.slice(0, 5).every((code) => code === 'INVALID_CREDENTIALS')).toBe(true);
    expect(codes.at(-1)).toBe('PASSWORD_THROTTLED');
    // Even the right password waits now.
    expect(errorCode(await change(account, { currentPassword: PASSWORD }))).toBe('PASSWORD_THROTTLED');
  });

  it('a success token and a password together are refused as ambiguous', async () => {
    const account = await accountWithoutEmail();
    const both = await change(account, { successToken: 'tst_x', currentPassword: PASSWORD });
    expect(both.statusCode).toBe(400);
    expect(await passwordIs(account.username, PASSWORD)).toBe(true);
  });

  it('an SMS code cannot be named here: it comes through a challenge', async () => {
    const account = await accountWithoutEmail();
    const refused = await change(account, { currentPassword: PASSWORD, code: '123456', method: 'sms' });
    expect(refused.statusCode).toBe(400);
  });
});
