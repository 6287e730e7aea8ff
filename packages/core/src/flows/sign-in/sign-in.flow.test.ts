import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousActor } from '../../auth/actor.js';
import { codeProof } from '../../methods/second-factor-method.js';
import {
  type CoreUnderTest,
  coreUnderTest,
  errorCode,
  TEST_PASSWORD,
  totpCode,
} from '../../test-support/core-under-test.js';

describe('SignInFlow.submitAppOrBackupCode', () => {
  let t: CoreUnderTest;
  beforeAll(async () => {
    t = await coreUnderTest();
  });
  afterAll(async () => {
    await t.close();
  });

  const visitor = anonymousActor('192.0.2.20');

  async function userWithTotpAndBackupCodes() {
    const user = await t.newUser();
    const started = await t.core.enable.start(user, { method: 'totp', withBackupCodes: true });
    const secret = started.totp?.secret ?? '';
    await t.core.enable.confirm(user, started.flowId, codeProof(totpCode(secret, t.clock.now())));
    t.clock.advanceSeconds(30);
    return { user, secret, backupCodes: started.backupCodes?.codes ?? [] };
  }

  async function flowOf(username: string): Promise<string> {
    const started = await t.core.signIn.start(visitor, username, TEST_PASSWORD);
    if (started.status !== 'second_factor_required') throw new Error('expected a second-factor step');
    return started.flowId;
  }

  it('takes a code of the authenticator length as the app code, any other as a backup code', async () => {
    const { user, secret, backupCodes } = await userWithTotpAndBackupCodes();
    const byApp = await t.core.signIn.submitAppOrBackupCode(
      visitor,
      await flowOf(user.username),
      totpCode(secret, t.clock.now()),
    );
    expect(byApp.status).toBe('signed_in');
    const backup = backupCodes[0] ?? '';
    expect(backup.length).not.toBe(6);
    const byBackup = await t.core.signIn.submitAppOrBackupCode(visitor, await flowOf(user.username), backup);
    expect(byBackup.status).toBe('signed_in');
    const reused = t.core.signIn.submitAppOrBackupCode(visitor, await flowOf(user.username), backup);
    expect(await errorCode(reused)).toBe('CODE_INVALID');
  });

  it('refuses an unknown flow', async () => {
    const unknown = t.core.signIn.submitAppOrBackupCode(visitor, '00000000-0000-4000-8000-000000000000', '123456');
    expect(await errorCode(unknown)).toBe('FLOW_NOT_FOUND');
  });
});
