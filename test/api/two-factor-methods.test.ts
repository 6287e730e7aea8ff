import { DEFAULT_DELIVERED_CODE_POLICY } from '@tessera/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createHarness,
  createSignedInUser,
  enrollTotp,
  type Harness,
  json,
  type SignedInUser,
  signUpAndSignIn,
  uniquePhone,
} from '../support/harness.js';

// One server for the file; every test works with accounts and phone numbers of its own.
let h: Harness;
beforeAll(async () => {
  // Every request here comes from one address: the per-address limit on SMS numbers a day
  // (test/security/hostile-client.test.ts) is raised so it does not stand in the way.
  h = await createHarness({ deliveredCodes: { clientDailySmsDestinations: 10_000 } });
});
afterEach(async () => h.core.notifications.settle());
afterAll(async () => h.close());

interface EnableStartBody {
  flowId: string;
  state: string;
  factorId: string;
  delivery?: { id: string; sentAt: string; expiresAt: string; destination: string; channel: string };
  backupCodes?: { codes: string[]; remaining: number };
}

async function startEnable(user: SignedInUser, payload: Record<string, unknown>) {
  return h.app.inject({ method: 'POST', url: '/api/v1/me/2fa/enable', headers: bearer(user.accessToken), payload });
}

async function confirmEnable(user: SignedInUser, flowId: string, code: string) {
  return h.app.inject({
    method: 'POST',
    url: `/api/v1/me/2fa/enable/${flowId}/confirm`,
    headers: bearer(user.accessToken),
    payload: { code },
  });
}

async function activeMethods(user: SignedInUser): Promise<string[]> {
  const status = await h.app.inject({ method: 'GET', url: '/api/v1/me/2fa', headers: bearer(user.accessToken) });
  return json<{ methods: string[] }>(status).methods.sort();
}

async function enableSms(user: SignedInUser, phone: string): Promise<void> {
  const started = json<EnableStartBody>(await startEnable(user, { method: 'sms', phone }));
  const confirmed = await confirmEnable(user, started.flowId, h.outbox.lastSmsCode(phone));
  expect(confirmed.statusCode).toBe(200);
}

async function enableBackupCodes(user: SignedInUser): Promise<string[]> {
  const started = json<EnableStartBody>(await startEnable(user, { method: 'backup_codes' }));
  return started.backupCodes?.codes ?? [];
}

async function signIn(user: SignedInUser) {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { username: user.username, password: user.password },
  });
}

describe('SMS factor', () => {
  it('sends a code to the phone, and becomes active only when the code is confirmed', async () => {
    const user = await createSignedInUser(h);
    const phone = uniquePhone();
    const typed = `+359 888 ${phone.slice(7, 10)}-${phone.slice(10)}`;
    const started = await startEnable(user, { method: 'sms', phone: typed });
    expect(started.statusCode).toBe(201);
    const body = json<EnableStartBody>(started);
    expect(body.state).toBe('awaiting_code');
    expect(body.delivery?.channel).toBe('sms');
    expect(body.delivery?.destination).toBe(`+359******${phone.slice(-3)}`);
    expect(new Date(body.delivery?.expiresAt ?? 0).getTime() - new Date(body.delivery?.sentAt ?? 0).getTime()).toBe(
      600_000,
    );
    const code = h.outbox.lastSmsCode(phone);
    expect(code).toMatch(/^\d{6}$/);
    expect(await activeMethods(user)).toEqual([]);

    const confirmed = await confirmEnable(user, body.flowId, code);
    expect(confirmed.statusCode).toBe(200);
    expect(json<{ state: string; factor: { method: string; status: string } }>(confirmed)).toMatchObject({
      state: 'enabled',
      factor: { method: 'sms', status: 'active' },
    });
    expect(await activeMethods(user)).toEqual(['sms']);
  });

  it('refuses a phone number that is not E.164 without sending anything', async () => {
    const user = await createSignedInUser(h);
    const sentBefore = h.outbox.smsSent.length;
    for (const phone of ['0888123456', '+0123456789', '+1234', 'call me']) {
      const response = await startEnable(user, { method: 'sms', phone });
      expect(response.statusCode, phone).toBe(400);
      expect(json<{ error: { code: string } }>(response).error.code).toBe('PHONE_INVALID');
    }
    expect(h.outbox.smsSent.slice(sentBefore)).toEqual([]);
  });

  it('counts wrong codes, fails the procedure after five, and never activates', async () => {
    const user = await createSignedInUser(h);
    const phone = uniquePhone();
    const { flowId } = json<EnableStartBody>(await startEnable(user, { method: 'sms', phone }));
    const right = h.outbox.lastSmsCode(phone);
    const wrong = right === '000000' ? '111111' : '000000';
    const first = await confirmEnable(user, flowId, wrong);
    expect(first.statusCode).toBe(422);
    expect(json<{ error: { code: string } }>(first).error.code).toBe('CODE_INVALID');
    for (let i = 0; i < 3; i++) await confirmEnable(user, flowId, wrong);
    const fifth = await confirmEnable(user, flowId, wrong);
    expect([422, 429]).toContain(fifth.statusCode);
    const afterwards = await confirmEnable(user, flowId, right);
    expect(afterwards.statusCode).toBeGreaterThanOrEqual(400);
    expect(await activeMethods(user)).toEqual([]);
  });

  it('expires: a code confirmed after ten minutes is refused', async () => {
    const user = await createSignedInUser(h);
    const phone = uniquePhone();
    const { flowId } = json<EnableStartBody>(await startEnable(user, { method: 'sms', phone }));
    const code = h.outbox.lastSmsCode(phone);
    h.clock.advanceSeconds(601);
    const late = await confirmEnable(user, flowId, code);
    expect(late.statusCode).toBe(410);
    expect(await activeMethods(user)).toEqual([]);
  });

  it('enforces the resend cooldown and sends a fresh code after it; the old code is then useless', async () => {
    const user = await createSignedInUser(h);
    const phone = uniquePhone();
    const { flowId } = json<EnableStartBody>(await startEnable(user, { method: 'sms', phone }));
    const firstCode = h.outbox.lastSmsCode(phone);
    const resend = () =>
      h.app.inject({
        method: 'POST',
        url: `/api/v1/me/2fa/enable/${flowId}/resend`,
        headers: bearer(user.accessToken),
      });
    const tooSoon = await resend();
    expect(tooSoon.statusCode).toBe(429);
    expect(json<{ error: { code: string } }>(tooSoon).error.code).toBe('RESEND_TOO_SOON');
    h.clock.advanceSeconds(61);
    const again = await resend();
    expect(again.statusCode).toBe(200);
    const secondCode = h.outbox.lastSmsCode(phone);
    expect(h.outbox.smsTo(phone)).toHaveLength(2);
    if (firstCode !== secondCode) {
      expect((await confirmEnable(user, flowId, firstCode)).statusCode).toBe(422);
    }
    expect((await confirmEnable(user, flowId, secondCode)).statusCode).toBe(200);
  });

  it('stops sending to one number after the hourly limit, across accounts', async () => {
    const { hourlyLimit, resendCooldownSeconds } = DEFAULT_DELIVERED_CODE_POLICY;
    const phone = uniquePhone();
    // Each from another account, each after the resend cooldown: all inside one hour.
    expect(hourlyLimit * (resendCooldownSeconds + 1)).toBeLessThan(3600);
    for (let i = 0; i < hourlyLimit; i++) {
      const user = await createSignedInUser(h);
      expect((await startEnable(user, { method: 'sms', phone })).statusCode).toBe(201);
      h.clock.advanceSeconds(resendCooldownSeconds + 1);
    }
    const another = await createSignedInUser(h);
    const limited = await startEnable(another, { method: 'sms', phone });
    expect(limited.statusCode).toBe(429);
    expect(json<{ error: { code: string } }>(limited).error.code).toBe('SEND_LIMIT_REACHED');
    expect(h.outbox.smsTo(phone)).toHaveLength(hourlyLimit);
    h.clock.advanceSeconds(3601);
    const anHourLater = await createSignedInUser(h);
    expect((await startEnable(anHourLater, { method: 'sms', phone })).statusCode).toBe(201);
  });

  it('a provider failure is a 502 and leaves no pending factor and no code behind', async () => {
    const user = await createSignedInUser(h);
    const phone = uniquePhone();
    h.outbox.failNext(1, phone);
    const failed = await startEnable(user, { method: 'sms', phone });
    expect(failed.statusCode).toBe(502);
    expect(json<{ error: { code: string } }>(failed).error.code).toBe('DELIVERY_FAILED');
    const factors = await h.app.inject({ method: 'GET', url: '/api/v1/me/factors', headers: bearer(user.accessToken) });
    expect(json<{ factors: unknown[] }>(factors).factors).toEqual([]);
    // Nothing was recorded as sent, so the cooldown does not hold the retry back.
    expect((await startEnable(user, { method: 'sms', phone })).statusCode).toBe(201);
  });

  it('keeps only a keyed hash of a sent code and of its recipient', async () => {
    const user = await createSignedInUser(h);
    const phone = uniquePhone();
    await startEnable(user, { method: 'sms', phone });
    const code = h.outbox.lastSmsCode(phone);
    const rows = await h.storage.db.selectFrom('delivered_codes').selectAll().where('user_id', '=', user.id).execute();
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(code);
    expect(stored).not.toContain(phone.slice(4));
  });

  it('does not store the phone number of the factor in clear', async () => {
    const user = await createSignedInUser(h);
    const phone = uniquePhone();
    await enableSms(user, phone);
    const factor = await h.storage.factors.findActive(user.id, 'sms');
    expect(factor?.details.sealedPhone).toBeTruthy();
    expect(factor?.details.sealedPhone).not.toContain(phone.slice(4));
    expect(factor?.details.maskedPhone).not.toContain(phone.slice(4));
  });
});

describe('e-mail factor', () => {
  it('sends the code to the account address and activates on confirmation', async () => {
    const user = await createSignedInUser(h);
    const started = json<EnableStartBody>(await startEnable(user, { method: 'email' }));
    expect(started.delivery?.destination).toMatch(/^u\*\*\*@example\.test$/);
    const confirmed = await confirmEnable(user, started.flowId, h.outbox.lastEmailCode(user.email));
    expect(confirmed.statusCode).toBe(200);
    expect(await activeMethods(user)).toEqual(['email']);
  });

  it('needs an address on the account', async () => {
    // Signed up through the API without an e-mail address.
    const signedIn = await signUpAndSignIn(h.app);
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/enable',
      headers: bearer(signedIn.accessToken),
      payload: { method: 'email' },
    });
    expect(response.statusCode).toBe(409);
    expect(json<{ error: { code: string } }>(response).error.code).toBe('EMAIL_REQUIRED');
  });
});

describe('backup codes', () => {
  const secondFactor = (flowId: string, payload: object) =>
    h.app.inject({ method: 'POST', url: `/api/v1/auth/sign-in/${flowId}/second-factor`, payload });
  const grouped = (code: string, separator: string) => `${code.slice(0, 4)}${separator}${code.slice(4)}`;

  it('the second-factor step takes a backup code without naming the method, however it is written; the app code still works', async () => {
    const user = await createSignedInUser(h);
    const totp = await enrollTotp(h.app, user.accessToken, h.clock.now());
    h.clock.advanceSeconds(30);
    const codes = await enableBackupCodes(user);

    for (const [i, written] of [
      grouped(codes[0] ?? '', '-'),
      codes[1] ?? '',
      grouped(codes[2] ?? '', ' '),
      `${(codes[3] ?? '').slice(0, 2)} ${(codes[3] ?? '').slice(2, 5)}-${(codes[3] ?? '').slice(5)}`,
    ].entries()) {
      const flow = json<{ flowId: string }>(await signIn(user));
      const answer = await secondFactor(flow.flowId, { code: written });
      expect({ i, status: answer.statusCode }).toEqual({ i, status: 200 });
      expect(json<{ accessToken: string }>(answer).accessToken).toBeTruthy();
    }

    // Each is used once: the first again, written the other way, is refused (and not taken as the app's).
    const replay = json<{ flowId: string }>(await signIn(user));
    const refused = await secondFactor(replay.flowId, { code: codes[0] ?? '' });
    expect([refused.statusCode, json<{ error: { code: string } }>(refused).error.code]).toEqual([422, 'CODE_INVALID']);

    // The authenticator's code, also without a method, is still the app's.
    const app = await secondFactor(replay.flowId, { code: totp.codeAt(h.clock.now()) });
    expect(app.statusCode).toBe(200);
    const status = await h.app.inject({
      method: 'GET',
      url: '/api/v1/me/2fa/backup-codes',
      headers: bearer(user.accessToken),
    });
    expect(json(status)).toEqual({ active: true, remaining: 6 });
  });

  it('after an SMS code was chosen and sent, a backup code still answers the step', async () => {
    const user = await createSignedInUser(h);
    await enableSms(user, uniquePhone());
    const codes = await enableBackupCodes(user);
    const flow = json<{ flowId: string }>(await signIn(user));
    const chosen = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/sign-in/${flow.flowId}/method`,
      payload: { method: 'sms' },
    });
    expect(chosen.statusCode).toBe(200);
    const answer = await secondFactor(flow.flowId, { code: grouped(codes[0] ?? '', '-') });
    expect(answer.statusCode).toBe(200);
  });

  it('are generated as ten codes of eight digits, shown once, and each works once at sign-in', async () => {
    const user = await createSignedInUser(h);
    const codes = await enableBackupCodes(user);
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^\d{8}$/);
    expect(new Set(codes).size).toBe(10);

    const flow = json<{ flowId: string; methods: string[] }>(await signIn(user));
    expect(flow.methods).toEqual(['backup_codes']);
    const answer = (flowId: string, code: string) =>
      h.app.inject({
        method: 'POST',
        url: `/api/v1/auth/sign-in/${flowId}/second-factor`,
        payload: { code, method: 'backup_codes' },
      });
    const first = await answer(flow.flowId, codes[0] ?? '');
    expect(first.statusCode).toBe(200);
    expect(json<{ accessToken: string }>(first).accessToken).toBeTruthy();

    const again = json<{ flowId: string }>(await signIn(user));
    expect((await answer(again.flowId, codes[0] ?? '')).statusCode).toBe(422);
    const status = await h.app.inject({
      method: 'GET',
      url: '/api/v1/me/2fa/backup-codes',
      headers: bearer(user.accessToken),
    });
    expect(json(status)).toEqual({ active: true, remaining: 9 });
  });

  it('are stored only as keyed hashes', async () => {
    const user = await createSignedInUser(h);
    const codes = await enableBackupCodes(user);
    const db = h.storage.db;
    const rows = await db.selectFrom('backup_codes').selectAll().where('user_id', '=', user.id).execute();
    expect(rows).toHaveLength(10);
    const stored = JSON.stringify(rows);
    for (const code of codes) expect(stored).not.toContain(code);
  });

  it('a code written with a dash is accepted', async () => {
    const user = await createSignedInUser(h);
    const [code] = await enableBackupCodes(user);
    const flow = json<{ flowId: string }>(await signIn(user));
    const dashed = `${code?.slice(0, 4)}-${code?.slice(4)}`;
    const response = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/sign-in/${flow.flowId}/second-factor`,
      payload: { code: dashed, method: 'backup_codes' },
    });
    expect(response.statusCode).toBe(200);
  });

  it('using the last code sends the owner a notice', async () => {
    const user = await createSignedInUser(h);
    const codes = await enableBackupCodes(user);
    for (const [i, code] of codes.entries()) {
      const flow = json<{ flowId: string }>(await signIn(user));
      const response = await h.app.inject({
        method: 'POST',
        url: `/api/v1/auth/sign-in/${flow.flowId}/second-factor`,
        payload: { code, method: 'backup_codes' },
      });
      expect(response.statusCode, `code ${i}`).toBe(200);
    }
    await h.core.notifications.settle();
    expect(h.outbox.notices(user.email).map((m) => m.subject)).toContainEqual(
      expect.stringContaining('last backup code used'),
    );
  });
});

describe('sign-in with several methods', () => {
  it('lists the methods, sends the SMS code when SMS is chosen, and signs in with it', async () => {
    const user = await createSignedInUser(h);
    const phone = uniquePhone();
    await enrollTotp(h.app, user.accessToken, h.clock.now());
    await enableSms(user, phone);
    await enableBackupCodes(user);
    const flow = json<{ status: string; flowId: string; methods: string[] }>(await signIn(user));
    expect(flow.status).toBe('second_factor_required');
    expect(flow.methods.sort()).toEqual(['backup_codes', 'sms', 'totp']);

    const smsBefore = h.outbox.smsTo(phone).length;
    h.clock.advanceSeconds(61);
    const chosen = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/sign-in/${flow.flowId}/method`,
      payload: { method: 'sms' },
    });
    expect(chosen.statusCode).toBe(200);
    expect(json<{ delivery: { channel: string } }>(chosen).delivery.channel).toBe('sms');
    expect(h.outbox.smsTo(phone)).toHaveLength(smsBefore + 1);

    const done = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/sign-in/${flow.flowId}/second-factor`,
      payload: { code: h.outbox.lastSmsCode(phone) },
    });
    expect(done.statusCode).toBe(200);
    expect(json<{ accessToken: string }>(done).accessToken).toBeTruthy();
  });

  it('a code sent to enable SMS cannot be used to sign in', async () => {
    const user = await createSignedInUser(h);
    const phone = uniquePhone();
    await enableSms(user, phone);
    const flow = json<{ flowId: string }>(await signIn(user));
    const enrolCode = h.outbox.lastSmsCode(phone);
    const response = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/sign-in/${flow.flowId}/second-factor`,
      payload: { code: enrolCode, method: 'sms' },
    });
    // No code was sent for this sign-in yet: the method has to be chosen first.
    expect(response.statusCode).toBe(409);
    expect(json<{ error: { code: string } }>(response).error.code).toBe('METHOD_REQUIRED');
  });

  it('refuses a method the account does not have', async () => {
    const user = await createSignedInUser(h);
    await enrollTotp(h.app, user.accessToken, h.clock.now());
    const flow = json<{ flowId: string }>(await signIn(user));
    const response = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/sign-in/${flow.flowId}/method`,
      payload: { method: 'sms' },
    });
    expect(response.statusCode).toBe(409);
    expect(json<{ error: { code: string } }>(response).error.code).toBe('METHOD_NOT_ACTIVE');
  });

  it('the wrong code that locks the account also fails the sign-in: no sixth try after the lock', async () => {
    const user = await createSignedInUser(h);
    const totp = await enrollTotp(h.app, user.accessToken, h.clock.now());
    h.clock.advanceSeconds(30);
    const flow = json<{ flowId: string }>(await signIn(user));
    const answer = (code: string) =>
      h.app.inject({
        method: 'POST',
        url: `/api/v1/auth/sign-in/${flow.flowId}/second-factor`,
        payload: { code, method: 'totp' },
      });
    const wrong = totp.codeAt(h.clock.now()) === '000000' ? '111111' : '000000';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await answer(wrong)).statusCode);
    expect(statuses).toEqual([422, 422, 422, 422, 429]);
    h.clock.advanceSeconds(61);
    const late = await answer(totp.codeAt(h.clock.now()));
    expect(late.statusCode).toBe(409);
    expect(json<{ error: { code: string } }>(late).error.code).toBe('FLOW_FINISHED');
  });

  it('wrong codes of any method feed the same account lockout', async () => {
    const user = await createSignedInUser(h);
    await enrollTotp(h.app, user.accessToken, h.clock.now());
    const codes = await enableBackupCodes(user);
    let locked = false;
    for (let i = 0; i < 6 && !locked; i++) {
      const flow = json<{ flowId: string }>(await signIn(user));
      const method = i % 2 === 0 ? 'backup_codes' : 'totp';
      const code = method === 'totp' ? '000000' : '00000000';
      const response = await h.app.inject({
        method: 'POST',
        url: `/api/v1/auth/sign-in/${flow.flowId}/second-factor`,
        payload: { code, method },
      });
      locked = response.statusCode === 429;
    }
    expect(locked).toBe(true);
    // Even a right backup code is refused while the account is locked.
    const flow = json<{ flowId: string }>(await signIn(user));
    const response = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/sign-in/${flow.flowId}/second-factor`,
      payload: { code: codes[0], method: 'backup_codes' },
    });
    expect(response.statusCode).toBe(429);
    await h.core.notifications.settle();
    expect(h.outbox.notices(user.email).map((m) => m.subject)).toContainEqual(
      expect.stringContaining('failed sign-in attempts'),
    );
  });
});

describe('disable procedure', () => {
  it('sends a code to the SMS method and removes it when the code is confirmed', async () => {
    const user = await createSignedInUser(h);
    const phone = uniquePhone();
    await enableSms(user, phone);
    h.clock.advanceSeconds(61);
    const started = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/disable',
      headers: bearer(user.accessToken),
      payload: { method: 'sms' },
    });
    expect(started.statusCode).toBe(201);
    const { flowId } = json<{ flowId: string }>(started);
    const confirmed = await h.app.inject({
      method: 'POST',
      url: `/api/v1/me/2fa/disable/${flowId}/confirm`,
      headers: bearer(user.accessToken),
      payload: { code: h.outbox.lastSmsCode(phone) },
    });
    expect(confirmed.statusCode).toBe(200);
    expect(json<{ state: string }>(confirmed).state).toBe('disabled');
    expect(await activeMethods(user)).toEqual([]);
    await h.core.notifications.settle();
    const subjects = h.outbox.notices(user.email).map((m) => m.subject);
    expect(subjects).toContainEqual(expect.stringContaining('two-factor method enabled'));
    expect(subjects).toContainEqual(expect.stringContaining('two-factor method disabled'));
  });

  it("a TOTP method is disabled with a current code of the app, not with another method's code", async () => {
    const user = await createSignedInUser(h);
    const totp = await enrollTotp(h.app, user.accessToken, h.clock.now());
    const codes = await enableBackupCodes(user);
    h.clock.advanceSeconds(30);
    const { flowId } = json<{ flowId: string }>(
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/me/2fa/disable',
        headers: bearer(user.accessToken),
        payload: { method: 'totp' },
      }),
    );
    const confirm = (code: string) =>
      h.app.inject({
        method: 'POST',
        url: `/api/v1/me/2fa/disable/${flowId}/confirm`,
        headers: bearer(user.accessToken),
        payload: { code },
      });
    expect((await confirm(codes[0] ?? '')).statusCode).toBeGreaterThanOrEqual(400);
    expect((await confirm(totp.codeAt(h.clock.now()))).statusCode).toBe(200);
    // The backup codes were the only other factor: they go with the authenticator.
    expect(await activeMethods(user)).toEqual([]);
  });

  it("another user's disable procedure is not found", async () => {
    const owner = await createSignedInUser(h);
    const phone = uniquePhone();
    await enableSms(owner, phone);
    h.clock.advanceSeconds(61);
    const { flowId } = json<{ flowId: string }>(
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/me/2fa/disable',
        headers: bearer(owner.accessToken),
        payload: { method: 'sms' },
      }),
    );
    const intruder = await createSignedInUser(h);
    const response = await h.app.inject({
      method: 'POST',
      url: `/api/v1/me/2fa/disable/${flowId}/confirm`,
      headers: bearer(intruder.accessToken),
      payload: { code: h.outbox.lastSmsCode(phone) },
    });
    expect(response.statusCode).toBe(404);
    expect(await activeMethods(owner)).toEqual(['sms']);
  });
});

describe('notices', () => {
  it('a replayed TOTP code is refused and the owner is told', async () => {
    const user = await createSignedInUser(h);
    const totp = await enrollTotp(h.app, user.accessToken, h.clock.now());
    h.clock.advanceSeconds(30);
    const code = totp.codeAt(h.clock.now());
    const verify = () =>
      h.app.inject({ method: 'POST', url: '/api/v1/me/verify', headers: bearer(user.accessToken), payload: { code } });
    expect(json<{ valid: boolean }>(await verify()).valid).toBe(true);
    expect(json<{ valid: boolean }>(await verify()).valid).toBe(false);
    await h.core.notifications.settle();
    expect(h.outbox.notices(user.email).map((m) => m.subject)).toContainEqual(
      expect.stringContaining('a used code was tried again'),
    );
  });

  it('a failing notice does not fail the request and is logged', async () => {
    const user = await createSignedInUser(h);
    const started = json<EnableStartBody>(await startEnable(user, { method: 'email' }));
    const code = h.outbox.lastEmailCode(user.email);
    h.outbox.failNext(1, user.email);
    const logMark = h.log.mark();
    const confirmed = await confirmEnable(user, started.flowId, code);
    expect(confirmed.statusCode).toBe(200);
    await h.core.notifications.settle();
    const failure = h.log.textSince(logMark);
    expect(failure).toContain('security notification failed');
    expect(failure).toContain(user.id);
  });
});

describe('already active', () => {
  it('enabling a method that is on says which method it is', async () => {
    const user = await createSignedInUser(h);
    await enrollTotp(h.app, user.accessToken, h.clock.now());
    await enableSms(user, uniquePhone());
    const emailStart = json<EnableStartBody>(await startEnable(user, { method: 'email' }));
    expect((await confirmEnable(user, emailStart.flowId, h.outbox.lastEmailCode(user.email))).statusCode).toBe(200);
    await enableBackupCodes(user);

    const expected: Record<string, RegExp> = {
      totp: /^An authenticator app is already active/,
      sms: /^SMS codes are already active/,
      email: /^E-mail codes are already active/,
      backup_codes: /^Backup codes are already active/,
    };
    for (const [method, message] of Object.entries(expected)) {
      const again = await startEnable(user, { method, ...(method === 'sms' ? { phone: uniquePhone() } : {}) });
      expect({ method, status: again.statusCode, body: json(again) }).toEqual({
        method,
        status: 409,
        body: { error: { code: 'FACTOR_ALREADY_ACTIVE', message: expect.stringMatching(message) } },
      });
    }
  });
});
