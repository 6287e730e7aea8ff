/**
 * Property: the resend cooldown is per purpose. A code sent to a phone or an address for one
 * purpose (sign-in, enabling, disabling, a challenge, recovery) does not hold back a code for
 * another; a second code for the same purpose within the cooldown is refused with the time to ask
 * again. Recovery never claims a send it did not make: a second request for a login within the
 * cooldown sends nothing and says so, with the same answer for a login with and without an account.
 */

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bearer,
  createHarness,
  createSignedInUser,
  type Harness,
  json,
  type SignedInUser,
  uniquePhone,
} from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ deliveredCodes: { clientDailySmsDestinations: 10_000 } });
});
afterAll(async () => h.close());

function post(user: SignedInUser | undefined, url: string, payload: object) {
  return h.app.inject({ method: 'POST', url, payload, ...(user ? { headers: bearer(user.accessToken) } : {}) });
}

async function userWithSms(): Promise<{ user: SignedInUser; phone: string }> {
  const user = await createSignedInUser(h);
  const phone = uniquePhone();
  const started = json<{ flowId: string }>(await post(user, '/api/v1/me/2fa/enable', { method: 'sms', phone }));
  const confirmed = await post(user, `/api/v1/me/2fa/enable/${started.flowId}/confirm`, {
    code: h.outbox.lastSmsCode(phone),
  });
  expect(confirmed.statusCode).toBe(200);
  return { user, phone };
}

describe('resend cooldown per purpose', () => {
  it('enable, sign-in, challenge and disable codes to one phone go out back to back; the same purpose waits', async () => {
    const { user, phone } = await userWithSms();
    const sent = () => h.outbox.smsTo(phone).length;
    expect(sent()).toBe(1);

    const flow = json<{ flowId: string }>(
      await post(undefined, '/api/v1/auth/sign-in', { username: user.username, password: user.password }),
    );
    expect((await post(undefined, `/api/v1/auth/sign-in/${flow.flowId}/method`, { method: 'sms' })).statusCode).toBe(
      200,
    );
    const challenge = await post(user, '/api/v1/me/2fa/challenges', { operation: 'change_password', method: 'sms' });
    expect(challenge.statusCode).toBe(201);
    const disable = await post(user, '/api/v1/me/2fa/disable', { method: 'sms' });
    expect(disable.statusCode).toBe(201);
    expect(sent()).toBe(4);

    // A second sign-in code within the minute is refused and says when to ask again.
    const again = json<{ flowId: string }>(
      await post(undefined, '/api/v1/auth/sign-in', { username: user.username, password: user.password }),
    );
    const refused = await post(undefined, `/api/v1/auth/sign-in/${again.flowId}/method`, { method: 'sms' });
    expect(refused.statusCode).toBe(429);
    expect(json(refused)).toEqual({
      error: { code: 'RESEND_TOO_SOON', message: expect.any(String), retryAt: expect.any(String) },
    });
    expect(refused.headers['retry-after']).toBeDefined();
    expect(sent()).toBe(4);

    h.clock.advanceSeconds(60);
    expect((await post(undefined, `/api/v1/auth/sign-in/${again.flowId}/method`, { method: 'sms' })).statusCode).toBe(
      200,
    );
    expect(sent()).toBe(5);
  });
});

describe('recovery says when nothing was sent, without telling whether the account exists', () => {
  it('a second request for a login within the cooldown sends nothing and says so, alike for no account', async () => {
    const user = await createSignedInUser(h);
    const nobody = `nobody-${randomBytes(4).toString('hex')}@example.test`;
    const recover = (login: string) => post(undefined, '/api/v1/auth/recovery', { login });

    expect((await recover(user.email)).statusCode).toBe(202);
    expect((await recover(nobody)).statusCode).toBe(202);
    await vi.waitFor(() => expect(h.outbox.emailsSent.filter((m) => m.to === user.email && m.code)).toHaveLength(1));

    const real = await recover(user.email.toUpperCase());
    const fake = await recover(nobody);
    expect(real.statusCode).toBe(429);
    expect(json(real)).toEqual({
      error: {
        code: 'RESEND_TOO_SOON',
        message: expect.stringContaining('nothing was sent'),
        retryAt: expect.any(String),
      },
    });
    expect([fake.statusCode, fake.body]).toEqual([real.statusCode, real.body]);
    expect(real.headers['retry-after']).toBeDefined();

    h.clock.advanceSeconds(60);
    expect((await recover(user.email)).statusCode).toBe(202);
    await vi.waitFor(() => expect(h.outbox.emailsSent.filter((m) => m.to === user.email && m.code)).toHaveLength(2));
  });
});
