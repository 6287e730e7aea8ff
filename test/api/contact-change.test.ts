/**
 * Changing one's own e-mail address or phone number through the native API: re-authenticated,
 * proven by a code sent to the new address or number, recorded, and told to the old address.
 * From the attacker's side: a stolen access token cannot start it, the code cannot be guessed
 * in more than five tries, and a code for one change does not confirm another.
 */
import { randomBytes } from 'node:crypto';
import { SYSTEM_ACTOR } from '@tessera/core';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ deliveredCodes: { resendCooldownSeconds: 0 } });
});
afterEach(async () => h.core.notifications.settle());
afterAll(async () => h.close());

interface ChangeBody {
  changeId: string;
  field: string;
  state: string;
  attempts: number;
  expiresAt: string;
  delivery: { channel: string; destination: string };
}

function errorCode(response: LightMyRequestResponse): string | undefined {
  return json<{ error?: { code: string } }>(response).error?.code;
}

function newAddress(): string {
  return `new-${randomBytes(4).toString('hex')}@example.test`;
}

async function startEmail(user: SignedInUser, payload: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return h.app.inject({ method: 'POST', url: '/api/v1/me/email', headers: bearer(user.accessToken), payload });
}

async function startPhone(user: SignedInUser, payload: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return h.app.inject({ method: 'POST', url: '/api/v1/me/phone', headers: bearer(user.accessToken), payload });
}

async function confirm(user: SignedInUser, changeId: string, code: string): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method: 'POST',
    url: `/api/v1/me/contact-changes/${changeId}/confirm`,
    headers: bearer(user.accessToken),
    payload: { code },
  });
}

async function account(user: SignedInUser): Promise<{ email: string | null; phone: string | null }> {
  const me = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(user.accessToken) });
  return json<{ account: { email: string | null; phone: string | null } }>(me).account;
}

/** A code of the right length that is not `code`. */
function otherCode(code: string): string {
  return code
    .split('')
    .map((digit) => String((Number(digit) + 1) % 10))
    .join('');
}

async function historyOf(user: SignedInUser): Promise<{ method: string; action: string; details: object }[]> {
  const response = await h.app.inject({
    method: 'GET',
    url: '/api/v1/me/2fa/history',
    headers: bearer(user.accessToken),
  });
  return json<{ items: { method: string; action: string; details: object }[] }>(response).items;
}

describe('changing my e-mail address', () => {
  it('sends a code to the new address; confirming changes it, records it and tells the old address', async () => {
    const user = await createSignedInUser(h);
    const address = newAddress();
    const started = await startEmail(user, { email: address, currentPassword: user.password });
    expect(started.statusCode).toBe(202);
    const change = json<ChangeBody>(started);
    expect(change).toMatchObject({
      field: 'email',
      state: 'awaiting_code',
      attempts: 0,
      delivery: { channel: 'email', destination: expect.not.stringContaining(address) },
    });
    // Nothing changes before the code is back.
    expect((await account(user)).email).toBe(user.email);
    expect(h.outbox.emailsSent.filter((m) => m.to === user.email && m.code)).toEqual([]);

    const confirmed = await confirm(user, change.changeId, h.outbox.lastEmailCode(address));
    expect(confirmed.statusCode).toBe(200);
    expect(json(confirmed)).toMatchObject({ email: address, username: user.username });
    expect((await account(user)).email).toBe(address);

    await h.core.notifications.settle();
    const notice = h.outbox.notices(user.email).find((m) => m.subject.endsWith('e-mail address changed'));
    expect(notice?.text).toContain('was changed to');
    expect(notice?.text).not.toContain(address);
    const entries = await historyOf(user);
    expect(entries[0]).toMatchObject({ method: 'email', action: 'contact_change' });

    // The new address signs in; the old one is nobody's now.
    const byNew = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: address, password: user.password },
    });
    expect(byNew.statusCode).toBe(200);
    expect(await h.storage.users.findByEmail(user.email)).toBeUndefined();
  });

  it('a code is single use: the change cannot be confirmed twice', async () => {
    const user = await createSignedInUser(h);
    const address = newAddress();
    const change = json<ChangeBody>(await startEmail(user, { email: address, currentPassword: user.password }));
    const code = h.outbox.lastEmailCode(address);
    expect((await confirm(user, change.changeId, code)).statusCode).toBe(200);
    const again = await confirm(user, change.changeId, code);
    expect(again.statusCode).toBe(409);
    expect(errorCode(again)).toBe('FLOW_FINISHED');
  });

  it('an address another account has is refused once proven (409 EMAIL_TAKEN), and nothing changes', async () => {
    const user = await createSignedInUser(h);
    const owner = await createSignedInUser(h);
    const started = await startEmail(user, { email: owner.email, currentPassword: user.password });
    // The start tells nothing about whether the address has an account.
    expect(started.statusCode).toBe(202);
    const refused = await confirm(user, json<ChangeBody>(started).changeId, h.outbox.lastEmailCode(owner.email));
    expect(refused.statusCode).toBe(409);
    expect(errorCode(refused)).toBe('EMAIL_TAKEN');
    expect((await account(user)).email).toBe(user.email);
    expect((await account(owner)).email).toBe(owner.email);
  });

  it('refuses a malformed address and the current one with 400, sending nothing', async () => {
    const user = await createSignedInUser(h);
    const sent = h.outbox.emailsSent.length;
    const malformed = await startEmail(user, { email: 'not an address', currentPassword: user.password });
    expect(malformed.statusCode).toBe(400);
    const same = await startEmail(user, { email: user.email, currentPassword: user.password });
    expect(same.statusCode).toBe(400);
    expect(h.outbox.emailsSent.length).toBe(sent);
  });

  it('gives an account without an address one, with no old address to tell', async () => {
    const username = `bare${randomBytes(4).toString('hex')}`;
    await h.core.accounts.create(SYSTEM_ACTOR, { username, password: 'correct horse battery' });
    const signedIn = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username, password: 'correct horse battery' },
    });
    const tokens = json<{ accessToken: string; refreshToken: string }>(signedIn);
    const user: SignedInUser = { id: '', username, password: 'correct horse battery', email: '', ...tokens };
    const address = newAddress();
    const change = json<ChangeBody>(await startEmail(user, { email: address, currentPassword: user.password }));
    expect((await confirm(user, change.changeId, h.outbox.lastEmailCode(address))).statusCode).toBe(200);
    expect((await account(user)).email).toBe(address);
  });
});

describe('changing my phone number', () => {
  it('sends a code by SMS to the new number; confirming changes it, sealed at rest, and tells the e-mail address', async () => {
    const user = await createSignedInUser(h);
    const phone = uniquePhone();
    const started = await startPhone(user, { phone, currentPassword: user.password });
    expect(started.statusCode).toBe(202);
    const change = json<ChangeBody>(started);
    expect(change.delivery.channel).toBe('sms');
    const confirmed = await confirm(user, change.changeId, h.outbox.lastSmsCode(phone));
    expect(confirmed.statusCode).toBe(200);
    expect((await account(user)).phone).toBe(phone);

    // Sealed in the database: the stored value is not the number.
    const raw = await h.storage.users.findById(user.id);
    expect(raw?.phone).not.toBe(phone);
    expect(raw?.phone).not.toContain(phone.slice(4));

    await h.core.notifications.settle();
    expect(h.outbox.notices(user.email).map((m) => m.subject)).toContain('Tessera Test: phone number changed');
    expect((await historyOf(user))[0]).toMatchObject({ method: 'phone', action: 'contact_change' });
  });

  it('takes the forms people type and refuses a non-number with 400 PHONE_INVALID', async () => {
    const user = await createSignedInUser(h);
    const phone = uniquePhone();
    const spaced = `${phone.slice(0, 4)} ${phone.slice(4, 7)} ${phone.slice(7)}`;
    const started = await startPhone(user, { phone: spaced, currentPassword: user.password });
    expect(started.statusCode).toBe(202);
    expect(h.outbox.smsTo(phone)).toHaveLength(1);
    const invalid = await startPhone(user, { phone: 'call me', currentPassword: user.password });
    expect(invalid.statusCode).toBe(400);
    expect(errorCode(invalid)).toBe('PHONE_INVALID');
  });

  it('the SMS limits apply: one account cannot have codes sent to many numbers', async () => {
    const user = await createSignedInUser(h);
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await startPhone(user, { phone: uniquePhone(), currentPassword: user.password });
      codes.push(response.statusCode === 202 ? 'sent' : errorCode(response));
    }
    // TESSERA_SMS_ACCOUNT_DAILY_DESTINATIONS is 3 by default.
    expect(codes.slice(0, 3)).toEqual(['sent', 'sent', 'sent']);
    expect(codes.slice(3)).toEqual(['SMS_DESTINATION_LIMIT', 'SMS_DESTINATION_LIMIT']);
  });
});

describe('re-authentication for a contact change', () => {
  it('a stolen access token alone cannot start one, and sends nothing', async () => {
    const user = await createSignedInUser(h);
    const address = newAddress();
    const bare = await startEmail(user, { email: address });
    expect(bare.statusCode).toBe(403);
    expect(errorCode(bare)).toBe('REAUTHENTICATION_REQUIRED');
    const guessed = await startEmail(user, { email: address, currentPassword: 'not the password' });
    expect(errorCode(guessed)).toBe('INVALID_CREDENTIALS');
    const phone = uniquePhone();
    expect(errorCode(await startPhone(user, { phone }))).toBe('REAUTHENTICATION_REQUIRED');
    expect(h.outbox.emailsSent.filter((m) => m.to === address)).toEqual([]);
    expect(h.outbox.smsTo(phone)).toEqual([]);
  });

  it('with 2FA: the password alone is not enough; with a current app code it is', async () => {
    const user = await createSignedInUser(h);
    const totp: EnrolledTotp = await enrollTotp(h.app, user.accessToken, h.clock.now());
    h.clock.advanceSeconds(30);
    const address = newAddress();
    const alone = await startEmail(user, { email: address, currentPassword: user.password });
    expect(errorCode(alone)).toBe('REAUTHENTICATION_REQUIRED');
    const withCode = await startEmail(user, {
      email: address,
      currentPassword: user.password,
      code: totp.codeAt(h.clock.now()),
    });
    expect(withCode.statusCode).toBe(202);
  });

  it('with 2FA: a success token from a challenge for change_email does, once; one for change_password does not', async () => {
    const user = await createSignedInUser(h);
    const totp = await enrollTotp(h.app, user.accessToken, h.clock.now());
    h.clock.advanceSeconds(30);
    const tokenFor = async (operation: string): Promise<string> => {
      const challenge = json<{ challengeId: string }>(
        await h.app.inject({
          method: 'POST',
          url: '/api/v1/me/2fa/challenges',
          headers: bearer(user.accessToken),
          payload: { operation, method: 'totp' },
        }),
      );
      const confirmed = await h.app.inject({
        method: 'POST',
        url: `/api/v1/me/2fa/challenges/${challenge.challengeId}/confirm`,
        headers: bearer(user.accessToken),
        payload: { code: totp.codeAt(h.clock.now()) },
      });
      h.clock.advanceSeconds(30);
      return json<{ successToken: string }>(confirmed).successToken;
    };
    const wrongOperation = await startEmail(user, {
      email: newAddress(),
      successToken: await tokenFor('change_password'),
    });
    expect(errorCode(wrongOperation)).toBe('SUCCESS_TOKEN_INVALID');
    const token = await tokenFor('change_email');
    expect((await startEmail(user, { email: newAddress(), successToken: token })).statusCode).toBe(202);
    expect(errorCode(await startEmail(user, { email: newAddress(), successToken: token }))).toBe(
      'SUCCESS_TOKEN_INVALID',
    );
  });
});

describe('guessing the confirmation code', () => {
  it('five wrong codes fail the change; the right code is refused afterwards', async () => {
    const user = await createSignedInUser(h);
    const address = newAddress();
    const change = json<ChangeBody>(await startEmail(user, { email: address, currentPassword: user.password }));
    const right = h.outbox.lastEmailCode(address);
    const answers: (string | undefined)[] = [];
    for (let i = 0; i < 5; i += 1) answers.push(errorCode(await confirm(user, change.changeId, otherCode(right))));
    expect(answers.slice(0, 4).every((code) => code === 'CODE_INVALID' || code === 'CODE_ATTEMPTS_EXHAUSTED')).toBe(
      true,
    );
    const status = await h.app.inject({
      method: 'GET',
      url: `/api/v1/me/contact-changes/${change.changeId}`,
      headers: bearer(user.accessToken),
    });
    expect(json<ChangeBody>(status)).toMatchObject({ state: 'failed', attempts: 5 });
    const late = await confirm(user, change.changeId, right);
    expect(late.statusCode).toBe(409);
    expect((await account(user)).email).toBe(user.email);
  });

  it("does not count against the account's second factor", async () => {
    const user = await createSignedInUser(h);
    const totp = await enrollTotp(h.app, user.accessToken, h.clock.now());
    h.clock.advanceSeconds(30);
    const address = newAddress();
    const change = json<ChangeBody>(
      await startEmail(user, { email: address, currentPassword: user.password, code: totp.codeAt(h.clock.now()) }),
    );
    h.clock.advanceSeconds(30);
    const wrong = otherCode(h.outbox.lastEmailCode(address));
    for (let i = 0; i < 5; i += 1) await confirm(user, change.changeId, wrong);
    const verified = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/verify',
      headers: bearer(user.accessToken),
      payload: { code: totp.codeAt(h.clock.now()) },
    });
    expect(verified.statusCode).toBe(200);
  });

  it('expires after ten minutes, even with the right code', async () => {
    const user = await createSignedInUser(h);
    const address = newAddress();
    const change = json<ChangeBody>(await startEmail(user, { email: address, currentPassword: user.password }));
    h.clock.advanceSeconds(601);
    const late = await confirm(user, change.changeId, h.outbox.lastEmailCode(address));
    expect(late.statusCode).toBe(410);
    expect(errorCode(late)).toBe('FLOW_EXPIRED');
    expect((await account(user)).email).toBe(user.email);
  });

  it("another user's change is 404 to me, and a code sent for one change does not confirm another", async () => {
    const user = await createSignedInUser(h);
    const intruder = await createSignedInUser(h);
    const address = newAddress();
    const change = json<ChangeBody>(await startEmail(user, { email: address, currentPassword: user.password }));
    const code = h.outbox.lastEmailCode(address);
    const theirs = await confirm(intruder, change.changeId, code);
    expect(theirs.statusCode).toBe(404);

    const second = newAddress();
    const other = json<ChangeBody>(await startEmail(user, { email: second, currentPassword: user.password }));
    const crossed = await confirm(user, other.changeId, code);
    expect(errorCode(crossed)).toBe('CODE_INVALID');
    expect((await confirm(user, change.changeId, code)).statusCode).toBe(200);
    expect((await account(user)).email).toBe(address);
  });
});
