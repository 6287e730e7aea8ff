import type { TesseraClient } from '@tessera/client';
import { describe, expect } from 'vitest';
import { uniquePhone } from '../support/harness.js';
import { enrollTotpWithSdk, forOperation, rejection, signedInClient, totpCode, useSdkServer } from './sdk-support.js';

const server = useSdkServer();

/** Enables TOTP through the 2FA procedure; returns the secret (the clock moved on a step). */
async function enableTotp(client: TesseraClient): Promise<string> {
  const started = await client.twoFactor.enable({ method: 'totp' });
  const secret = started.totp?.secret ?? '';
  await client.twoFactor.confirmEnable(started.flowId, { code: totpCode(server, secret) });
  server.h.clock.advanceSeconds(30);
  return secret;
}

describe('enable and disable', () => {
  forOperation('startEnable', 'starts enabling TOTP with the secret to show', async () => {
    const { client } = await signedInClient(server);
    const started = await client.twoFactor.enable({ method: 'totp' });
    expect(started).toMatchObject({ method: 'totp', state: 'awaiting_code', totp: { secret: expect.any(String) } });
  });

  forOperation('getEnable', 'answers the state of the procedure', async () => {
    const { client } = await signedInClient(server);
    const started = await client.twoFactor.enable({ method: 'totp' });
    expect(await client.twoFactor.getEnable(started.flowId)).toMatchObject({
      flowId: started.flowId,
      state: 'awaiting_code',
    });
  });

  forOperation('confirmEnable', 'the code enables the method', async () => {
    const { client } = await signedInClient(server);
    const started = await client.twoFactor.enable({ method: 'totp' });
    const wrong = await rejection(client.twoFactor.confirmEnable(started.flowId, { code: '000000' }));
    expect(wrong).toMatchObject({ code: 'CODE_INVALID' });
    const enabled = await client.twoFactor.confirmEnable(started.flowId, {
      code: totpCode(server, started.totp?.secret ?? ''),
    });
    expect(enabled).toMatchObject({ state: 'enabled', factor: { method: 'totp', status: 'active' } });
  });

  forOperation('getTwoFactorStatus', 'lists the active methods', async () => {
    const { client } = await signedInClient(server);
    expect(await client.twoFactor.status()).toMatchObject({ methods: [] });
    await enableTotp(client);
    expect(await client.twoFactor.status()).toMatchObject({ methods: ['totp'] });
  });

  forOperation('resendEnableCode', 'sends a new SMS code once the cooldown is over', async () => {
    const { client } = await signedInClient(server);
    const phone = uniquePhone();
    const started = await client.twoFactor.enable({ method: 'sms', phone });
    const tooSoon = await rejection(client.twoFactor.resendEnable(started.flowId));
    expect(tooSoon).toMatchObject({ code: 'RESEND_TOO_SOON', status: 429 });
    server.h.clock.advanceSeconds(61);
    const sent = await client.twoFactor.resendEnable(started.flowId);
    expect(sent).toMatchObject({ channel: 'sms' });
    expect(server.h.outbox.smsTo(phone)).toHaveLength(2);
    await client.twoFactor.confirmEnable(started.flowId, { code: server.h.outbox.lastSmsCode(phone) });
  });

  forOperation('startDisable', 'starts disabling a method', async () => {
    const { client } = await signedInClient(server);
    await enableTotp(client);
    expect(await client.twoFactor.disable({ method: 'totp' })).toMatchObject({
      method: 'totp',
      state: 'awaiting_code',
    });
  });

  forOperation('confirmDisable', 'a code disables the method', async () => {
    const { client } = await signedInClient(server);
    const secret = await enableTotp(client);
    const started = await client.twoFactor.disable({ method: 'totp' });
    const done = await client.twoFactor.confirmDisable(started.flowId, { code: totpCode(server, secret) });
    expect(done).toMatchObject({ state: 'disabled' });
    expect(await client.twoFactor.status()).toMatchObject({ methods: [] });
  });

  forOperation('resendDisableCode', 'sends a new SMS code for disabling SMS', async () => {
    const { client } = await signedInClient(server);
    const phone = uniquePhone();
    const enabling = await client.twoFactor.enable({ method: 'sms', phone });
    await client.twoFactor.confirmEnable(enabling.flowId, { code: server.h.outbox.lastSmsCode(phone) });
    server.h.clock.advanceSeconds(61);
    const started = await client.twoFactor.disable({ method: 'sms' });
    expect(started.delivery).toMatchObject({ channel: 'sms' });
    server.h.clock.advanceSeconds(61);
    await client.twoFactor.resendDisable(started.flowId);
    const done = await client.twoFactor.confirmDisable(started.flowId, { code: server.h.outbox.lastSmsCode(phone) });
    expect(done).toMatchObject({ state: 'disabled' });
  });
});

describe('challenges and backup codes', () => {
  forOperation('startChallenge', 'asks for a code before a sensitive operation', async () => {
    const { client } = await signedInClient(server);
    await enableTotp(client);
    const challenge = await client.challenges.start({ operation: 'change_password', method: 'totp' });
    expect(challenge).toMatchObject({ operation: 'change_password', method: 'totp', state: 'awaiting_code' });
  });

  forOperation('getChallenge', 'answers the state of a challenge', async () => {
    const { client } = await signedInClient(server);
    await enableTotp(client);
    const challenge = await client.challenges.start({ operation: 'change_password', method: 'totp' });
    expect(await client.challenges.get(challenge.challengeId)).toMatchObject({
      challengeId: challenge.challengeId,
      state: 'awaiting_code',
    });
  });

  forOperation('confirmChallenge', 'the code answers a success token for the operation', async () => {
    const { client } = await signedInClient(server);
    const secret = await enableTotp(client);
    const challenge = await client.challenges.start({ operation: 'change_password', method: 'totp' });
    const proof = await client.challenges.confirm(challenge.challengeId, { code: totpCode(server, secret) });
    expect(proof).toMatchObject({ operation: 'change_password', successToken: expect.any(String) });
    await client.me.changePassword({ successToken: proof.successToken, newPassword: 'challenged horse battery' });
  });

  forOperation('getBackupCodeStatus', 'counts the backup codes left', async () => {
    const { client } = await signedInClient(server);
    expect(await client.backupCodes.status()).toEqual({ active: false, remaining: 0 });
    const started = await client.twoFactor.enable({ method: 'backup_codes' });
    expect(started.backupCodes?.codes).toHaveLength(10);
    expect(await client.backupCodes.status()).toEqual({ active: true, remaining: 10 });
  });

  forOperation('regenerateBackupCodes', 'a new set with a success token, the old set void', async () => {
    const { client } = await signedInClient(server);
    const secret = await enableTotp(client);
    const first = await client.twoFactor.enable({ method: 'backup_codes', successToken: await proof(client, secret) });
    server.h.clock.advanceSeconds(30);
    const regenerated = await client.backupCodes.regenerate({
      successToken: await proof(client, secret, 'regenerate_backup_codes'),
    });
    expect(regenerated.codes).toHaveLength(10);
    expect(regenerated.codes).not.toEqual(first.backupCodes?.codes);
  });
});

/** A success token from a TOTP challenge for the operation. */
async function proof(
  client: TesseraClient,
  secret: string,
  operation: 'regenerate_backup_codes' | 'change_password' = 'regenerate_backup_codes',
): Promise<string> {
  const challenge = await client.challenges.start({ operation, method: 'totp' });
  const { successToken } = await client.challenges.confirm(challenge.challengeId, { code: totpCode(server, secret) });
  return successToken;
}

describe('history', () => {
  forOperation('listHistory', 'lists the account’s 2FA events, filtered by method', async () => {
    const { client } = await signedInClient(server);
    await enrollTotpWithSdk(server, client);
    const page = await client.history.list({ method: 'totp', order: 'desc', limit: 10 });
    expect(page.items).toEqual([expect.objectContaining({ method: 'totp', action: 'enable', enabled: true })]);
    expect(await client.history.list({ method: 'sms' })).toMatchObject({ items: [], total: 0 });
  });

  forOperation('getHistoryEntry', 'answers one entry, and a made-up id is not found', async () => {
    const { client } = await signedInClient(server);
    await enrollTotpWithSdk(server, client);
    const [entry] = (await client.history.list()).items;
    expect(await client.history.get(entry?.id ?? '')).toEqual(entry);
    expect(await rejection(client.history.get('00000000-0000-4000-8000-000000000000'))).toMatchObject({
      code: 'HISTORY_ENTRY_NOT_FOUND',
      status: 404,
    });
  });
});
