import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserActor } from '../../auth/actor.js';
import { TesseraError } from '../../errors/tessera-error.js';
import { codeProof } from '../../methods/second-factor-method.js';
import { type CoreUnderTest, coreUnderTest, totpCode } from '../../test-support/core-under-test.js';

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    if (error instanceof TesseraError) return error.code;
    throw error;
  }
}

describe('ChallengeFlow: a step-up proves one of the account own factors', () => {
  let t: CoreUnderTest;
  beforeAll(async () => {
    t = await coreUnderTest();
  });
  afterAll(async () => {
    await t.close();
  });

  async function withTotp(user: UserActor): Promise<string> {
    const started = await t.core.enable.start(user, { method: 'totp' });
    const secret = started.totp?.secret ?? '';
    await t.core.enable.confirm(user, started.flowId, codeProof(totpCode(secret, t.clock.now())));
    t.clock.advanceSeconds(30);
    return secret;
  }

  it('refuses an e-mail challenge on an account whose factors do not include e-mail', async () => {
    const user = await t.newUser();
    const secret = await withTotp(user);
    const sentBefore = t.delivery.emailsSent.length;
    for (const operation of ['disable_factor', 'regenerate_backup_codes', 'change_password', 'change_phone'] as const) {
      expect(await errorCode(t.core.challenges.start(user, { operation, target: 'totp', method: 'email' }))).toBe(
        'METHOD_NOT_ACTIVE',
      );
    }
    // The default is e-mail too: refused the same way, and no code went to the mailbox.
    expect(await errorCode(t.core.challenges.start(user, { operation: 'disable_factor', target: 'totp' }))).toBe(
      'METHOD_NOT_ACTIVE',
    );
    expect(t.delivery.emailsSent.slice(sentBefore).filter((m) => m.code)).toEqual([]);
    // The authenticator app itself does it.
    const challenge = await t.core.challenges.start(user, {
      operation: 'disable_factor',
      target: 'totp',
      method: 'totp',
    });
    const token = await t.core.challenges.confirm(user, challenge.challengeId, totpCode(secret, t.clock.now()));
    expect(token).toMatchObject({ operation: 'disable_factor', target: 'totp' });
  });

  it('accepts e-mail for a password change only while the account has no factor at all', async () => {
    const user = await t.newUser();
    const challenge = await t.core.challenges.start(user, { operation: 'change_password' });
    expect(challenge.method).toBe('email');
    expect(await errorCode(t.core.challenges.start(user, { operation: 'disable_factor', target: 'totp' }))).toBe(
      'METHOD_NOT_ACTIVE',
    );
  });

  it('accepts e-mail for any operation once e-mail is an enrolled factor', async () => {
    const user = await t.newUser();
    const started = await t.core.enable.start(user, { method: 'email' });
    const address = `${user.username}@example.test`;
    await t.core.enable.confirm(user, started.flowId, codeProof(t.delivery.lastCodeTo(address)));
    t.clock.advanceSeconds(61);
    const challenge = await t.core.challenges.start(user, { operation: 'disable_factor', target: 'email' });
    const token = await t.core.challenges.confirm(user, challenge.challengeId, t.delivery.lastCodeTo(address));
    expect(token).toMatchObject({ operation: 'disable_factor', target: 'email' });
  });
});
