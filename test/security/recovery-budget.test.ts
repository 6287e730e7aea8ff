/**
 * Property: password recovery cannot lock the owner out. Wrong recovery codes count against the
 * challenge's 5 tries and the account's recovery budget (5 failures, then recovery of the account
 * is refused for 1 min, doubling to 1 h), never against the second-factor lockout; the budget's
 * refusal is the same CODE_INVALID as any other. A challenge exists only for a code that was sent.
 */

import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bearer,
  createHarness,
  createSignedInUser,
  enrollTotp,
  type Harness,
  json,
  type SignedInUser,
} from '../support/harness.js';
import { wrongCode } from '../support/totp-user.js';

let h: Harness;
beforeAll(async () => {
  // Several recovery codes for one address follow each other faster than the resend cooldown.
  h = await createHarness({ deliveredCodes: { resendCooldownSeconds: 0 } });
});
afterEach(async () => h.core.notifications.settle());
afterAll(async () => h.close());

/** How many code e-mails each challenge found already sent when it started. */
const sentBefore = new Map<string, number>();

function codeEmails(user: SignedInUser) {
  return h.outbox.emailsSent.filter((m) => m.to === user.email && m.code);
}

async function startRecovery(login: string, user: SignedInUser): Promise<string> {
  const before = codeEmails(user).length;
  const started = await h.app.inject({ method: 'POST', url: '/api/v1/auth/recovery', payload: { login } });
  expect(started.statusCode).toBe(202);
  const { challengeId } = json<{ challengeId: string }>(started);
  sentBefore.set(challengeId, before);
  return challengeId;
}

async function confirmRecovery(challengeId: string, code: string) {
  return h.app.inject({ method: 'POST', url: `/api/v1/auth/recovery/${challengeId}/confirm`, payload: { code } });
}

/** Waits for the challenge's code to go out (the e-mail after those sent before it started). */
async function recoveryCode(user: SignedInUser, challengeId: string): Promise<string> {
  const before = sentBefore.get(challengeId) ?? 0;
  return vi.waitFor(
    async () => {
      expect(await h.storage.flows.findById(challengeId)).toBeDefined();
      const code = codeEmails(user)[before]?.code;
      if (!code) throw new Error('no code yet');
      return code;
    },
    { timeout: 5_000, interval: 10 },
  );
}

async function signIn(user: SignedInUser) {
  const started = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { username: user.username, password: user.password },
  });
  return json<{ status: string; flowId: string }>(started);
}

async function secondFactor(flowId: string, payload: Record<string, unknown>) {
  return h.app.inject({ method: 'POST', url: `/api/v1/auth/sign-in/${flowId}/second-factor`, payload });
}

describe('password recovery has a budget of its own', () => {
  it("five wrong recovery codes leave the owner's authenticator and backup codes working", async () => {
    const user = await createSignedInUser(h);
    const totp = await enrollTotp(h.app, user.accessToken, h.clock.now());
    h.clock.advanceSeconds(30);
    const enabled = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/enable',
      headers: bearer(user.accessToken),
      payload: { method: 'backup_codes' },
    });
    const backupCodes = json<{ backupCodes: { codes: string[] } }>(enabled).backupCodes.codes;

    const challengeId = await startRecovery(user.username, user);
    const right = await recoveryCode(user, challengeId);
    for (let i = 0; i < 5; i++) {
      const answer = await confirmRecovery(challengeId, wrongCode(right));
      expect([answer.statusCode, json<{ error: { code: string } }>(answer).error.code]).toEqual([422, 'CODE_INVALID']);
    }
    const lockout = await h.storage.lockouts.find(user.id);
    expect(lockout?.lockedUntil ?? null).toBeNull();
    expect(lockout?.failedCount ?? 0).toBe(0);

    const byApp = await secondFactor((await signIn(user)).flowId, { code: totp.codeAt(h.clock.now()) });
    expect(byApp.statusCode).toBe(200);
    const byBackupCode = await secondFactor((await signIn(user)).flowId, {
      method: 'backup_codes',
      code: backupCodes[0],
    });
    expect(byBackupCode.statusCode).toBe(200);
  });

  it("the account's recovery budget then refuses even a right code, with the same answer, for a while", async () => {
    const user = await createSignedInUser(h);
    const first = await startRecovery(user.username, user);
    const firstCode = await recoveryCode(user, first);
    for (let i = 0; i < 3; i++) await confirmRecovery(first, wrongCode(firstCode));

    // A new challenge does not start a new budget: two more failures lock recovery of the account.
    h.clock.advanceSeconds(5);
    const second = await startRecovery(user.email, user);
    const secondCode = await recoveryCode(user, second);
    expect(secondCode).not.toBe(firstCode);
    for (let i = 0; i < 2; i++) {
      expect((await confirmRecovery(second, wrongCode(secondCode))).statusCode).toBe(422);
    }

    const refused = await confirmRecovery(second, secondCode);
    const unknown = await confirmRecovery('00000000-0000-4000-8000-000000000000', secondCode);
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toBe(unknown.body);

    // The lock lasts a minute; the challenge's own tries were not spent by the refusal.
    h.clock.advanceSeconds(61);
    const passed = await confirmRecovery(second, secondCode);
    expect(passed.statusCode).toBe(200);
    expect(json(passed)).toMatchObject({ operation: 'reset_password' });

    // The owner heard about the failures, and the second factor was never involved.
    await h.core.notifications.settle();
    expect(h.outbox.notices(user.email).map((m) => m.subject)).toContain('Tessera Test: failed password recovery');
    expect((await h.storage.lockouts.find(user.id))?.lockedUntil ?? null).toBeNull();
  });

  it('each further lock of recovery doubles', async () => {
    const user = await createSignedInUser(h);
    for (const expectedLockSeconds of [60, 120]) {
      const challengeId = await startRecovery(user.username, user);
      const code = await recoveryCode(user, challengeId);
      for (let i = 0; i < 5; i++) await confirmRecovery(challengeId, wrongCode(code));
      const next = await startRecovery(user.username, user);
      const nextCode = await recoveryCode(user, next);
      h.clock.advanceSeconds(expectedLockSeconds - 1);
      expect((await confirmRecovery(next, nextCode)).statusCode).toBe(422);
      h.clock.advanceSeconds(2);
      if (expectedLockSeconds === 120) {
        expect((await confirmRecovery(next, nextCode)).statusCode).toBe(200);
      }
    }
  });
});

describe('a recovery challenge exists only for a code that was sent', () => {
  it('when the provider fails, no challenge is left behind', async () => {
    const user = await createSignedInUser(h);
    h.outbox.failNext(1, user.email);
    const mark = h.log.mark();
    const challengeId = await startRecovery(user.username, user);
    await vi.waitFor(() => expect(h.log.textSince(mark)).toContain('password recovery code not sent'), {
      timeout: 5_000,
      interval: 10,
    });
    expect(await h.storage.flows.findById(challengeId)).toBeUndefined();
    expect(await h.storage.deliveredCodes.findById(challengeId)).toBeUndefined();
  });

  it('when the code is sent, the challenge is there to answer', async () => {
    const user = await createSignedInUser(h);
    const challengeId = await startRecovery(user.username, user);
    const code = await recoveryCode(user, challengeId);
    expect((await confirmRecovery(challengeId, code)).statusCode).toBe(200);
  });
});
