import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeProof, numericCodeProof } from '../../methods/second-factor-method.js';
import { decodeBase32, totpAt } from '../../otp/index.js';
import { type CoreUnderTest, coreUnderTest, errorCode, totpCode } from '../../test-support/core-under-test.js';

describe('EnableFlow', () => {
  let t: CoreUnderTest;
  beforeAll(async () => {
    t = await coreUnderTest();
  });
  afterAll(async () => {
    await t.close();
  });

  it('confirms an authenticator by the secret that was issued to that user', async () => {
    const user = await t.newUser();
    const started = await t.core.enable.start(user, { method: 'totp' });
    const secret = started.totp?.secret ?? '';
    // Apps show the key grouped and in lower case; it is the same key.
    const shown = secret.toLowerCase().replace(/(.{4})/g, '$1 ');
    const result = await t.core.enable.confirmIssuedSecret(user, shown, codeProof(totpCode(secret, t.clock.now())));
    expect(result).toMatchObject({ state: 'enabled', factor: { method: 'totp', status: 'active' } });
  });

  it('refuses a secret the server did not issue to this user, without touching the enrollment', async () => {
    const owner = await t.newUser();
    const other = await t.newUser();
    const ownerStart = await t.core.enable.start(owner, { method: 'totp' });
    const otherStart = await t.core.enable.start(other, { method: 'totp' });
    const otherSecret = otherStart.totp?.secret ?? '';
    const code = codeProof(totpCode(otherSecret, t.clock.now()));
    // Another user's secret, with a code that is right for it: still refused.
    expect(await errorCode(t.core.enable.confirmIssuedSecret(owner, otherSecret, code))).toBe(
      'ENROLLMENT_SECRET_INVALID',
    );
    expect(await errorCode(t.core.enable.confirmIssuedSecret(owner, 'JBSWY3DPEHPK3PXP', code))).toBe(
      'ENROLLMENT_SECRET_INVALID',
    );
    expect(await t.core.enable.status(owner, ownerStart.flowId)).toMatchObject({ state: 'awaiting_code', attempts: 0 });
  });

  it('refuses a confirm by secret once the enrollment is older than ten minutes', async () => {
    const user = await t.newUser();
    const started = await t.core.enable.start(user, { method: 'totp' });
    t.clock.advanceSeconds(10 * 60 + 1);
    const secret = started.totp?.secret ?? '';
    const code = codeProof(totpCode(secret, t.clock.now()));
    expect(await errorCode(t.core.enable.confirmIssuedSecret(user, secret, code))).toBe('ENROLLMENT_SECRET_INVALID');
  });

  it('fails the enrollment after five wrong codes, whichever way it is confirmed', async () => {
    const user = await t.newUser();
    const started = await t.core.enable.start(user, { method: 'totp' });
    const secret = started.totp?.secret ?? '';
    const wrong = codeProof(String((Number(totpCode(secret, t.clock.now())) + 1) % 1_000_000).padStart(6, '0'));
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) codes.push(await errorCode(t.core.enable.confirmFactor(user, started.factorId, wrong)));
    codes.push(await errorCode(t.core.enable.confirmIssuedSecret(user, secret, wrong)));
    expect(codes.slice(0, 4)).toEqual(['CODE_INVALID', 'CODE_INVALID', 'CODE_INVALID', 'CODE_INVALID']);
    // The fifth wrong code also locks the account's second factor: either refusal ends it.
    expect(['CODE_INVALID', 'SECOND_FACTOR_LOCKED']).toContain(codes[4]);
    expect(await t.core.enable.status(user, started.flowId)).toMatchObject({ state: 'failed' });
    const right = codeProof(totpCode(secret, t.clock.now()));
    expect(await errorCode(t.core.enable.confirm(user, started.flowId, right))).not.toBe('none');
  });

  it('prepares backup codes with an authenticator and installs them only when it is confirmed', async () => {
    const user = await t.newUser();
    const started = await t.core.enable.start(user, { method: 'totp', withBackupCodes: true });
    expect(started.backupCodes?.codes).toHaveLength(10);
    expect(await t.storage.backupCodes.countRemaining(user.userId)).toBe(0);
    expect((await t.core.factors.status(user)).methods).toEqual([]);

    const code = codeProof(totpCode(started.totp?.secret ?? '', t.clock.now()));
    await t.core.enable.confirmPending(user, 'totp', code);
    expect((await t.core.factors.status(user)).methods.sort()).toEqual(['backup_codes', 'totp']);
    expect(await t.storage.backupCodes.countRemaining(user.userId)).toBe(10);
    const history = await t.core.history.listOwn(user, {});
    expect(history.items.map((entry) => `${entry.method}:${entry.action}`).sort()).toEqual([
      'backup_codes:enable',
      'totp:enable',
    ]);
  });

  it('confirms the pending enrollment of a method only when there is one', async () => {
    const user = await t.newUser();
    expect(await errorCode(t.core.enable.confirmPending(user, 'totp', codeProof('123456')))).toBe('FACTOR_NOT_PENDING');
  });

  it('takes a code sent as a number, leading zeros lost, and refuses a longer number as a wrong code', async () => {
    const user = await t.newUser();
    // A time step whose code starts with a zero (one in ten do), within the enrollment's ten
    // minutes; failing that, a new enrollment (a new key) and look again.
    let secret = '';
    do {
      secret = (await t.core.enable.start(user, { method: 'totp' })).totp?.secret ?? '';
      for (let step = 0; step < 15 && !totpCode(secret, t.clock.now()).startsWith('0'); step++) {
        t.clock.advanceSeconds(30);
      }
    } while (!totpCode(secret, t.clock.now()).startsWith('0'));
    const code = totpCode(secret, t.clock.now());
    const tooLong = numericCodeProof(Number(`1${code}`));
    expect(await errorCode(t.core.enable.confirmIssuedSecret(user, secret, tooLong))).toBe('CODE_INVALID');
    const result = await t.core.enable.confirmIssuedSecret(user, secret, numericCodeProof(Number(code)));
    expect(result).toMatchObject({ state: 'enabled', attempts: 1 });
  });

  it('lets a read token ask for a new authenticator key, but neither confirm it nor send or activate anything', async () => {
    const user = await t.newUser();
    const readOnly = {
      ...user,
      authentication: { method: 'api_token' as const, tokenId: 't', scope: 'read' as const },
    };
    const started = await t.core.enable.start(readOnly, { method: 'totp' });
    const code = codeProof(totpCode(started.totp?.secret ?? '', t.clock.now()));
    expect(await errorCode(t.core.enable.confirm(readOnly, started.flowId, code))).toBe('FORBIDDEN');
    expect(await errorCode(t.core.enable.start(readOnly, { method: 'email' }))).toBe('FORBIDDEN');
    expect(await errorCode(t.core.enable.start(readOnly, { method: 'backup_codes' }))).toBe('FORBIDDEN');
    expect(t.delivery.emailsSent.filter((m) => m.to === `${user.username}@example.test`)).toEqual([]);
    expect((await t.core.factors.list(readOnly)).map((f) => f.status)).toEqual(['pending']);
  });

  describe('an authenticator app that ignored the settings the enrollment asked for', () => {
    const asked = { algorithm: 'SHA256', digits: 8, period: 60 } as const;

    it('is told so, without a try counted, and the enrollment moves to the defaults and confirms', async () => {
      const user = await t.newUser();
      const started = await t.core.enable.start(user, { method: 'totp', totp: asked });
      const secret = started.totp?.secret ?? '';
      const defaultCode = codeProof(totpCode(secret, t.clock.now()));
      expect(await errorCode(t.core.enable.confirm(user, started.flowId, defaultCode))).toBe('TOTP_SETTINGS_IGNORED');
      expect(await t.core.enable.status(user, started.flowId)).toMatchObject({ state: 'awaiting_code', attempts: 0 });

      const moved = await t.core.enable.useDefaultTotpSettings(user, started.factorId);
      expect(moved).toMatchObject({
        factorId: started.factorId,
        totp: { secret, params: { algorithm: 'SHA1', digits: 6, period: 30 } },
      });
      expect(moved.totp?.otpauthUri).not.toContain('algorithm=SHA256');
      // The code the app showed is right now: the key did not change.
      const result = await t.core.enable.confirmFactor(user, started.factorId, defaultCode);
      expect(result).toMatchObject({
        state: 'enabled',
        factor: { status: 'active', details: { algorithm: 'SHA1', digits: 6, period: 30 } },
      });
    });

    it('accepts a code made under the settings asked for, and keeps them', async () => {
      const user = await t.newUser();
      const started = await t.core.enable.start(user, { method: 'totp', totp: asked });
      const code = totpAt(decodeBase32(started.totp?.secret ?? ''), Math.floor(t.clock.now().getTime() / 1000), asked);
      const result = await t.core.enable.confirm(user, started.flowId, codeProof(code));
      expect(result.factor.details).toMatchObject(asked);
    });

    it('answers a wrong code as wrong, never as ignored settings', async () => {
      const user = await t.newUser();
      const started = await t.core.enable.start(user, { method: 'totp', totp: { algorithm: 'SHA512' } });
      const right = totpCode(started.totp?.secret ?? '', t.clock.now());
      const wrong = codeProof(String((Number(right) + 1) % 1_000_000).padStart(6, '0'));
      expect(await errorCode(t.core.enable.confirm(user, started.flowId, wrong))).toBe('CODE_INVALID');
    });

    it('lets no one move an enrollment that is not theirs or not pending', async () => {
      const owner = await t.newUser();
      const other = await t.newUser();
      const started = await t.core.enable.start(owner, { method: 'totp', totp: asked });
      expect(await errorCode(t.core.enable.useDefaultTotpSettings(other, started.factorId))).toBe('FACTOR_NOT_FOUND');
      const code = totpAt(decodeBase32(started.totp?.secret ?? ''), Math.floor(t.clock.now().getTime() / 1000), asked);
      await t.core.enable.confirm(owner, started.flowId, codeProof(code));
      expect(await errorCode(t.core.enable.useDefaultTotpSettings(owner, started.factorId))).toBe('FACTOR_NOT_PENDING');
    });
  });
});
