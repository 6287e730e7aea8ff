import { randomUUID } from 'node:crypto';
import { SYSTEM_ACTOR } from '@tessera/core';
/**
 * Step-up challenges (authorized and, for password recovery, unauthorized), the success tokens
 * they yield, password change and reset, "remember this device" and backup-code regeneration,
 * all through the native HTTP API.
 */

import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  bearer,
  createHarness,
  createSignedInUser,
  type EnrolledTotp,
  enrollTotp,
  type Harness,
  json,
  type SignedInUser,
  uniquePhone,
} from '../support/harness.js';
import { wrongCode } from '../support/totp-user.js';

// One server for the file; every test works with accounts of its own.
let h: Harness;
beforeAll(async () => {
  // Several challenges for one account follow each other faster than the resend cooldown; that
  // limit has its own tests.
  h = await createHarness({ deliveredCodes: { resendCooldownSeconds: 0 } });
});
afterEach(async () => {
  await h.core.notifications.settle();
  await h.resetSettings();
});
afterAll(async () => h.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NEW_PASSWORD = 'a brand new passphrase';

interface ErrorBody {
  error: { code: string; message: string };
}
interface Delivery {
  id: string;
  channel: string;
  sentAt: string;
  expiresAt: string;
  destination: string;
}
interface ChallengeBody {
  challengeId: string;
  operation: string;
  method: string;
  state: string;
  attempts: number;
  expiresAt: string;
  delivery?: Delivery;
}
interface SuccessTokenBody {
  successToken: string;
  operation: string;
  target: string | null;
  expiresAt: string;
}
interface TokenPair {
  accessToken: string;
  refreshToken: string;
}
interface DeviceBody {
  deviceToken: string;
  expiresAt: string;
}
type SignInBody =
  | ({ status: 'signed_in'; device?: DeviceBody } & TokenPair)
  | { status: 'second_factor_required'; flowId: string; methods: string[] };

function errorCode(response: LightMyRequestResponse): string | undefined {
  return json<ErrorBody>(response).error?.code;
}

function inMinutes(minutes: number): string {
  return new Date(h.clock.now().getTime() + minutes * 60_000).toISOString();
}

/* ------------------------------------------------------------------ helpers over the API */

async function startChallenge(user: SignedInUser, payload: Record<string, unknown>) {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/me/2fa/challenges',
    headers: bearer(user.accessToken),
    payload,
  });
}

async function confirmChallenge(user: SignedInUser, challengeId: string, code: string) {
  return h.app.inject({
    method: 'POST',
    url: `/api/v1/me/2fa/challenges/${challengeId}/confirm`,
    headers: bearer(user.accessToken),
    payload: { code },
  });
}

async function challengeStatus(user: SignedInUser, challengeId: string) {
  return h.app.inject({
    method: 'GET',
    url: `/api/v1/me/2fa/challenges/${challengeId}`,
    headers: bearer(user.accessToken),
  });
}

/**
 * Makes e-mail an active factor of the account (a fixture written to storage, no code sent): a
 * step-up by e-mail needs it, unless it is a password change on an account without factors.
 */
async function withEmailFactor(user: SignedInUser): Promise<void> {
  const now = h.clock.now();
  await h.storage.factors.insertActive({
    id: randomUUID(),
    userId: user.id,
    kind: 'email',
    status: 'active',
    details: { maskedEmail: `${user.email.slice(0, 1)}***@example.test` },
    createdAt: now,
    expiresAt: null,
    activatedAt: now,
  });
}

/**
 * Passes a challenge for `operation` and returns the success token: with the authenticator app
 * when the user has one (a step-up uses the account's own factors), else by e-mail, made a factor
 * first unless it is a password change (which an account without factors may confirm by e-mail).
 */
async function passChallenge(
  user: SignedInUser | (SignedInUser & EnrolledTotp),
  operation: string,
  target?: string,
): Promise<string> {
  const app = 'codeAt' in user ? user : undefined;
  if (!app && operation !== 'change_password') await withEmailFactor(user);
  const started = await startChallenge(user, {
    operation,
    ...(target ? { target } : {}),
    ...(app ? { method: 'totp' } : {}),
  });
  expect(started.statusCode).toBe(201);
  const { challengeId } = json<ChallengeBody>(started);
  const code = app ? appCode(app) : h.outbox.lastEmailCode(user.email);
  if (app) h.clock.advanceSeconds(30); // the app code is spent; the next one is fresh
  const confirmed = await confirmChallenge(user, challengeId, code);
  expect(confirmed.statusCode).toBe(200);
  return json<SuccessTokenBody>(confirmed).successToken;
}

async function changePassword(user: SignedInUser, successToken: string, newPassword = NEW_PASSWORD) {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/me/password',
    headers: bearer(user.accessToken),
    payload: { successToken, newPassword },
  });
}

async function signIn(username: string, password: string, deviceToken?: string) {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { username, password, ...(deviceToken ? { deviceToken } : {}) },
  });
}

async function submitSecondFactor(flowId: string, payload: Record<string, unknown>) {
  return h.app.inject({ method: 'POST', url: `/api/v1/auth/sign-in/${flowId}/second-factor`, payload });
}

/** A signed-in user with an e-mail address and an active authenticator app. */
async function createTotpUser(options: { role?: 'user' | 'admin' } = {}): Promise<SignedInUser & EnrolledTotp> {
  const user = await createSignedInUser(h, options);
  const totp = await enrollTotp(h.app, user.accessToken, h.clock.now());
  h.clock.advanceSeconds(30); // the confirming code is spent; the next step's code is fresh
  return { ...user, ...totp };
}

/** The authenticator's code now. A code is accepted once: move the clock a step on before the next. */
function appCode(user: EnrolledTotp): string {
  return user.codeAt(h.clock.now());
}

/** Signs in with password and app code; returns the body of the finished second step. */
async function signInWithTotp(
  user: SignedInUser & EnrolledTotp,
  extra: Record<string, unknown> = {},
): Promise<TokenPair & { device?: DeviceBody }> {
  const started = json<SignInBody>(await signIn(user.username, user.password));
  if (started.status !== 'second_factor_required') throw new Error('expected a second factor step');
  const finished = await submitSecondFactor(started.flowId, { code: appCode(user), ...extra });
  h.clock.advanceSeconds(30);
  expect(finished.statusCode).toBe(200);
  return json(finished);
}

async function enableSms(user: SignedInUser, phone: string): Promise<void> {
  const started = await h.app.inject({
    method: 'POST',
    url: '/api/v1/me/2fa/enable',
    headers: bearer(user.accessToken),
    payload: { method: 'sms', phone },
  });
  expect(started.statusCode).toBe(201);
  const confirmed = await h.app.inject({
    method: 'POST',
    url: `/api/v1/me/2fa/enable/${json<{ flowId: string }>(started).flowId}/confirm`,
    headers: bearer(user.accessToken),
    payload: { code: h.outbox.lastSmsCode(phone) },
  });
  expect(confirmed.statusCode).toBe(200);
}

async function enableBackupCodes(user: SignedInUser): Promise<string[]> {
  const started = await h.app.inject({
    method: 'POST',
    url: '/api/v1/me/2fa/enable',
    headers: bearer(user.accessToken),
    payload: { method: 'backup_codes' },
  });
  expect(started.statusCode).toBe(201);
  const codes = json<{ backupCodes: { codes: string[] } }>(started).backupCodes.codes;
  expect(codes.length).toBeGreaterThan(0);
  return codes;
}

async function activeMethods(user: SignedInUser): Promise<string[]> {
  const status = await h.app.inject({ method: 'GET', url: '/api/v1/me/2fa', headers: bearer(user.accessToken) });
  return json<{ methods: string[] }>(status).methods.sort();
}

async function startDisable(user: SignedInUser, method: string): Promise<string> {
  const started = await h.app.inject({
    method: 'POST',
    url: '/api/v1/me/2fa/disable',
    headers: bearer(user.accessToken),
    payload: { method },
  });
  expect(started.statusCode).toBe(201);
  return json<{ flowId: string }>(started).flowId;
}

async function confirmDisable(user: SignedInUser, flowId: string, successToken: string) {
  return h.app.inject({
    method: 'POST',
    url: `/api/v1/me/2fa/disable/${flowId}/confirm`,
    headers: bearer(user.accessToken),
    payload: { successToken },
  });
}

async function regenerateBackupCodes(user: SignedInUser, successToken: string) {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/me/2fa/backup-codes/regenerate',
    headers: bearer(user.accessToken),
    payload: { successToken },
  });
}

async function startRecovery(login: string) {
  return h.app.inject({ method: 'POST', url: '/api/v1/auth/recovery', payload: { login } });
}

async function confirmRecovery(challengeId: string, code: string) {
  return h.app.inject({ method: 'POST', url: `/api/v1/auth/recovery/${challengeId}/confirm`, payload: { code } });
}

async function resetPassword(successToken: string, newPassword = NEW_PASSWORD) {
  return h.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { successToken, newPassword } });
}

/** How many e-mails with a code went to this address (security notices left out). */
function emailsTo(address: string): number {
  return h.outbox.emailsSent.filter((m) => m.to === address && m.code).length;
}

/** Waits for the recovery e-mail sent in the background and returns its code. */
async function recoveryCode(address: string): Promise<string> {
  return vi.waitFor(() => h.outbox.lastEmailCode(address), { timeout: 5_000, interval: 10 });
}

async function listDevices(user: SignedInUser) {
  const listed = await h.app.inject({ method: 'GET', url: '/api/v1/me/devices', headers: bearer(user.accessToken) });
  expect(listed.statusCode).toBe(200);
  return json<{ devices: Array<{ id: string; label: string; lastUsedAt: string | null; expiresAt: string }> }>(listed)
    .devices;
}

/* ------------------------------------------------------------------------------ tests */

describe('authorized step-up challenge', () => {
  it('sends an e-mail code by default and shows when, until when and (masked) where', async () => {
    const user = await createSignedInUser(h);
    const started = await startChallenge(user, { operation: 'change_password' });
    expect(started.statusCode).toBe(201);
    const body = json<ChallengeBody>(started);
    expect(body).toEqual({
      challengeId: expect.stringMatching(UUID),
      operation: 'change_password',
      method: 'email',
      state: 'awaiting_code',
      attempts: 0,
      expiresAt: inMinutes(10),
      delivery: {
        id: expect.stringMatching(UUID),
        channel: 'email',
        sentAt: h.clock.now().toISOString(),
        expiresAt: inMinutes(10),
        destination: `${user.username[0]}***@example.test`,
        digits: 6,
      },
    });
    expect(body.delivery?.destination).not.toContain(user.username);

    const message = h.outbox.emailsSent.filter((m) => m.to === user.email && m.code).at(-1);
    expect(message?.code).toMatch(/^\d{6}$/);
    expect(message?.text).toContain(message?.code ?? '');

    const status = await challengeStatus(user, body.challengeId);
    expect(status.statusCode).toBe(200);
    expect(json(status)).toMatchObject({ challengeId: body.challengeId, state: 'awaiting_code', attempts: 0 });
  });

  it('the e-mailed code yields a success token for that operation, and the challenge is passed', async () => {
    const user = await createSignedInUser(h);
    const { challengeId } = json<ChallengeBody>(await startChallenge(user, { operation: 'change_password' }));
    const confirmed = await confirmChallenge(user, challengeId, h.outbox.lastEmailCode(user.email));
    expect(confirmed.statusCode).toBe(200);
    expect(json(confirmed)).toEqual({
      successToken: expect.any(String),
      operation: 'change_password',
      target: null,
      expiresAt: inMinutes(5),
    });
    expect(json<SuccessTokenBody>(confirmed).successToken.length).toBeGreaterThanOrEqual(20);
    expect(json(await challengeStatus(user, challengeId))).toMatchObject({ state: 'passed' });
  });

  it('keeps the target it was started for', async () => {
    const user = await createTotpUser();
    await withEmailFactor(user);
    const started = json<ChallengeBody>(await startChallenge(user, { operation: 'disable_factor', target: 'totp' }));
    const confirmed = await confirmChallenge(user, started.challengeId, h.outbox.lastEmailCode(user.email));
    expect(json(confirmed)).toMatchObject({ operation: 'disable_factor', target: 'totp' });
  });

  it('a wrong code is refused with 422 CODE_INVALID and counted', async () => {
    const user = await createSignedInUser(h);
    const { challengeId } = json<ChallengeBody>(await startChallenge(user, { operation: 'change_password' }));
    const right = h.outbox.lastEmailCode(user.email);

    for (const expected of [1, 2]) {
      const refused = await confirmChallenge(user, challengeId, wrongCode(right));
      expect(refused.statusCode).toBe(422);
      expect(errorCode(refused)).toBe('CODE_INVALID');
      expect(json(await challengeStatus(user, challengeId))).toMatchObject({
        state: 'awaiting_code',
        attempts: expected,
      });
    }
    // Still open: the right code passes after a few misses.
    expect((await confirmChallenge(user, challengeId, right)).statusCode).toBe(200);
  });

  it('fails after five wrong codes; the right code is refused afterwards', async () => {
    const user = await createSignedInUser(h);
    const { challengeId } = json<ChallengeBody>(await startChallenge(user, { operation: 'change_password' }));
    const right = h.outbox.lastEmailCode(user.email);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await confirmChallenge(user, challengeId, wrongCode(right)));
    expect(answers.slice(0, 4).map((r) => r.statusCode)).toEqual([422, 422, 422, 422]);
    expect(answers[4]?.statusCode).toBeGreaterThanOrEqual(400);

    expect(json(await challengeStatus(user, challengeId))).toMatchObject({ state: 'failed', attempts: 5 });

    // Even once any account lock has run out, the failed challenge stays failed.
    h.clock.advanceSeconds(61);
    const late = await confirmChallenge(user, challengeId, right);
    expect(late.statusCode).toBe(409);
    expect(errorCode(late)).toBe('FLOW_FINISHED');
    expect(json(await challengeStatus(user, challengeId))).toMatchObject({ state: 'failed' });
  });

  it('expires after ten minutes (410 FLOW_EXPIRED), even with the right code', async () => {
    const user = await createSignedInUser(h);
    const { challengeId } = json<ChallengeBody>(await startChallenge(user, { operation: 'change_password' }));
    const right = h.outbox.lastEmailCode(user.email);
    h.clock.advanceSeconds(11 * 60);
    const late = await confirmChallenge(user, challengeId, right);
    expect(late.statusCode).toBe(410);
    expect(errorCode(late)).toBe('FLOW_EXPIRED');
    expect(json(await challengeStatus(user, challengeId))).toMatchObject({ state: 'expired' });
  });

  it('a passed challenge cannot be confirmed again (409 FLOW_FINISHED)', async () => {
    const user = await createSignedInUser(h);
    const { challengeId } = json<ChallengeBody>(await startChallenge(user, { operation: 'change_password' }));
    const right = h.outbox.lastEmailCode(user.email);
    expect((await confirmChallenge(user, challengeId, right)).statusCode).toBe(200);
    const again = await confirmChallenge(user, challengeId, right);
    expect(again.statusCode).toBe(409);
    expect(errorCode(again)).toBe('FLOW_FINISHED');
  });

  it("another user's challenge is 404 FLOW_NOT_FOUND, and stays usable by its owner", async () => {
    const owner = await createSignedInUser(h);
    const other = await createSignedInUser(h);
    const { challengeId } = json<ChallengeBody>(await startChallenge(owner, { operation: 'change_password' }));
    const right = h.outbox.lastEmailCode(owner.email);

    const status = await challengeStatus(other, challengeId);
    expect(status.statusCode).toBe(404);
    expect(errorCode(status)).toBe('FLOW_NOT_FOUND');
    const confirm = await confirmChallenge(other, challengeId, right);
    expect(confirm.statusCode).toBe(404);
    expect(errorCode(confirm)).toBe('FLOW_NOT_FOUND');

    const unknown = await confirmChallenge(owner, '00000000-0000-4000-8000-000000000000', right);
    expect(unknown.statusCode).toBe(404);
    expect(errorCode(unknown)).toBe('FLOW_NOT_FOUND');

    expect((await confirmChallenge(owner, challengeId, right)).statusCode).toBe(200);
  });

  it('a code e-mailed for one challenge does not answer another', async () => {
    const user = await createSignedInUser(h);
    const first = json<ChallengeBody>(await startChallenge(user, { operation: 'change_password' }));
    const firstCode = h.outbox.lastEmailCode(user.email);
    const second = json<ChallengeBody>(await startChallenge(user, { operation: 'change_password' }));
    const secondCode = h.outbox.lastEmailCode(user.email);
    expect(second.challengeId).not.toBe(first.challengeId);
    // Two independent random codes coincide one time in a million: then there is nothing to tell apart.
    if (firstCode === secondCode) return;
    const crossed = await confirmChallenge(user, second.challengeId, firstCode);
    expect(crossed.statusCode).toBe(422);
    expect(errorCode(crossed)).toBe('CODE_INVALID');
    expect((await confirmChallenge(user, second.challengeId, secondCode)).statusCode).toBe(200);
  });

  it('with the authenticator app as method: no e-mail, answered with the app code', async () => {
    const user = await createTotpUser();
    const before = emailsTo(user.email);
    const started = await startChallenge(user, { operation: 'regenerate_backup_codes', method: 'totp' });
    expect(started.statusCode).toBe(201);
    const body = json<ChallengeBody>(started);
    expect(body).toMatchObject({ method: 'totp', state: 'awaiting_code', operation: 'regenerate_backup_codes' });
    expect(body).not.toHaveProperty('delivery');
    expect(emailsTo(user.email)).toBe(before);

    const wrong = await confirmChallenge(user, body.challengeId, wrongCode(appCode(user)));
    expect(wrong.statusCode).toBe(422);
    expect(errorCode(wrong)).toBe('CODE_INVALID');

    const passed = await confirmChallenge(user, body.challengeId, appCode(user));
    expect(passed.statusCode).toBe(200);
    expect(json(passed)).toMatchObject({ operation: 'regenerate_backup_codes', target: null });
  });

  it('refuses the app as method when the account has none (409 METHOD_NOT_ACTIVE)', async () => {
    const user = await createSignedInUser(h);
    const started = await startChallenge(user, { operation: 'change_password', method: 'totp' });
    expect(started.statusCode).toBe(409);
    expect(errorCode(started)).toBe('METHOD_NOT_ACTIVE');
  });

  it('password reset is not an authorized challenge; signing in is required', async () => {
    const user = await createSignedInUser(h);
    const reset = await startChallenge(user, { operation: 'reset_password' });
    expect(reset.statusCode).toBe(400);
    expect(errorCode(reset)).toBe('VALIDATION_FAILED');

    const anonymous = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/challenges',
      payload: { operation: 'change_password' },
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('a provider failure is reported as 502 DELIVERY_FAILED', async () => {
    const user = await createSignedInUser(h);
    h.outbox.failNext(1, user.email);
    const started = await startChallenge(user, { operation: 'change_password' });
    expect(started.statusCode).toBe(502);
    expect(errorCode(started)).toBe('DELIVERY_FAILED');
  });
});

describe('success tokens', () => {
  it('are single use', async () => {
    const user = await createSignedInUser(h);
    const token = await passChallenge(user, 'change_password');
    expect((await changePassword(user, token)).statusCode).toBe(204);
    const again = await changePassword(user, token, 'yet another passphrase');
    expect(again.statusCode).toBe(403);
    expect(errorCode(again)).toBe('SUCCESS_TOKEN_INVALID');
    // The refused second use changed nothing.
    expect(json(await signIn(user.username, NEW_PASSWORD))).toMatchObject({ status: 'signed_in' });
  });

  it('are good for five minutes and no longer', async () => {
    const user = await createSignedInUser(h);
    const early = await passChallenge(user, 'change_password');
    const late = await passChallenge(user, 'change_password');
    h.clock.advanceSeconds(5 * 60 - 1);
    expect((await changePassword(user, early)).statusCode).toBe(204);
    h.clock.advanceSeconds(2);
    const expired = await changePassword(user, late, 'yet another passphrase');
    expect(expired.statusCode).toBe(403);
    expect(errorCode(expired)).toBe('SUCCESS_TOKEN_INVALID');
  });

  it('are bound to their operation: a change_password token neither regenerates codes nor disables a factor', async () => {
    const user = await createTotpUser();
    await enableBackupCodes(user);
    const token = await passChallenge(user, 'change_password');

    const regenerate = await regenerateBackupCodes(user, token);
    expect(regenerate.statusCode).toBe(403);
    expect(errorCode(regenerate)).toBe('SUCCESS_TOKEN_INVALID');

    const disable = await confirmDisable(user, await startDisable(user, 'totp'), token);
    expect(disable.statusCode).toBe(403);
    expect(errorCode(disable)).toBe('SUCCESS_TOKEN_INVALID');
    expect(await activeMethods(user)).toEqual(['backup_codes', 'totp']);

    // Refused elsewhere, the token is still good for what it was issued for.
    expect((await changePassword(user, token)).statusCode).toBe(204);
  });

  it('are bound to their target: a token to disable totp cannot disable sms', async () => {
    const user = await createTotpUser();
    await enableSms(user, uniquePhone());
    expect(await activeMethods(user)).toEqual(['sms', 'totp']);
    const token = await passChallenge(user, 'disable_factor', 'totp');

    const sms = await confirmDisable(user, await startDisable(user, 'sms'), token);
    expect(sms.statusCode).toBe(403);
    expect(errorCode(sms)).toBe('SUCCESS_TOKEN_INVALID');
    expect(await activeMethods(user)).toEqual(['sms', 'totp']);

    const totp = await confirmDisable(user, await startDisable(user, 'totp'), token);
    expect(totp.statusCode).toBe(200);
    expect(json(totp)).toMatchObject({ method: 'totp', state: 'disabled' });
    expect(await activeMethods(user)).toEqual(['sms']);
  });

  it('a disable_factor token without a target disables nothing', async () => {
    const user = await createTotpUser();
    const token = await passChallenge(user, 'disable_factor');
    const refused = await confirmDisable(user, await startDisable(user, 'totp'), token);
    expect(refused.statusCode).toBe(403);
    expect(errorCode(refused)).toBe('SUCCESS_TOKEN_INVALID');
    expect(await activeMethods(user)).toEqual(['totp']);
  });

  it("another user's token is refused, and stays usable by its owner", async () => {
    const owner = await createSignedInUser(h);
    const other = await createSignedInUser(h);
    const token = await passChallenge(owner, 'change_password');
    const refused = await changePassword(other, token);
    expect(refused.statusCode).toBe(403);
    expect(errorCode(refused)).toBe('SUCCESS_TOKEN_INVALID');
    expect(json(await signIn(other.username, other.password))).toMatchObject({ status: 'signed_in' });
    expect(json(await signIn(owner.username, owner.password))).toMatchObject({ status: 'signed_in' });
    expect((await changePassword(owner, token)).statusCode).toBe(204);
  });

  it('a made-up token is refused', async () => {
    const user = await createSignedInUser(h);
    const refused = await changePassword(user, 'tst_not-a-real-token');
    expect(refused.statusCode).toBe(403);
    expect(errorCode(refused)).toBe('SUCCESS_TOKEN_INVALID');
  });
});

describe('password change', () => {
  it('with a success token: the old password stops working, the new one works, the owner is told', async () => {
    const user = await createSignedInUser(h);
    const token = await passChallenge(user, 'change_password');
    const changed = await changePassword(user, token);
    expect(changed.statusCode).toBe(204);

    const old = await signIn(user.username, user.password);
    expect(old.statusCode).toBe(401);
    expect(errorCode(old)).toBe('INVALID_CREDENTIALS');
    expect(json(await signIn(user.username, NEW_PASSWORD))).toMatchObject({ status: 'signed_in' });

    await h.core.notifications.settle();
    expect(h.outbox.notices(user.email).map((m) => m.subject)).toContain('Tessera Test: password changed');
  });

  it('needs a valid password and a token; a too-short password spends no token', async () => {
    const user = await createSignedInUser(h);
    const token = await passChallenge(user, 'change_password');
    const short = await changePassword(user, token, 'short');
    expect(short.statusCode).toBe(400);
    const missing = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: bearer(user.accessToken),
      payload: { newPassword: NEW_PASSWORD },
    });
    expect(missing.statusCode).toBe(403);
    expect(errorCode(missing)).toBe('REAUTHENTICATION_REQUIRED');
    expect((await changePassword(user, token)).statusCode).toBe(204);
  });

  it('forgets every remembered device', async () => {
    const user = await createTotpUser();
    const { device } = await signInWithTotp(user, { rememberDevice: true });
    expect(device).toBeDefined();
    expect(await listDevices(user)).toHaveLength(1);

    expect((await changePassword(user, await passChallenge(user, 'change_password'))).statusCode).toBe(204);

    expect(await listDevices(user)).toEqual([]);
    const next = json<SignInBody>(await signIn(user.username, NEW_PASSWORD, device?.deviceToken));
    expect(next.status).toBe('second_factor_required');
  });

  it('a reset_password token cannot change the password of a signed-in user', async () => {
    const user = await createSignedInUser(h);
    const { challengeId } = json<{ challengeId: string }>(await startRecovery(user.username));
    const token = json<SuccessTokenBody>(await confirmRecovery(challengeId, await recoveryCode(user.email)));
    expect(token.operation).toBe('reset_password');
    const refused = await changePassword(user, token.successToken);
    expect(refused.statusCode).toBe(403);
    expect(errorCode(refused)).toBe('SUCCESS_TOKEN_INVALID');
  });
});

describe('password recovery (unauthorized challenge)', () => {
  /** The keys of a body, each with the kind of value it holds. */
  function shape(body: Record<string, unknown>): Record<string, string> {
    const kind = (value: unknown): string => {
      if (typeof value !== 'string') return typeof value;
      if (UUID.test(value)) return 'uuid';
      if (!Number.isNaN(Date.parse(value)) && /^\d{4}-\d\d-\d\dT/.test(value)) return 'date-time';
      return `"${value}"`;
    };
    return Object.fromEntries(
      Object.keys(body)
        .sort()
        .map((key) => [key, kind(body[key])]),
    );
  }

  it('answers an existing username, an existing address and an unknown login alike', async () => {
    const user = await createSignedInUser(h);
    const sentBefore = h.outbox.emailsSent.length;
    const byName = await startRecovery(user.username);
    const byEmail = await startRecovery(user.email);
    const unknown = await startRecovery('nobody-by-this-name');
    const unknownEmail = await startRecovery('nobody@example.test');
    const answers = [byName, byEmail, unknown, unknownEmail];

    expect(answers.map((r) => r.statusCode)).toEqual([202, 202, 202, 202]);
    const expected = {
      challengeId: 'uuid',
      channel: '"email"',
      digits: 'number',
      expiresAt: 'date-time',
      sentAt: 'date-time',
      state: '"awaiting_code"',
    };
    for (const answer of answers) {
      const body = json(answer);
      expect(shape(body)).toEqual(expected);
      expect(body).toMatchObject({ sentAt: h.clock.now().toISOString(), expiresAt: inMinutes(10), digits: 6 });
      expect(answer.headers['content-length']).toBe(byName.headers['content-length']);
    }
    const ids = answers.map((r) => json<{ challengeId: string }>(r).challengeId);
    expect(new Set(ids).size).toBe(4);

    // Two codes for the account (username, then address), none for the unknown logins.
    await vi.waitFor(() => expect(emailsTo(user.email)).toBe(2), { timeout: 5_000, interval: 10 });
    expect(
      h.outbox.emailsSent
        .slice(sentBefore)
        .map((m) => m.to)
        .filter((to) => to !== user.email),
    ).toEqual([]);
  });

  // The provider holds the e-mail until the answer is in: an answer that waited for the
  // delivery would never come, and the test would fail on its timeout.
  it('answers before the e-mail is delivered', { timeout: 5_000 }, async () => {
    const user = await createSignedInUser(h);
    const release = h.outbox.hold();
    onTestFinished(release);
    const answer = await startRecovery(user.username);
    expect(answer.statusCode).toBe(202);
    // The send has begun and is still waiting on the provider.
    await vi.waitFor(() => expect(h.outbox.waiting).toBe(1), { timeout: 5_000, interval: 10 });
    expect(emailsTo(user.email)).toBe(0);

    release();
    await vi.waitFor(() => expect(emailsTo(user.email)).toBe(1), { timeout: 5_000, interval: 10 });
  });

  it('the e-mailed code yields a reset_password token; the reset sets the new password', async () => {
    const user = await createSignedInUser(h);
    const { challengeId } = json<{ challengeId: string }>(await startRecovery(user.email));
    const code = await recoveryCode(user.email);
    const message = h.outbox.emailsSent.filter((m) => m.to === user.email && m.code).at(-1);
    expect(message?.text).toContain('reset your password');

    const confirmed = await confirmRecovery(challengeId, code);
    expect(confirmed.statusCode).toBe(200);
    const token = json<SuccessTokenBody>(confirmed);
    expect(token).toEqual({
      successToken: expect.any(String),
      operation: 'reset_password',
      target: null,
      expiresAt: inMinutes(5),
    });

    expect((await resetPassword(token.successToken)).statusCode).toBe(204);
    expect((await signIn(user.username, user.password)).statusCode).toBe(401);
    expect(json(await signIn(user.username, NEW_PASSWORD))).toMatchObject({ status: 'signed_in' });

    const reused = await resetPassword(token.successToken, 'a third passphrase');
    expect(reused.statusCode).toBe(403);
    expect(errorCode(reused)).toBe('SUCCESS_TOKEN_INVALID');
    const again = await confirmRecovery(challengeId, code);
    expect(again.statusCode).toBeGreaterThanOrEqual(400);

    await h.core.notifications.settle();
    expect(h.outbox.notices(user.email).map((m) => m.subject)).toContain('Tessera Test: password changed');
  });

  it('a reset forgets remembered devices', async () => {
    const user = await createTotpUser();
    const { device } = await signInWithTotp(user, { rememberDevice: true });
    const { challengeId } = json<{ challengeId: string }>(await startRecovery(user.username));
    const token = json<SuccessTokenBody>(await confirmRecovery(challengeId, await recoveryCode(user.email)));
    expect((await resetPassword(token.successToken)).statusCode).toBe(204);
    expect(json(await signIn(user.username, NEW_PASSWORD, device?.deviceToken))).toMatchObject({
      status: 'second_factor_required',
    });
  });

  it('a change_password token cannot reset a password', async () => {
    const user = await createSignedInUser(h);
    const token = await passChallenge(user, 'change_password');
    const refused = await resetPassword(token);
    expect(refused.statusCode).toBe(403);
    expect(errorCode(refused)).toBe('SUCCESS_TOKEN_INVALID');
    expect((await signIn(user.username, NEW_PASSWORD)).statusCode).toBe(401);
  });

  it('a random challenge id, an unknown login and a wrong code all answer 422 CODE_INVALID', async () => {
    const user = await createSignedInUser(h);
    const { challengeId } = json<{ challengeId: string }>(await startRecovery(user.username));
    const right = await recoveryCode(user.email);
    const { challengeId: nobodysId } = json<{ challengeId: string }>(await startRecovery('nobody-at-all'));

    const answers = [
      await confirmRecovery('00000000-0000-4000-8000-000000000000', right),
      await confirmRecovery(nobodysId, right),
      await confirmRecovery(challengeId, wrongCode(right)),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(422);
      expect(errorCode(answer)).toBe('CODE_INVALID');
      expect(json<ErrorBody>(answer).error.message).toBe(json<ErrorBody>(answers[0] ?? answer).error.message);
    }
    expect((await confirmRecovery(challengeId, right)).statusCode).toBe(200);
  });

  it('gives the same answers for an account and for no account once the challenge has expired', async () => {
    const user = await createSignedInUser(h);
    const { challengeId } = json<{ challengeId: string }>(await startRecovery(user.username));
    const right = await recoveryCode(user.email);
    const { challengeId: nobodysId } = json<{ challengeId: string }>(await startRecovery('nobody-at-all'));
    h.clock.advanceSeconds(11 * 60);

    const real = await confirmRecovery(challengeId, right);
    const fake = await confirmRecovery(nobodysId, right);
    expect(real.statusCode).toBe(422);
    expect([real.statusCode, errorCode(real)]).toEqual([fake.statusCode, errorCode(fake)]);
  });

  it('gives the same answers for an account and for no account through five wrong codes and after', async () => {
    const user = await createSignedInUser(h);
    const { challengeId } = json<{ challengeId: string }>(await startRecovery(user.username));
    const right = await recoveryCode(user.email);
    const { challengeId: nobodysId } = json<{ challengeId: string }>(await startRecovery('nobody-at-all'));

    for (let i = 0; i < 6; i++) {
      const real = await confirmRecovery(challengeId, wrongCode(right));
      const fake = await confirmRecovery(nobodysId, wrongCode(right));
      expect({ try: i + 1, status: real.statusCode, code: errorCode(real) }).toEqual({
        try: i + 1,
        status: fake.statusCode,
        code: errorCode(fake),
      });
    }
    // The guessed-at challenge is spent: the right code no longer resets the password.
    expect((await confirmRecovery(challengeId, right)).statusCode).toBe(422);
  });

  it('a provider failure is logged and the answer is still 202', async () => {
    const user = await createSignedInUser(h);
    h.outbox.failNext(1, user.email);
    const logMark = h.log.mark();
    const answer = await startRecovery(user.username);
    expect(answer.statusCode).toBe(202);
    expect(shape(json(answer))).toEqual(shape(json(await startRecovery('nobody-at-all'))));
    await vi.waitFor(() => expect(h.log.textSince(logMark)).toContain('password recovery code not sent'), {
      timeout: 5_000,
      interval: 10,
    });
    const line = h.log.lines.slice(logMark).find((l) => l.includes('password recovery code not sent')) ?? '';
    expect(JSON.parse(line)).toMatchObject({ userId: user.id });
    expect(line).not.toContain(user.email);
    expect(emailsTo(user.email)).toBe(0);
  });

  it('refuses a malformed code and an empty login with 400', async () => {
    const malformed = await confirmRecovery('00000000-0000-4000-8000-000000000000', '12');
    expect(malformed.statusCode).toBe(400);
    const empty = await startRecovery('');
    expect(empty.statusCode).toBe(400);
    expect(errorCode(empty)).toBe('VALIDATION_FAILED');
  });
});

describe('remember this device', () => {
  it('returns a device token that skips the second factor once, rotating on use', async () => {
    const user = await createTotpUser();
    const finished = await signInWithTotp(user, { rememberDevice: true, deviceLabel: 'work laptop' });
    expect(finished.accessToken).toEqual(expect.any(String));
    expect(finished.device).toEqual({ deviceToken: expect.any(String), expiresAt: expect.any(String) });
    const first = finished.device?.deviceToken ?? '';
    expect(new Date(finished.device?.expiresAt ?? 0).getTime() - h.clock.now().getTime()).toBeGreaterThan(
      29 * 86_400_000,
    );

    const skipped = await signIn(user.username, user.password, first);
    expect(skipped.statusCode).toBe(200);
    const skippedBody = json<SignInBody>(skipped);
    expect(skippedBody.status).toBe('signed_in');
    if (skippedBody.status !== 'signed_in') return;
    expect(skippedBody.accessToken).toEqual(expect.any(String));
    const rotated = skippedBody.device?.deviceToken;
    expect(rotated).toEqual(expect.any(String));
    expect(rotated).not.toBe(first);

    // The old token is spent; the rotated one skips.
    expect(json(await signIn(user.username, user.password, first))).toMatchObject({
      status: 'second_factor_required',
    });
    expect(json(await signIn(user.username, user.password, rotated))).toMatchObject({ status: 'signed_in' });
  });

  it('still needs the password', async () => {
    const user = await createTotpUser();
    const { device } = await signInWithTotp(user, { rememberDevice: true });
    const wrong = await signIn(user.username, 'not the password at all', device?.deviceToken);
    expect(wrong.statusCode).toBe(401);
    expect(errorCode(wrong)).toBe('INVALID_CREDENTIALS');
  });

  it('is not remembered unless asked for', async () => {
    const user = await createTotpUser();
    const finished = await signInWithTotp(user);
    expect(finished).not.toHaveProperty('device');
    expect(await listDevices(user)).toEqual([]);
  });

  it("another user's device token does not skip, and is left working for its owner", async () => {
    const owner = await createTotpUser();
    const other = await createTotpUser();
    const { device } = await signInWithTotp(owner, { rememberDevice: true });
    expect(json(await signIn(other.username, other.password, device?.deviceToken))).toMatchObject({
      status: 'second_factor_required',
    });
    expect(json(await signIn(owner.username, owner.password, device?.deviceToken))).toMatchObject({
      status: 'signed_in',
    });
  });

  it('a made-up device token does not skip', async () => {
    const user = await createTotpUser();
    expect(json(await signIn(user.username, user.password, 'tdv_made-up'))).toMatchObject({
      status: 'second_factor_required',
    });
  });

  it('lasts thirty days', async () => {
    const user = await createTotpUser();
    const { device } = await signInWithTotp(user, { rememberDevice: true });
    h.clock.advanceSeconds(30 * 86_400 + 1);
    expect(json(await signIn(user.username, user.password, device?.deviceToken))).toMatchObject({
      status: 'second_factor_required',
    });
  });

  it('is listed under /me/devices and forgotten with DELETE', async () => {
    const user = await createTotpUser();
    const { device, accessToken } = await signInWithTotp(user, { rememberDevice: true, deviceLabel: 'phone' });
    const session = { ...user, accessToken };
    const [listed, ...rest] = await listDevices(session);
    expect(rest).toEqual([]);
    expect(listed).toEqual({
      id: expect.stringMatching(UUID),
      label: 'phone',
      createdAt: expect.any(String),
      expiresAt: device?.expiresAt,
      lastUsedAt: null,
    });
    expect(JSON.stringify(listed)).not.toContain(device?.deviceToken ?? '-');

    const used = json<SignInBody>(await signIn(user.username, user.password, device?.deviceToken));
    expect(used.status).toBe('signed_in');
    const afterUse = await listDevices(session);
    expect(afterUse).toEqual([expect.objectContaining({ id: listed?.id, lastUsedAt: h.clock.now().toISOString() })]);

    // Another user cannot forget it.
    const stranger = await createSignedInUser(h);
    const foreign = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/devices/${listed?.id}`,
      headers: bearer(stranger.accessToken),
    });
    expect(foreign.statusCode).toBe(404);
    expect(errorCode(foreign)).toBe('TRUSTED_DEVICE_NOT_FOUND');
    expect(await listDevices(session)).toHaveLength(1);

    const deleted = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/devices/${listed?.id}`,
      headers: bearer(accessToken),
    });
    expect(deleted.statusCode).toBe(204);
    expect(await listDevices(session)).toEqual([]);
    const rotated = used.status === 'signed_in' ? used.device?.deviceToken : undefined;
    expect(json(await signIn(user.username, user.password, rotated))).toMatchObject({
      status: 'second_factor_required',
    });

    const unknown = await h.app.inject({
      method: 'DELETE',
      url: '/api/v1/me/devices/00000000-0000-4000-8000-000000000000',
      headers: bearer(accessToken),
    });
    expect(unknown.statusCode).toBe(404);
    expect(errorCode(unknown)).toBe('TRUSTED_DEVICE_NOT_FOUND');
  });

  it('admins are not remembered by default; the policy can allow it, and take it back', async () => {
    const admin = await createTotpUser({ role: 'admin' });
    expect((await h.core.policy.get()).rememberDeviceForAdmins).toBe(false);
    const refused = await signInWithTotp(admin, { rememberDevice: true });
    expect(refused).not.toHaveProperty('device');
    expect(await listDevices(admin)).toEqual([]);

    await h.core.policy.update(SYSTEM_ACTOR, { rememberDeviceForAdmins: true });
    const allowed = await signInWithTotp(admin, { rememberDevice: true });
    expect(allowed.device?.deviceToken).toEqual(expect.any(String));
    const skipped = json<SignInBody>(await signIn(admin.username, admin.password, allowed.device?.deviceToken));
    expect(skipped.status).toBe('signed_in');
    const rotated = skipped.status === 'signed_in' ? skipped.device?.deviceToken : undefined;
    expect(rotated).toEqual(expect.any(String));

    // Switched off again, the device remembered meanwhile no longer skips.
    await h.core.policy.update(SYSTEM_ACTOR, { rememberDeviceForAdmins: false });
    expect(json(await signIn(admin.username, admin.password, rotated))).toMatchObject({
      status: 'second_factor_required',
    });
  });
});

describe('backup code regeneration', () => {
  it('needs a success token for regenerate_backup_codes; then the old codes stop working', async () => {
    const user = await createSignedInUser(h);
    const oldCodes = await enableBackupCodes(user);

    const missing = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/backup-codes/regenerate',
      headers: bearer(user.accessToken),
      payload: {},
    });
    expect(missing.statusCode).toBe(400);
    const bogus = await regenerateBackupCodes(user, 'tst_made-up');
    expect(bogus.statusCode).toBe(403);
    expect(errorCode(bogus)).toBe('SUCCESS_TOKEN_INVALID');

    const token = await passChallenge(user, 'regenerate_backup_codes');
    const regenerated = await regenerateBackupCodes(user, token);
    expect(regenerated.statusCode).toBe(200);
    const set = json<{ codes: string[]; remaining: number; createdAt: string }>(regenerated);
    expect(set.codes).toHaveLength(oldCodes.length);
    expect(set.remaining).toBe(oldCodes.length);
    expect(set.codes.filter((c) => oldCodes.includes(c))).toEqual([]);

    const reused = await regenerateBackupCodes(user, token);
    expect(reused.statusCode).toBe(403);

    const flow = json<SignInBody>(await signIn(user.username, user.password));
    if (flow.status !== 'second_factor_required') throw new Error('expected a second factor step');
    const old = await submitSecondFactor(flow.flowId, { code: oldCodes[0], method: 'backup_codes' });
    expect(old.statusCode).toBe(422);
    expect(errorCode(old)).toBe('CODE_INVALID');
    const fresh = await submitSecondFactor(flow.flowId, { code: set.codes[0], method: 'backup_codes' });
    expect(fresh.statusCode).toBe(200);

    expect(
      json(
        await h.app.inject({ method: 'GET', url: '/api/v1/me/2fa/backup-codes', headers: bearer(user.accessToken) }),
      ),
    ).toEqual({ active: true, remaining: oldCodes.length - 1 });
    await h.core.notifications.settle();
    expect(h.outbox.notices(user.email).map((m) => m.subject)).toContain('Tessera Test: new backup codes');
  });

  it('a passed challenge for another operation does not do', async () => {
    const user = await createSignedInUser(h);
    await enableBackupCodes(user);
    const refused = await regenerateBackupCodes(user, await passChallenge(user, 'disable_factor', 'backup_codes'));
    expect(refused.statusCode).toBe(403);
    expect(errorCode(refused)).toBe('SUCCESS_TOKEN_INVALID');
  });

  it('without backup codes there is nothing to regenerate (409), and the token is kept', async () => {
    const user = await createSignedInUser(h);
    const token = await passChallenge(user, 'regenerate_backup_codes');
    const none = await regenerateBackupCodes(user, token);
    expect(none.statusCode).toBe(409);
    expect(errorCode(none)).toBe('BACKUP_CODES_NOT_ACTIVE');
    await enableBackupCodes(user);
    expect((await regenerateBackupCodes(user, token)).statusCode).toBe(200);
  });
});
