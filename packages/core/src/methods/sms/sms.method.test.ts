import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TesseraError } from '../../errors/tessera-error.js';
import { type CoreUnderTest, coreUnderTest, totpCode } from '../../test-support/core-under-test.js';
import { codeProof } from '../second-factor-method.js';
import { assertSmsCountryAllowed } from './phone-number.js';

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    if (error instanceof TesseraError) return error.code;
    throw error;
  }
}

describe('the SMS number is a verified attribute', () => {
  let t: CoreUnderTest;
  beforeAll(async () => {
    t = await coreUnderTest();
  });
  afterAll(async () => {
    await t.close();
  });

  it('needs a change_phone success token to enroll another number while the account has a factor', async () => {
    const user = await t.newUser({ phone: '+359888000101' });
    const started = await t.core.enable.start(user, { method: 'totp' });
    const secret = started.totp?.secret ?? '';
    await t.core.enable.confirm(user, started.flowId, codeProof(totpCode(secret, t.clock.now())));
    t.clock.advanceSeconds(30);

    expect(await errorCode(t.core.enable.start(user, { method: 'sms', phone: '+359888000202' }))).toBe(
      'PHONE_CHANGE_NEEDS_PROOF',
    );
    expect(t.delivery.smsSent.filter((m) => m.to === '+359888000202')).toEqual([]);
    // A token for another operation does not do.
    const other = await t.core.challenges.start(user, { operation: 'change_password', method: 'totp' });
    const wrongToken = await t.core.challenges.confirm(user, other.challengeId, totpCode(secret, t.clock.now()));
    t.clock.advanceSeconds(30);
    expect(
      await errorCode(
        t.core.enable.start(user, { method: 'sms', phone: '+359888000202', successToken: wrongToken.successToken }),
      ),
    ).toBe('SUCCESS_TOKEN_INVALID');
    // The account's own number needs nothing.
    expect(await errorCode(t.core.enable.start(user, { method: 'sms', phone: '+359 888 000 101' }))).toBe('none');

    const challenge = await t.core.challenges.start(user, { operation: 'change_phone', method: 'totp' });
    const token = await t.core.challenges.confirm(user, challenge.challengeId, totpCode(secret, t.clock.now()));
    const moved = await t.core.enable.start(user, {
      method: 'sms',
      phone: '+359888000202',
      successToken: token.successToken,
    });
    expect(moved.delivery?.destination).toBe('+359******202');
    // The token is single-use.
    t.clock.advanceSeconds(61);
    expect(
      await errorCode(
        t.core.enable.start(user, { method: 'sms', phone: '+359888000303', successToken: token.successToken }),
      ),
    ).toBe('SUCCESS_TOKEN_INVALID');
  });

  it('an account without a factor enrolls any number: there is nothing to step up with', async () => {
    const user = await t.newUser({ phone: '+359888000404' });
    expect(await errorCode(t.core.enable.start(user, { method: 'sms', phone: '+359888000505' }))).toBe('none');
  });
});

describe('assertSmsCountryAllowed', () => {
  it('allows every number when no list is set, and only listed calling codes otherwise', () => {
    expect(() => assertSmsCountryAllowed('+12025550143', null)).not.toThrow();
    expect(() => assertSmsCountryAllowed('+359888123456', ['+359', '+44'])).not.toThrow();
    expect(() => assertSmsCountryAllowed('+447700900123', ['+359', '+44'])).not.toThrow();
    expect(() => assertSmsCountryAllowed('+4915112345678', ['+359', '+44'])).toThrow(TesseraError);
    expect(() => assertSmsCountryAllowed('+35988812345', ['+35'])).not.toThrow();
    expect(() => assertSmsCountryAllowed('+12025550143', ['+359'])).toThrow(/\+359/);
  });
});
