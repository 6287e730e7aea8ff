import { isTesseraError } from '@tessera/client';
import { describe, expect, vi } from 'vitest';
import { uniquePhone } from '../support/harness.js';
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

const server = useSdkServer();

describe('me', () => {
  forOperation('getAccount', 'answers the signed-in account and its factors', async () => {
    const { client, username, email } = await signedInClient(server);
    expect(await client.me.get()).toMatchObject({ account: { username, email, role: 'user' }, factors: [] });
    expect(await rejection(server.client().me.get())).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });

  forOperation('changePassword', 'changes the password with the current one', async () => {
    const { client, username } = await signedInClient(server);
    await client.me.changePassword({ currentPassword: PASSWORD, newPassword: 'a new horse battery' });
    const again = server.client();
    expect(await again.auth.signIn({ username, password: 'a new horse battery' })).toMatchObject({
      status: 'signed_in',
    });
  });

  forOperation('setIssuer', 'sets the issuer authenticator apps show for the account', async () => {
    const { client } = await signedInClient(server);
    expect(await client.me.setIssuer({ issuer: 'Acme Hosting' })).toMatchObject({ issuer: 'Acme Hosting' });
  });

  forOperation('startEmailChange', 'sends a code to the new address', async () => {
    const { client } = await signedInClient(server);
    const email = `${uniqueName()}@example.test`;
    const change = await client.me.changeEmail({ email, currentPassword: PASSWORD });
    expect(change).toMatchObject({ field: 'email', state: 'awaiting_code' });
    expect(server.h.outbox.lastEmailCode(email)).toMatch(/^\d+$/);
  });

  forOperation('getContactChange', 'answers the state of a change', async () => {
    const { client } = await signedInClient(server);
    const change = await client.me.changeEmail({ email: `${uniqueName()}@example.test`, currentPassword: PASSWORD });
    expect(await client.me.getContactChange(change.changeId)).toMatchObject({
      changeId: change.changeId,
      state: 'awaiting_code',
    });
  });

  forOperation('confirmContactChange', 'the code sent to the new address makes it the account’s', async () => {
    const { client } = await signedInClient(server);
    const email = `${uniqueName()}@example.test`;
    const change = await client.me.changeEmail({ email, currentPassword: PASSWORD });
    const wrong = await rejection(client.me.confirmContactChange(change.changeId, { code: '000000' }));
    expect(isTesseraError(wrong, 'CODE_INVALID')).toBe(true);
    const account = await client.me.confirmContactChange(change.changeId, {
      code: server.h.outbox.lastEmailCode(email),
    });
    expect(account.email).toBe(email);
  });

  forOperation('startPhoneChange', 'sends a code to the new number, which confirming makes the account’s', async () => {
    const { client } = await signedInClient(server);
    const phone = uniquePhone();
    const change = await client.me.changePhone({ phone, currentPassword: PASSWORD });
    expect(change).toMatchObject({ field: 'phone', delivery: { channel: 'sms' } });
    const account = await client.me.confirmContactChange(change.changeId, { code: server.h.outbox.lastSmsCode(phone) });
    expect(account.phone).toBe(phone);
  });
});

describe('factors', () => {
  forOperation('beginTotpEnrollment', 'answers a pending authenticator with its secret and QR code', async () => {
    const { client } = await signedInClient(server);
    const enrollment = await client.factors.enrollTotp({ digits: 8 });
    expect(enrollment.factor).toMatchObject({ method: 'totp', status: 'pending' });
    expect(enrollment.params.digits).toBe(8);
    expect(enrollment.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(enrollment.qrPngDataUrl).toMatch(/^data:image\/png;base64,/);
  });

  forOperation('confirmFactor', 'the first code activates the authenticator', async () => {
    const { client } = await signedInClient(server);
    const enrollment = await client.factors.enrollTotp();
    const factor = await client.factors.confirm(enrollment.factor.id, { code: totpCode(server, enrollment.secret) });
    expect(factor).toMatchObject({ id: enrollment.factor.id, status: 'active' });
  });

  forOperation('useDefaultTotpSettings', 'moves an enrollment an app ignored to SHA1/6/30, same key', async () => {
    const { client } = await signedInClient(server);
    const enrollment = await client.factors.enrollTotp({ algorithm: 'SHA256', digits: 8 });
    const code = totpCode(server, enrollment.secret);
    const refused = await rejection(client.factors.confirm(enrollment.factor.id, { code }));
    expect(isTesseraError(refused, 'TOTP_SETTINGS_IGNORED')).toBe(true);
    const moved = await client.factors.useDefaultSettings(enrollment.factor.id);
    expect(moved).toMatchObject({ secret: enrollment.secret, params: { algorithm: 'SHA1', digits: 6, period: 30 } });
    expect(await client.factors.confirm(enrollment.factor.id, { code })).toMatchObject({ status: 'active' });
  });

  forOperation('listFactors', 'lists the account’s factors', async () => {
    const { client } = await signedInClient(server);
    const { factorId } = await enrollTotpWithSdk(server, client);
    expect((await client.factors.list()).factors).toEqual([expect.objectContaining({ id: factorId, method: 'totp' })]);
  });

  forOperation('verifyCode', 'checks a code of the signed-in account, once', async () => {
    const { client } = await signedInClient(server);
    const { secret } = await enrollTotpWithSdk(server, client);
    const code = totpCode(server, secret);
    expect(await client.factors.verify({ code })).toEqual({ valid: true });
    expect(await client.factors.verify({ code })).toEqual({ valid: false });
  });

  forOperation('deleteFactor', 'removes an active authenticator with a code', async () => {
    const { client } = await signedInClient(server);
    const { secret, factorId } = await enrollTotpWithSdk(server, client);
    const refused = await rejection(client.factors.delete(factorId));
    expect(refused).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    await client.factors.delete(factorId, { code: totpCode(server, secret) });
    expect((await client.factors.list()).factors).toEqual([]);
  });
});

describe('API tokens and server-to-server verify', () => {
  forOperation('createApiToken', 'answers the token once, and it authenticates', async () => {
    const { client, username } = await signedInClient(server);
    const created = await client.apiTokens.create({ name: 'deploy script', scope: 'read' });
    expect(created.token).toMatch(/^tsa_/);
    expect(created.apiToken).toMatchObject({ name: 'deploy script', scope: 'read' });
    const script = server.client({ apiToken: created.token });
    const me = await script.me.get();
    expect(me.account.username).toBe(username);
    expect(created.twilio).toBeUndefined();
    // Asked for, the SIDs that present it to the Twilio Verify dialect.
    const twilio = await client.apiTokens.create({ name: 'twilio app', twilio: true });
    expect(twilio.twilio).toEqual({
      accountSid: `AC${me.account.id.replaceAll('-', '')}`,
      apiKeySid: `SK${twilio.apiToken.id.replaceAll('-', '')}`,
    });
  });

  forOperation('listApiTokens', 'lists the tokens without their secrets', async () => {
    const { client } = await signedInClient(server);
    const created = await client.apiTokens.create({ name: 'listed' });
    const { apiTokens } = await client.apiTokens.list();
    expect(apiTokens).toEqual([expect.objectContaining({ id: created.apiToken.id, name: 'listed' })]);
    expect(JSON.stringify(apiTokens)).not.toContain(created.token);
  });

  forOperation('revokeApiToken', 'a revoked token is refused', async () => {
    const { client } = await signedInClient(server);
    const created = await client.apiTokens.create({ name: 'revoked' });
    await client.apiTokens.revoke(created.apiToken.id);
    const script = server.client({ apiToken: created.token });
    expect(await rejection(script.me.get())).toMatchObject({ code: 'TOKEN_INVALID', status: 401 });
    expect(await rejection(client.apiTokens.revoke('00000000-0000-4000-8000-000000000000'))).toMatchObject({
      code: 'API_TOKEN_NOT_FOUND',
      status: 404,
    });
  });

  forOperation('verifyUserCode', 'a platform checks a user’s code with an admin API token', async () => {
    const admin = await signedInClient(server, { role: 'admin' });
    const { token } = await admin.client.apiTokens.create({ name: 'platform' });
    const platform = server.client({ apiToken: token });
    const user = await signedInClient(server);
    const { secret } = await enrollTotpWithSdk(server, user.client);
    const code = totpCode(server, secret);
    expect(await platform.verify({ username: user.username, code })).toEqual({ valid: true });
    expect(await platform.verify({ username: user.username, code })).toEqual({ valid: false });
    const plain = await signedInClient(server);
    expect(await rejection(platform.verify({ username: plain.username, code }))).toMatchObject({
      code: 'NO_ACTIVE_FACTOR',
      status: 409,
    });
  });
});

/** The recovery e-mail leaves in the background, after the answer: waits for its code. */
function recoveryCode(address: string): Promise<string> {
  return vi.waitFor(() => server.h.outbox.lastEmailCode(address), { timeout: 5_000, interval: 10 });
}

describe('recovery', () => {
  forOperation('confirmRecovery', 'the e-mailed code answers a success token', async () => {
    const { email } = await signedInClient(server);
    const client = server.client();
    const started = await client.auth.startRecovery({ login: email });
    const proof = await client.auth.confirmRecovery(started.challengeId, {
      code: await recoveryCode(email),
    });
    expect(proof).toMatchObject({ operation: 'reset_password', successToken: expect.any(String) });
  });

  forOperation('resetPassword', 'the success token sets a new password', async () => {
    const { email, username } = await signedInClient(server);
    const client = server.client();
    const started = await client.auth.startRecovery({ login: email });
    const { successToken } = await client.auth.confirmRecovery(started.challengeId, {
      code: await recoveryCode(email),
    });
    await client.auth.resetPassword({ successToken, newPassword: 'recovered horse battery' });
    expect(await client.auth.signIn({ username, password: 'recovered horse battery' })).toMatchObject({
      status: 'signed_in',
    });
    expect(
      await rejection(client.auth.resetPassword({ successToken, newPassword: 'again horse battery' })),
    ).toMatchObject({ status: 403 });
  });
});

describe('sessions and devices', () => {
  forOperation('listMySessions', 'lists the sessions, the current one marked', async () => {
    const { client } = await signedInClient(server);
    const { sessions } = await client.sessions.list();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ current: true });
  });

  forOperation('revokeMySession', 'ends another session of the account', async () => {
    const { client, username } = await signedInClient(server);
    const other = server.client();
    await other.auth.signIn({ username, password: PASSWORD });
    const { sessions } = await client.sessions.list();
    const otherSession = sessions.find((session) => !session.current);
    if (!otherSession) throw new Error('no other session');
    await client.sessions.revoke(otherSession.id);
    expect(await rejection(other.me.get())).toMatchObject({ status: 401 });
  });

  forOperation('revokeAllMySessions', 'ends every other session when asked to keep this one', async () => {
    const { client, username } = await signedInClient(server);
    const other = server.client();
    await other.auth.signIn({ username, password: PASSWORD });
    const revoked = await client.sessions.revokeAll({ keepCurrent: true });
    expect(revoked).toMatchObject({ sessionsRevoked: 1 });
    expect((await client.me.get()).account.username).toBe(username);
    expect(await rejection(other.me.get())).toMatchObject({ status: 401 });
  });

  forOperation('listTrustedDevices', 'lists the device remembered at sign-in', async () => {
    const { client: owner, username } = await signedInClient(server);
    const { secret } = await enrollTotpWithSdk(server, owner);
    const client = server.client();
    const first = await client.auth.signIn({ username, password: PASSWORD });
    if (first.status !== 'second_factor_required') throw new Error(first.status);
    const tokens = await client.auth.secondFactor(first.flowId, {
      code: totpCode(server, secret),
      rememberDevice: true,
      deviceLabel: 'laptop',
    });
    expect(tokens.device?.deviceToken).toEqual(expect.any(String));
    const { devices } = await client.devices.list();
    expect(devices).toEqual([expect.objectContaining({ label: 'laptop' })]);
  });

  forOperation('forgetTrustedDevice', 'a forgotten device needs the second factor again', async () => {
    const { client: owner, username } = await signedInClient(server);
    const { secret } = await enrollTotpWithSdk(server, owner);
    const client = server.client();
    const first = await client.auth.signIn({ username, password: PASSWORD });
    if (first.status !== 'second_factor_required') throw new Error(first.status);
    const { device } = await client.auth.secondFactor(first.flowId, {
      code: totpCode(server, secret),
      rememberDevice: true,
    });
    const deviceToken = device?.deviceToken ?? '';
    expect(await client.auth.signIn({ username, password: PASSWORD, deviceToken })).toMatchObject({
      status: 'signed_in',
    });
    const { devices } = await client.devices.list();
    await client.devices.forget(devices[0]?.id ?? '');
    expect(await client.auth.signIn({ username, password: PASSWORD, deviceToken })).toMatchObject({
      status: 'second_factor_required',
    });
  });
});
