import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TesseraError } from '../errors/tessera-error.js';
import { type CoreUnderTest, coreUnderTest } from '../test-support/core-under-test.js';

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    if (error instanceof TesseraError) return error.code;
    throw error;
  }
}

let serial = 0;
/** A number no other test sends to, so the per-recipient limits stay out of the way. */
function freshNumber(): string {
  serial += 1;
  return `+35988${String(Date.now() % 10_000).padStart(4, '0')}${String(serial).padStart(3, '0')}`;
}

describe('SMS pumping limits', () => {
  let t: CoreUnderTest;
  beforeAll(async () => {
    // The per-recipient hourly limit is raised so that the account's own limit is what refuses.
    t = await coreUnderTest({ deliveredCodes: { hourlyLimit: 100, resendCooldownSeconds: 30 } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('an account may have codes sent to 3 different numbers a day; a number already used stays usable', async () => {
    const user = await t.newUser({ clientIp: '198.51.100.1' });
    const numbers = [freshNumber(), freshNumber(), freshNumber(), freshNumber()];
    const results: string[] = [];
    for (const phone of numbers) results.push(await errorCode(t.core.enable.start(user, { method: 'sms', phone })));
    expect(results).toEqual(['none', 'none', 'none', 'SMS_DESTINATION_LIMIT']);
    expect(t.delivery.smsSent.filter((m) => numbers.includes(m.to)).map((m) => m.to)).toEqual(numbers.slice(0, 3));
    t.clock.advanceSeconds(31);
    expect(await errorCode(t.core.enable.start(user, { method: 'sms', phone: numbers[0] }))).toBe('none');
    // A day later the count starts over.
    t.clock.advanceSeconds(86_400);
    expect(await errorCode(t.core.enable.start(user, { method: 'sms', phone: numbers[3] }))).toBe('none');
  });

  it('one client address may have codes sent to 10 different numbers a day, across accounts', async () => {
    const results: string[] = [];
    for (let i = 0; i < 11; i++) {
      const user = await t.newUser({ clientIp: '198.51.100.2' });
      results.push(await errorCode(t.core.enable.start(user, { method: 'sms', phone: freshNumber() })));
    }
    expect(results).toEqual([...Array(10).fill('none'), 'SMS_DESTINATION_LIMIT']);
    const elsewhere = await t.newUser({ clientIp: '198.51.100.3' });
    expect(await errorCode(t.core.enable.start(elsewhere, { method: 'sms', phone: freshNumber() }))).toBe('none');
  });

  it('an account may have 10 SMS codes sent an hour, whatever the numbers', async () => {
    const user = await t.newUser({ clientIp: '198.51.100.4' });
    const started = await t.core.enable.start(user, { method: 'sms', phone: freshNumber() });
    const results: string[] = [];
    for (let i = 0; i < 10; i++) {
      t.clock.advanceSeconds(31);
      results.push(await errorCode(t.core.enable.resend(user, started.flowId)));
    }
    expect(results).toEqual([...Array(9).fill('none'), 'SEND_LIMIT_REACHED']);
    t.clock.advanceSeconds(3600);
    expect(await errorCode(t.core.enable.start(user, { method: 'sms', phone: freshNumber() }))).toBe('none');
  });

  it('e-mail codes do not count against the SMS limits', async () => {
    const user = await t.newUser({ clientIp: '198.51.100.5' });
    for (let i = 0; i < 3; i++) await t.core.enable.start(user, { method: 'sms', phone: freshNumber() });
    expect(await errorCode(t.core.enable.start(user, { method: 'email' }))).toBe('none');
  });
});

describe('SMS country allow-list', () => {
  let t: CoreUnderTest;
  beforeAll(async () => {
    t = await coreUnderTest({ deliveredCodes: { smsCountries: ['+359', '+44'] } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses at enrollment a number outside the allowed calling codes, sending nothing', async () => {
    const user = await t.newUser();
    expect(await errorCode(t.core.enable.start(user, { method: 'sms', phone: '+1 202 555 0143' }))).toBe(
      'PHONE_COUNTRY_NOT_ALLOWED',
    );
    expect(await errorCode(t.core.enable.start(user, { method: 'sms', phone: '+4915112345678' }))).toBe(
      'PHONE_COUNTRY_NOT_ALLOWED',
    );
    expect(t.delivery.smsSent).toEqual([]);
    expect(await errorCode(t.core.enable.start(user, { method: 'sms', phone: '+44 7700 900123' }))).toBe('none');
    t.clock.advanceSeconds(61);
    expect(await errorCode(t.core.enable.start(user, { method: 'sms', phone: '+359888123456' }))).toBe('none');
  });
});
