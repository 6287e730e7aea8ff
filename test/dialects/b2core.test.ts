import { SIGN_IN_TTL_SECONDS } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { oathtoolCode } from '../support/external-tools.js';
import {
  bearer,
  createHarness,
  createSignedInUser,
  enrollTotp,
  type Harness,
  json,
  type SignedInUser,
  uniquePhone,
} from '../support/harness.js';
import { wrongCode } from '../support/totp-user.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const B2CORE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/;
const FINGERPRINT = Buffer.from(JSON.stringify({ user_agent: 'Mozilla/5.0 (test)' })).toString('base64');

interface Token {
  token: string;
  createdAt: string;
  expiresAt: string;
}
interface Envelope<T = unknown> {
  code: number;
  data: T;
  done: boolean;
  uuid: string;
  workflow: string;
}
type TokensEnvelope = Envelope<{ accessToken: Token; refreshToken: Token }>;

/**
 * B2Core's front-office API (catalogue section 5, seed 002): every built request field by field,
 * then the failures its wizard semantics imply. The error body is this dialect's own choice.
 */
describe('B2Core dialect', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const post = (url: string, payload?: object, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url, headers, ...(payload ? { payload } : {}) });

  async function wizardUuid(): Promise<string> {
    return json<Envelope>(await h.app.inject({ url: '/api/v2/my/signin/wizard' })).uuid;
  }

  async function signIn(user: SignedInUser, fingerprint = FINGERPRINT) {
    return post('/api/v2/my/signin', {
      uuid: await wizardUuid(),
      email: user.email,
      password: user.password,
      device_fingerprint: fingerprint,
    });
  }

  async function withTotp() {
    const user = await createSignedInUser(h);
    const totp = await enrollTotp(h.app, user.accessToken, h.clock.now());
    h.clock.advanceSeconds(30);
    return { user, secret: totp.secret };
  }

  async function enableNative(user: SignedInUser, payload: object) {
    return h.app.inject({ method: 'POST', url: '/api/v1/me/2fa/enable', headers: bearer(user.accessToken), payload });
  }

  async function withSms(user?: SignedInUser) {
    const owner = user ?? (await createSignedInUser(h));
    const phone = uniquePhone();
    const { flowId } = json<{ flowId: string }>(await enableNative(owner, { method: 'sms', phone }));
    const confirmed = await h.app.inject({
      method: 'POST',
      url: `/api/v1/me/2fa/enable/${flowId}/confirm`,
      headers: bearer(owner.accessToken),
      payload: { code: h.outbox.lastSmsCode(phone) },
    });
    expect(confirmed.statusCode).toBe(200);
    // Past the wait between two codes to one number.
    h.clock.advanceSeconds(120);
    return { user: owner, phone };
  }

  function expectTokens(body: TokensEnvelope, uuid: string) {
    expect(body).toEqual({
      code: 202,
      data: {
        accessToken: { token: expect.any(String), createdAt: expect.any(String), expiresAt: expect.any(String) },
        refreshToken: { token: expect.any(String), createdAt: expect.any(String), expiresAt: expect.any(String) },
      },
      done: true,
      uuid,
      workflow: 'login',
    });
    const { accessToken, refreshToken } = body.data;
    for (const time of [accessToken.createdAt, accessToken.expiresAt, refreshToken.createdAt, refreshToken.expiresAt])
      expect(time).toMatch(B2CORE_TIME);
    expect(Date.parse(accessToken.expiresAt) - Date.parse(accessToken.createdAt)).toBe(900_000);
    expect(Date.parse(refreshToken.expiresAt) - Date.parse(refreshToken.createdAt)).toBe(30 * 24 * 3600 * 1000);
  }

  describe('errors', () => {
    it('every failure is {code: <status>, message, errors}; a schema failure names its field', async () => {
      const response = await post('/api/v2/my/signin', {
        uuid: await wizardUuid(),
        password: 'x',
        device_fingerprint: FINGERPRINT,
      });
      expect(response.statusCode).toBe(400);
      expect(json(response)).toEqual({
        code: 400,
        message: expect.any(String),
        errors: { 'body.email': [expect.any(String)] },
      });
    });

    it('a malformed body is 400 in the same shape', async () => {
      const response = await h.app.inject({
        method: 'POST',
        url: '/api/v2/my/signin',
        headers: { 'content-type': 'application/json' },
        payload: '{"uuid":',
      });
      expect(response.statusCode).toBe(400);
      expect(json(response)).toEqual({ code: 400, message: expect.any(String), errors: {} });
    });
  });

  describe('sign-in (5.1)', () => {
    it('GET /api/v2/my/signin/wizard answers 202 with the login workflow and a fresh uuid', async () => {
      const response = await h.app.inject({ url: '/api/v2/my/signin/wizard' });
      expect(response.statusCode).toBe(202);
      const body = json<Envelope>(response);
      expect(body).toEqual({
        code: 202,
        data: { recaptcha: { enabled: false }, is_qr_available: false, is_password_recovery_available: true },
        done: true,
        uuid: expect.stringMatching(UUID),
        workflow: 'login',
      });
      expect(await wizardUuid()).not.toBe(body.uuid);
    });

    it('POST /api/v2/my/signin without a second factor answers 202 with the tokens; the access token works', async () => {
      const user = await createSignedInUser(h);
      const uuid = await wizardUuid();
      const response = await post('/api/v2/my/signin', {
        uuid,
        email: user.email,
        password: user.password,
        device_fingerprint: FINGERPRINT,
      });
      expect(response.statusCode).toBe(202);
      const body = json<TokensEnvelope>(response);
      expectTokens(body, uuid);
      expect(body.data.accessToken.createdAt).toBe(
        h.clock
          .now()
          .toISOString()
          .replace(/\.\d{3}Z$/, '+00:00'),
      );
      const me = await h.app.inject({ url: '/api/v1/me/2fa', headers: bearer(body.data.accessToken.token) });
      expect(me.statusCode).toBe(200);
    });

    it('refuses a malformed device_fingerprint with 400 naming the field', async () => {
      const user = await createSignedInUser(h);
      const notJson = Buffer.from('not json').toString('base64');
      const noAgent = Buffer.from(JSON.stringify({ os: 'linux' })).toString('base64');
      const array = Buffer.from(JSON.stringify(['user_agent'])).toString('base64');
      for (const fingerprint of ['%%%not base64%%%', notJson, noAgent, array]) {
        const response = await signIn(user, fingerprint);
        expect(response.statusCode, fingerprint).toBe(400);
        expect(json(response)).toEqual({
          code: 400,
          message: expect.any(String),
          errors: { 'body.device_fingerprint': [expect.any(String)] },
        });
      }
    });

    it('a wrong password is 401', async () => {
      const user = await createSignedInUser(h);
      const response = await signIn({ ...user, password: 'not the password' });
      expect(response.statusCode).toBe(401);
      expect(json(response)).toEqual({ code: 401, message: expect.any(String), errors: {} });
    });

    it('google only: 200 2fa_google_auth, then /2fa/google: 422 for a wrong code, 202 with tokens, 409 after', async () => {
      const { user, secret } = await withTotp();
      const started = await signIn(user);
      expect(started.statusCode).toBe(200);
      const step = json<Envelope>(started);
      expect(step).toEqual({
        code: 200,
        data: null,
        done: false,
        uuid: expect.stringMatching(UUID),
        workflow: '2fa_google_auth',
      });

      const code = oathtoolCode(secret, h.clock.now());
      const wrong = await post('/api/v2/my/2fa/google', { uuid: step.uuid, code: wrongCode(code) });
      expect(wrong.statusCode).toBe(422);
      expect(json(wrong)).toEqual({ code: 422, message: expect.any(String), errors: {} });

      const done = await post('/api/v2/my/2fa/google', { uuid: step.uuid, code });
      expect(done.statusCode).toBe(202);
      expectTokens(json<TokensEnvelope>(done), step.uuid);

      const again = await post('/api/v2/my/2fa/google', { uuid: step.uuid, code });
      expect(again.statusCode).toBe(409);
      expect(json(again)).toEqual({ code: 409, message: expect.any(String), errors: {} });
    });

    it('a code already used to sign in is refused in the next sign-in (422)', async () => {
      const { user, secret } = await withTotp();
      const code = oathtoolCode(secret, h.clock.now());
      const first = json<Envelope>(await signIn(user));
      expect((await post('/api/v2/my/2fa/google', { uuid: first.uuid, code })).statusCode).toBe(202);
      const second = json<Envelope>(await signIn(user));
      expect((await post('/api/v2/my/2fa/google', { uuid: second.uuid, code })).statusCode).toBe(422);
    });

    it('a backup code is accepted on /2fa/google, once', async () => {
      const { user } = await withTotp();
      const enabled = await enableNative(user, { method: 'backup_codes' });
      const codes = json<{ backupCodes: { codes: string[] } }>(enabled).backupCodes.codes;
      const backup = codes[0] ?? '';
      const first = json<Envelope>(await signIn(user));
      const done = await post('/api/v2/my/2fa/google', { uuid: first.uuid, code: backup });
      expect(done.statusCode).toBe(202);
      expectTokens(json<TokensEnvelope>(done), first.uuid);
      const second = json<Envelope>(await signIn(user));
      expect((await post('/api/v2/my/2fa/google', { uuid: second.uuid, code: backup })).statusCode).toBe(422);
    });

    it('sms only: 200 2fa_sms_auth sends the SMS at once; /2fa/sms with its code answers 202', async () => {
      const { user, phone } = await withSms();
      const before = h.outbox.smsTo(phone).length;
      const started = await signIn(user);
      expect(started.statusCode).toBe(200);
      const step = json<Envelope>(started);
      expect(step).toEqual({
        code: 200,
        data: null,
        done: false,
        uuid: expect.stringMatching(UUID),
        workflow: '2fa_sms_auth',
      });
      expect(h.outbox.smsTo(phone)).toHaveLength(before + 1);
      const code = h.outbox.lastSmsCode(phone);
      expect((await post('/api/v2/my/2fa/sms', { uuid: step.uuid, code: wrongCode(code) })).statusCode).toBe(422);
      const done = await post('/api/v2/my/2fa/sms', { uuid: step.uuid, code });
      expect(done.statusCode).toBe(202);
      expectTokens(json<TokensEnvelope>(done), step.uuid);
    });

    it('both: 200 workflow 2fa; POST /signin/2fa {uuid, type} chooses (a Bearer header there is ignored)', async () => {
      const { user, secret } = await withTotp();
      const { phone } = await withSms(user);
      const step = json<Envelope>(await signIn(user));
      expect(step).toEqual({ code: 200, data: null, done: false, uuid: expect.stringMatching(UUID), workflow: '2fa' });

      const chosen = await post(
        '/api/v2/my/signin/2fa',
        { uuid: step.uuid, type: 'sms' },
        bearer('not-a-token-the-vendor-example-sends-one'),
      );
      expect(chosen.statusCode).toBe(200);
      expect(json(chosen)).toEqual({ code: 200, data: null, done: false, uuid: step.uuid, workflow: '2fa_sms_auth' });
      const done = await post('/api/v2/my/2fa/sms', { uuid: step.uuid, code: h.outbox.lastSmsCode(phone) });
      expect(done.statusCode).toBe(202);

      const other = json<Envelope>(await signIn(user));
      const google = await post('/api/v2/my/signin/2fa', { uuid: other.uuid, type: 'google' });
      expect(json(google)).toEqual({
        code: 200,
        data: null,
        done: false,
        uuid: other.uuid,
        workflow: '2fa_google_auth',
      });
      const signedIn = await post('/api/v2/my/2fa/google', {
        uuid: other.uuid,
        code: oathtoolCode(secret, h.clock.now()),
      });
      expect(signedIn.statusCode).toBe(202);
    });

    it('choosing a type the account does not have is 400', async () => {
      const { user } = await withTotp();
      const step = json<Envelope>(await signIn(user));
      const response = await post('/api/v2/my/signin/2fa', { uuid: step.uuid, type: 'sms' });
      expect(response.statusCode).toBe(400);
    });

    it('an unknown uuid is 404 on every step; a type outside google|sms is 400', async () => {
      const uuid = '00000000-0000-4000-8000-000000000000';
      for (const url of ['/api/v2/my/2fa/google', '/api/v2/my/2fa/sms']) {
        const response = await post(url, { uuid, code: '123456' });
        expect(response.statusCode, url).toBe(404);
        expect(json(response)).toEqual({ code: 404, message: expect.any(String), errors: {} });
      }
      expect((await post('/api/v2/my/signin/2fa', { uuid, type: 'google' })).statusCode).toBe(404);
      expect((await post('/api/v2/my/signin/2fa', { uuid, type: 'email' })).statusCode).toBe(400);
    });

    it('a wrong code leaves the flow open; the second factor locked by wrong codes is 429 with Retry-After', async () => {
      const { user, secret } = await withTotp();
      const code = oathtoolCode(secret, h.clock.now());
      const step = json<Envelope>(await signIn(user));
      let last = await post('/api/v2/my/2fa/google', { uuid: step.uuid, code: wrongCode(code) });
      expect(last.statusCode).toBe(422);
      for (let i = 0; i < 10 && last.statusCode === 422; i++) {
        const next = json<Envelope>(await signIn(user));
        last = await post('/api/v2/my/2fa/google', { uuid: next.uuid, code: wrongCode(code) });
      }
      expect(last.statusCode).toBe(429);
      expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
      expect(json(last)).toEqual({ code: 429, message: expect.any(String), errors: {} });
      // Locked: even the right code is refused until the lock ends.
      const locked = json<Envelope>(await signIn(user));
      expect((await post('/api/v2/my/2fa/google', { uuid: locked.uuid, code })).statusCode).toBe(429);
      h.clock.advanceSeconds(3600);
    });

    it('an expired sign-in flow is 409', async () => {
      const { user, secret } = await withTotp();
      const step = json<Envelope>(await signIn(user));
      h.clock.advanceSeconds(SIGN_IN_TTL_SECONDS + 1);
      const response = await post('/api/v2/my/2fa/google', {
        uuid: step.uuid,
        code: oathtoolCode(secret, h.clock.now()),
      });
      expect(response.statusCode).toBe(409);
      h.clock.advanceSeconds(30);
    });

    it('POST /api/v2/my/token/refresh rotates the pair; a reused refresh token is 401', async () => {
      const user = await createSignedInUser(h);
      const first = json<TokensEnvelope>(await signIn(user)).data.refreshToken.token;
      const rotated = await post('/api/v2/my/token/refresh', { refreshToken: first });
      expect(rotated.statusCode).toBe(200);
      expect(json(rotated)).toEqual({
        accessToken: {
          token: expect.any(String),
          createdAt: expect.stringMatching(B2CORE_TIME),
          expiresAt: expect.any(String),
        },
        refreshToken: {
          token: expect.any(String),
          createdAt: expect.stringMatching(B2CORE_TIME),
          expiresAt: expect.any(String),
        },
      });
      const reused = await post('/api/v2/my/token/refresh', { refreshToken: first });
      expect(reused.statusCode).toBe(401);
      expect(json(reused)).toEqual({ code: 401, message: expect.any(String), errors: {} });
    });
  });

  describe('status and wizards (5.3, 5.4)', () => {
    const get = (url: string, user: SignedInUser) => h.app.inject({ url, headers: bearer(user.accessToken) });
    const step = (user: SignedInUser, payload: object) =>
      post('/api/v2/my/2fa/wizard', payload, bearer(user.accessToken));

    async function enableGoogle(user: SignedInUser): Promise<string> {
      const started = json<Envelope<{ key: string }>>(await get('/api/v2/my/2fa/google/enable/wizard', user));
      const { key } = started.data;
      const done = await step(user, {
        uuid: started.uuid,
        action: 'code',
        code: oathtoolCode(key, h.clock.now()),
        key,
      });
      expect(done.statusCode).toBe(202);
      h.clock.advanceSeconds(30);
      return key;
    }

    it('GET /api/v2/my/2fa lists sms and google with their captions; GET /2fa/{type} one of them', async () => {
      const user = await createSignedInUser(h);
      const list = await get('/api/v2/my/2fa', user);
      expect(list.statusCode).toBe(200);
      expect(json(list)).toEqual({
        total: 2,
        data: [
          { caption: 'SMS Confirmation', isEnabled: false, name: 'sms' },
          { caption: 'Google Authenticator', isEnabled: false, name: 'google' },
        ],
      });
      await enableGoogle(user);
      expect(json(await get('/api/v2/my/2fa/google', user))).toEqual({
        caption: 'Google Authenticator',
        isEnabled: true,
        name: 'google',
      });
      expect(json(await get('/api/v2/my/2fa/sms', user))).toEqual({
        caption: 'SMS Confirmation',
        isEnabled: false,
        name: 'sms',
      });
      const other = await get('/api/v2/my/2fa/email', user);
      expect(other.statusCode).toBe(404);
      expect(json(other)).toEqual({ code: 404, message: expect.any(String), errors: {} });
    });

    it('needs a Bearer access token: none or a bad one is 401', async () => {
      expect((await h.app.inject({ url: '/api/v2/my/2fa' })).statusCode).toBe(401);
      const bad = await h.app.inject({ url: '/api/v2/my/2fa', headers: bearer('nope') });
      expect(bad.statusCode).toBe(401);
      expect(json(bad)).toEqual({ code: 401, message: expect.any(String), errors: {} });
      expect((await post('/api/v2/my/2fa/wizard', { uuid: '00000000-0000-4000-8000-000000000000' })).statusCode).toBe(
        401,
      );
    });

    it('enable google: the wizard gives a key; {uuid, action: code, code, key} answers 202 TerminateWorkflow', async () => {
      const user = await createSignedInUser(h);
      const response = await get('/api/v2/my/2fa/google/enable/wizard', user);
      expect(response.statusCode).toBe(200);
      const started = json<Envelope<{ key: string }>>(response);
      expect(started).toEqual({
        code: 200,
        data: { key: expect.stringMatching(/^[A-Z2-7]{16,}$/) },
        done: false,
        uuid: expect.stringMatching(UUID),
        workflow: '2fa_google',
      });
      const code = oathtoolCode(started.data.key, h.clock.now());
      const wrong = await step(user, {
        uuid: started.uuid,
        action: 'code',
        code: wrongCode(code),
        key: started.data.key,
      });
      expect(wrong.statusCode).toBe(422);
      const done = await step(user, { uuid: started.uuid, action: 'code', code, key: started.data.key });
      expect(done.statusCode).toBe(202);
      expect(json(done)).toEqual({
        code: 202,
        data: [],
        done: true,
        uuid: started.uuid,
        workflow: 'B2B\\TCA\\Wizards\\Workflow\\TerminateWorkflow',
      });
      expect(json<{ isEnabled: boolean }>(await get('/api/v2/my/2fa/google', user)).isEnabled).toBe(true);
      const again = await step(user, { uuid: started.uuid, action: 'code', code });
      expect(again.statusCode).toBe(409);
    });

    it('enable sms: phone step sends the code and answers the recipient; the code step answers 202', async () => {
      const user = await createSignedInUser(h);
      const wizard = await get('/api/v2/my/2fa/sms/enable/wizard', user);
      expect(wizard.statusCode).toBe(200);
      const started = json<Envelope>(wizard);
      expect(started).toEqual({
        code: 200,
        data: null,
        done: false,
        uuid: expect.stringMatching(UUID),
        workflow: '2fa_sms_phone_create',
      });
      const phone = uniquePhone();
      const phoneStep = await step(user, { uuid: started.uuid, phone });
      expect(phoneStep.statusCode).toBe(200);
      const body = json<Envelope<{ sentAt: string; expiredAt: string; recipient: { phone: string } }>>(phoneStep);
      expect(body).toEqual({
        code: 200,
        data: {
          status: 0,
          sent: 1,
          // The confirmation record's format, as the seed's example: microseconds and Z.
          expiredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
          sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
          recipient: {
            class: 'B2B\\TCA\\Confirmations\\Recipients\\PhoneRecipient',
            phone: expect.any(String),
            template: 'default',
            data: null,
            type: 2,
            method: 'phone',
          },
        },
        done: false,
        uuid: expect.stringMatching(UUID),
        workflow: 'phone',
      });
      expect(body.data.recipient.phone).not.toBe(phone);
      expect(body.data.recipient.phone.slice(-2)).toBe(phone.slice(-2));
      expect(Date.parse(body.data.expiredAt)).toBeGreaterThan(Date.parse(body.data.sentAt));
      const done = await step(user, { uuid: body.uuid, action: 'code', code: h.outbox.lastSmsCode(phone) });
      expect(done.statusCode).toBe(202);
      expect(json<Envelope>(done).workflow).toBe('B2B\\TCA\\Wizards\\Workflow\\TerminateWorkflow');
      expect(json<{ isEnabled: boolean }>(await get('/api/v2/my/2fa/sms', user)).isEnabled).toBe(true);
    });

    it('disable google: the wizard (done: false) then the code turns it off', async () => {
      const user = await createSignedInUser(h);
      const key = await enableGoogle(user);
      const response = await get('/api/v2/my/2fa/google/disable/wizard', user);
      expect(response.statusCode).toBe(200);
      const started = json<Envelope>(response);
      expect(started).toEqual({
        code: 200,
        data: null,
        done: false,
        uuid: expect.stringMatching(UUID),
        workflow: '2fa_google',
      });
      const code = oathtoolCode(key, h.clock.now());
      expect((await step(user, { uuid: started.uuid, action: 'code', code: wrongCode(code) })).statusCode).toBe(422);
      const done = await step(user, { uuid: started.uuid, action: 'code', code });
      expect(done.statusCode).toBe(202);
      expect(json(done)).toEqual({
        code: 202,
        data: [],
        done: true,
        uuid: started.uuid,
        workflow: 'B2B\\TCA\\Wizards\\Workflow\\TerminateWorkflow',
      });
      expect(json<{ isEnabled: boolean }>(await get('/api/v2/my/2fa/google', user)).isEnabled).toBe(false);
    });

    it('disable sms: the wizard sends the SMS; its code turns sms off', async () => {
      const { user, phone } = await withSms();
      const before = h.outbox.smsTo(phone).length;
      const started = json<Envelope>(await get('/api/v2/my/2fa/sms/disable/wizard', user));
      expect(started.workflow).toBe('2fa_sms');
      expect(h.outbox.smsTo(phone)).toHaveLength(before + 1);
      const done = await step(user, { uuid: started.uuid, action: 'code', code: h.outbox.lastSmsCode(phone) });
      expect(done.statusCode).toBe(202);
      expect(json<{ isEnabled: boolean }>(await get('/api/v2/my/2fa/sms', user)).isEnabled).toBe(false);
    });

    it("another user's or an unknown uuid is 404; a step without phone or action is 400", async () => {
      const owner = await createSignedInUser(h);
      const other = await createSignedInUser(h);
      const started = json<Envelope>(await get('/api/v2/my/2fa/google/enable/wizard', owner));
      const foreign = await step(other, { uuid: started.uuid, action: 'code', code: '123456' });
      expect(foreign.statusCode).toBe(404);
      expect(json(foreign)).toEqual({ code: 404, message: expect.any(String), errors: {} });
      expect(
        (await step(owner, { uuid: '00000000-0000-4000-8000-000000000000', action: 'code', code: '123456' }))
          .statusCode,
      ).toBe(404);
      const empty = await step(owner, { uuid: started.uuid });
      expect(empty.statusCode).toBe(400);
      expect(json(empty)).toEqual({
        code: 400,
        message: expect.any(String),
        errors: { 'body.action': [expect.any(String)] },
      });
      const wrongType = await get('/api/v2/my/2fa/email/enable/wizard', owner);
      expect(wrongType.statusCode).toBe(400);
    });
  });

  describe('challenges and success tokens (5.2)', () => {
    const CHALLENGE = {
      token: expect.stringMatching(UUID),
      expiresAt: expect.stringMatching(B2CORE_TIME),
      type: 'email',
      sentAt: expect.stringMatching(B2CORE_TIME),
      recipient: expect.stringMatching(/^.\*\*\*@example\.test$/),
    };
    const changePassword = (user: SignedInUser, successToken: string | undefined, password: string) =>
      post(
        '/api/v2/my/password/change',
        { password },
        {
          ...bearer(user.accessToken),
          ...(successToken ? { successToken } : {}),
        },
      );
    const restore = (successToken: string, password: string) =>
      post('/api/v2/my/password/restore', { password }, { successToken });

    async function successTokenFor(user: SignedInUser): Promise<string> {
      const started = json<{ token: string }>(
        await h.app.inject({ url: '/api/v2/my/2fa/challenge', headers: bearer(user.accessToken) }),
      );
      const confirmed = await post(
        '/api/v2/my/2fa/challenge',
        { token: started.token, code: h.outbox.lastEmailCode(user.email) },
        bearer(user.accessToken),
      );
      expect(confirmed.statusCode).toBe(200);
      return json<{ successToken: string }>(confirmed).successToken;
    }

    async function emailCode(address: string): Promise<string> {
      return vi.waitFor(() => h.outbox.lastEmailCode(address), { timeout: 5_000, interval: 10 });
    }

    it('GET /2fa/challenge sends a code by e-mail; POST it back: {token, successToken, expiresAt}; the password changes (204)', async () => {
      const user = await createSignedInUser(h);
      const response = await h.app.inject({ url: '/api/v2/my/2fa/challenge', headers: bearer(user.accessToken) });
      expect(response.statusCode).toBe(200);
      const started = json<{ token: string }>(response);
      expect(started).toEqual(CHALLENGE);
      const code = h.outbox.lastEmailCode(user.email);
      const wrong = await post(
        '/api/v2/my/2fa/challenge',
        { token: started.token, code: wrongCode(code) },
        bearer(user.accessToken),
      );
      expect(wrong.statusCode).toBe(422);
      const confirmed = await post(
        '/api/v2/my/2fa/challenge',
        { token: started.token, code },
        bearer(user.accessToken),
      );
      expect(confirmed.statusCode).toBe(200);
      const body = json<{ token: string; successToken: string; expiresAt: string }>(confirmed);
      expect(body).toEqual({
        token: expect.any(String),
        successToken: expect.any(String),
        expiresAt: expect.stringMatching(B2CORE_TIME),
      });
      expect(body.token).toBe(body.successToken);

      const changed = await changePassword(user, body.successToken, 'a brand new password');
      expect(changed.statusCode).toBe(204);
      expect(changed.body).toBe('');
      const oldPassword = await signIn(user);
      expect(oldPassword.statusCode).toBe(401);
      expect((await signIn({ ...user, password: 'a brand new password' })).statusCode).toBe(202);
    });

    it('a success token is single use, bound to its account, and expires; without the header it is 400', async () => {
      const user = await createSignedInUser(h);
      const other = await createSignedInUser(h);
      expect((await changePassword(user, undefined, 'another new password')).statusCode).toBe(400);
      const token = await successTokenFor(user);
      const foreign = await changePassword(other, token, 'another new password');
      expect(foreign.statusCode).toBe(400);
      expect(json(foreign)).toEqual({ code: 400, message: expect.any(String), errors: {} });
      expect((await changePassword(user, token, 'another new password')).statusCode).toBe(204);
      expect((await changePassword(user, token, 'yet another password')).statusCode).toBe(400);
      // Past the wait between two codes to one address.
      h.clock.advanceSeconds(120);
      const late = await successTokenFor(user);
      h.clock.advanceSeconds(5 * 60 + 1);
      expect((await changePassword(user, late, 'yet another password')).statusCode).toBe(400);
    });

    it('a success token for a password change does not restore a password (wrong operation)', async () => {
      const user = await createSignedInUser(h);
      const token = await successTokenFor(user);
      expect((await restore(token, 'restored password here')).statusCode).toBe(400);
    });

    it('?type=google proves with the authenticator: no send, sentAt and recipient null', async () => {
      const { user, secret } = await withTotp();
      const response = await h.app.inject({
        url: '/api/v2/my/2fa/challenge?type=google',
        headers: bearer(user.accessToken),
      });
      expect(response.statusCode).toBe(200);
      const started = json<{ token: string }>(response);
      expect(started).toEqual({ ...CHALLENGE, type: 'google', sentAt: null, recipient: null });
      const confirmed = await post(
        '/api/v2/my/2fa/challenge',
        { token: started.token, code: oathtoolCode(secret, h.clock.now()) },
        bearer(user.accessToken),
      );
      expect(confirmed.statusCode).toBe(200);
      expect(
        (await h.app.inject({ url: '/api/v2/my/2fa/challenge?type=fax', headers: bearer(user.accessToken) }))
          .statusCode,
      ).toBe(400);
    });

    it("another user's challenge token is 404", async () => {
      const user = await createSignedInUser(h);
      const other = await createSignedInUser(h);
      const started = json<{ token: string }>(
        await h.app.inject({ url: '/api/v2/my/2fa/challenge', headers: bearer(user.accessToken) }),
      );
      const response = await post(
        '/api/v2/my/2fa/challenge',
        { token: started.token, code: h.outbox.lastEmailCode(user.email) },
        bearer(other.accessToken),
      );
      expect(response.statusCode).toBe(404);
    });

    it('the unauthorized challenge answers alike for a known and an unknown e-mail; its token restores the password', async () => {
      const user = await createSignedInUser(h);
      const known = await h.app.inject({
        url: `/api/v2/my/2fa/unauthorized/challenge?email=${encodeURIComponent(user.email)}`,
      });
      const unknown = await h.app.inject({ url: '/api/v2/my/2fa/unauthorized/challenge?email=nobody%40example.test' });
      expect(known.statusCode).toBe(200);
      expect(unknown.statusCode).toBe(200);
      expect(json(known)).toEqual(CHALLENGE);
      expect(json(unknown)).toEqual(CHALLENGE);
      expect(Object.keys(json(known))).toEqual(Object.keys(json(unknown)));
      expect(json<{ recipient: string }>(unknown).recipient).toBe('n***@example.test');

      const token = json<{ token: string }>(known).token;
      const code = await emailCode(user.email);
      expect((await post('/api/v2/my/2fa/challenge', { token, code: wrongCode(code) })).statusCode).toBe(422);
      const confirmed = await post('/api/v2/my/2fa/challenge', { token, code });
      expect(confirmed.statusCode).toBe(200);
      const { successToken } = json<{ successToken: string }>(confirmed);
      const restored = await restore(successToken, 'restored password here');
      expect(restored.statusCode).toBe(204);
      expect((await restore(successToken, 'restored password again')).statusCode).toBe(400);
      expect((await signIn({ ...user, password: 'restored password here' })).statusCode).toBe(202);
      expect((await h.app.inject({ url: '/api/v2/my/2fa/unauthorized/challenge' })).statusCode).toBe(400);
    });
  });

  describe('change history (5.5)', () => {
    interface Change {
      id: number;
      provider: string;
      isEnabled: boolean;
      time: string;
    }
    const changes = async (user: SignedInUser, query = '') => {
      const response = await h.app.inject({ url: `/api/v2/my/2fa/changes${query}`, headers: bearer(user.accessToken) });
      return { status: response.statusCode, body: json<{ total: number; data: Change[] }>(response) };
    };

    /** google on, sms on, google off: a minute apart each, through the B2Core wizards. */
    async function userWithHistory() {
      const user = await createSignedInUser(h);
      const auth = bearer(user.accessToken);
      const times: string[] = [];
      const started = json<Envelope<{ key: string }>>(
        await h.app.inject({ url: '/api/v2/my/2fa/google/enable/wizard', headers: auth }),
      );
      times.push(h.clock.now().toISOString());
      const key = started.data.key;
      await post(
        '/api/v2/my/2fa/wizard',
        { uuid: started.uuid, action: 'code', code: oathtoolCode(key, h.clock.now()), key },
        auth,
      );
      h.clock.advanceSeconds(60);
      times.push(h.clock.now().toISOString());
      const phone = uniquePhone();
      const phoneStep = json<Envelope>(await post('/api/v2/my/2fa/wizard', { uuid: started.uuid, phone }, auth));
      await post(
        '/api/v2/my/2fa/wizard',
        { uuid: phoneStep.uuid, action: 'code', code: h.outbox.lastSmsCode(phone) },
        auth,
      );
      h.clock.advanceSeconds(60);
      times.push(h.clock.now().toISOString());
      const disable = json<Envelope>(
        await h.app.inject({ url: '/api/v2/my/2fa/google/disable/wizard', headers: auth }),
      );
      const done = await post(
        '/api/v2/my/2fa/wizard',
        { uuid: disable.uuid, action: 'code', code: oathtoolCode(key, h.clock.now()) },
        auth,
      );
      expect(done.statusCode).toBe(202);
      h.clock.advanceSeconds(60);
      return { user, times };
    }

    it('lists the changes newest first: {total, data: [{id, provider, isEnabled, time}]}', async () => {
      const { user, times } = await userWithHistory();
      const { status, body } = await changes(user);
      expect(status).toBe(200);
      expect(body.total).toBe(3);
      expect(body.data).toEqual([
        { id: expect.any(Number), provider: 'google', isEnabled: false, time: expect.stringMatching(B2CORE_TIME) },
        { id: expect.any(Number), provider: 'sms', isEnabled: true, time: expect.stringMatching(B2CORE_TIME) },
        { id: expect.any(Number), provider: 'google', isEnabled: true, time: expect.stringMatching(B2CORE_TIME) },
      ]);
      // Integers, as the vendor's document shows them (`"id": 1`): unique, increasing in the order recorded.
      const ids = body.data.map((change) => change.id);
      for (const id of ids) expect(Number.isSafeInteger(id) && id > 0).toBe(true);
      expect([...ids].sort((a, b) => a - b)).toEqual([...ids].reverse());
      expect(new Set(ids).size).toBe(3);
      // B2Core's times are to the second.
      const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000) * 1000;
      expect(body.data.map((change) => Date.parse(change.time))).toEqual([...times].reverse().map(seconds));
      const one = await h.app.inject({
        url: `/api/v2/my/2fa/changes/${body.data[1]?.id}`,
        headers: bearer(user.accessToken),
      });
      expect(one.statusCode).toBe(200);
      expect(json(one)).toEqual(body.data[1]);
    });

    it('filters, sorts and pages', async () => {
      const { user, times } = await userWithHistory();
      const asc = await changes(user, '?sort_by=time&sort_order=asc');
      expect(asc.body.data.map((c) => `${c.provider}:${c.isEnabled}`)).toEqual([
        'google:true',
        'sms:true',
        'google:false',
      ]);
      const google = await changes(user, '?filter[provider]=google');
      expect(google.body.total).toBe(2);
      expect(google.body.data.map((c) => c.provider)).toEqual(['google', 'google']);
      const off = await changes(user, '?filter%5BisEnabled%5D=false');
      expect(off.body.data.map((c) => `${c.provider}:${c.isEnabled}`)).toEqual(['google:false']);
      const on = await changes(user, '?filter[isEnabled]=1');
      expect(on.body.total).toBe(2);
      const from = encodeURIComponent(times[1] ?? '');
      const to = encodeURIComponent(times[1] ?? '');
      const window = await changes(user, `?filter[timeFrom]=${from}&filter[timeTo]=${to}`);
      expect(window.body.data.map((c) => c.provider)).toEqual(['sms']);
      const page = await changes(user, '?limit=1&offset=1&sort_order=asc');
      expect(page.body.total).toBe(3);
      expect(page.body.data.map((c) => c.provider)).toEqual(['sms']);
    });

    it('answers bad values with 400 naming the key, never 500', async () => {
      const user = await createSignedInUser(h);
      const bad = [
        ['limit=0', 'querystring.limit'],
        ['limit=abc', 'querystring.limit'],
        ['limit=101', 'querystring.limit'],
        ['offset=-1', 'querystring.offset'],
        ['sort_order=up', 'querystring.sort_order'],
        ['sort_by=id', 'querystring.sort_by'],
        ['filter[isEnabled]=maybe', 'querystring.filter[isEnabled]'],
        ['filter[timeFrom]=yesterday', 'querystring.filter[timeFrom]'],
        ['filter[timeTo]=2026-02-31T00:00:00Z', 'querystring.filter[timeTo]'],
        ['filter[provider]=fax', 'querystring.filter[provider]'],
      ] as const;
      for (const [query, field] of bad) {
        const response = await h.app.inject({
          url: `/api/v2/my/2fa/changes?${query}`,
          headers: bearer(user.accessToken),
        });
        expect(response.statusCode, query).toBe(400);
        expect(json(response), query).toEqual({
          code: 400,
          message: expect.any(String),
          errors: { [field]: [expect.any(String)] },
        });
      }
    });

    it("another user's change, an unknown id and a malformed id are 404", async () => {
      const { user } = await userWithHistory();
      const other = await createSignedInUser(h);
      const id = (await changes(user)).body.data[0]?.id;
      for (const changeId of [
        String(id),
        '99999999',
        '0',
        '-1',
        '1.5',
        '00000000-0000-4000-8000-000000000000',
        'not-an-id',
      ]) {
        const response = await h.app.inject({
          url: `/api/v2/my/2fa/changes/${changeId}`,
          headers: bearer(other.accessToken),
        });
        expect(response.statusCode, changeId).toBe(404);
        expect(json(response)).toEqual({ code: 404, message: expect.any(String), errors: {} });
      }
      expect((await changes(other)).body).toEqual({ total: 0, data: [] });
    });
  });

  it('is described by its own OpenAPI document', async () => {
    const response = await h.app.inject({ url: '/openapi/b2core.json' });
    expect(response.statusCode).toBe(200);
    const doc = json<{ paths: Record<string, Record<string, { operationId?: string }>> }>(response);
    expect(doc.paths['/api/v2/my/signin/wizard']?.get?.operationId).toBe('signInWizard');
    expect(doc.paths['/api/v2/my/signin']?.post?.operationId).toBe('signIn');
    expect(doc.paths['/api/v2/my/2fa/google']?.post?.operationId).toBe('signInGoogle');
  });
});
