import { DEFAULT_TOTP_PARAMS, decodeBase32, parseOtpauthUri, totpAt } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, enrollTotp, type Harness, json, signUpAndSignIn } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

describe('TOTP enrollment and sign-in (native API)', () => {
  it('begins a pending enrollment with secret, otpauth URI and QR codes', async () => {
    const { accessToken, username } = await signUpAndSignIn(h.app);
    const begun = await h.app.inject({ method: 'POST', url: '/api/v1/me/factors/totp', headers: bearer(accessToken) });
    expect(begun.statusCode).toBe(201);
    const body = json<{
      factor: { status: string; method: string };
      secret: string;
      otpauthUri: string;
      qrPngDataUrl: string;
      qrSvg: string;
    }>(begun);
    expect(body.factor).toMatchObject({ status: 'pending', method: 'totp' });
    expect(decodeBase32(body.secret)).toHaveLength(20);
    expect(parseOtpauthUri(body.otpauthUri)).toEqual({
      issuer: 'Tessera Test',
      accountName: username,
      secret: body.secret,
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
    expect(body.qrPngDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(body.qrSvg).toMatch(/^<svg/);

    // Pending is not active: signing in still needs no code.
    const signIn = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username, password: 'correct horse battery' },
    });
    expect(json(signIn)).toMatchObject({ status: 'signed_in' });
  });

  it('a wrong code does not activate; the right one does; then sign-in needs a code', async () => {
    const { accessToken, username, password } = await signUpAndSignIn(h.app);
    const begun = json<{ factor: { id: string }; secret: string }>(
      await h.app.inject({ method: 'POST', url: '/api/v1/me/factors/totp', headers: bearer(accessToken) }),
    );
    const key = decodeBase32(begun.secret);
    const now = () => Math.floor(h.clock.now().getTime() / 1000);
    const right = totpAt(key, now(), { algorithm: 'SHA1', digits: 6, period: 30 });
    const wrong = right === '000000' ? '111111' : '000000';

    const refused = await h.app.inject({
      method: 'POST',
      url: `/api/v1/me/factors/${begun.factor.id}/confirm`,
      headers: bearer(accessToken),
      payload: { code: wrong },
    });
    expect(refused.statusCode).toBe(422);
    expect(json(refused)).toMatchObject({ error: { code: 'CODE_INVALID' } });

    const confirmed = await h.app.inject({
      method: 'POST',
      url: `/api/v1/me/factors/${begun.factor.id}/confirm`,
      headers: bearer(accessToken),
      payload: { code: right },
    });
    expect(confirmed.statusCode).toBe(200);
    expect(json(confirmed)).toMatchObject({ status: 'active', details: { algorithm: 'SHA1', digits: 6, period: 30 } });

    const signIn = json<{ status: string; flowId: string; methods: string[] }>(
      await h.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password } }),
    );
    expect(signIn).toMatchObject({ status: 'second_factor_required', methods: ['totp'] });
    expect(signIn).not.toHaveProperty('tokens');

    // The code that confirmed the enrollment is used up; the next step's code works.
    const reuse = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/sign-in/${signIn.flowId}/second-factor`,
      payload: { code: right },
    });
    expect(json(reuse)).toMatchObject({ error: { code: 'CODE_INVALID' } });
    h.clock.advanceSeconds(30);
    const done = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/sign-in/${signIn.flowId}/second-factor`,
      payload: { code: totpAt(key, now(), { algorithm: 'SHA1', digits: 6, period: 30 }) },
    });
    expect(done.statusCode).toBe(200);
    expect(json(done)).toHaveProperty('accessToken');

    // A finished flow cannot be used again.
    h.clock.advanceSeconds(30);
    const again = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/sign-in/${signIn.flowId}/second-factor`,
      payload: { code: totpAt(key, now(), { algorithm: 'SHA1', digits: 6, period: 30 }) },
    });
    expect(json(again)).toMatchObject({ error: { code: 'FLOW_FINISHED' } });
  });

  it('a sign-in flow expires after five minutes and fails after five wrong codes', async () => {
    const { accessToken, username, password } = await signUpAndSignIn(h.app);
    const totp = await enrollTotp(h.app, accessToken, h.clock.now());
    const start = async () =>
      json<{ flowId: string }>(
        await h.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password } }),
      ).flowId;

    const expiring = await start();
    h.clock.advanceSeconds(301);
    const late = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/sign-in/${expiring}/second-factor`,
      payload: { code: totp.codeAt(h.clock.now()) },
    });
    expect(late.statusCode).toBe(410);
    expect(json(late)).toMatchObject({ error: { code: 'FLOW_EXPIRED' } });

    const unknown = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in/00000000-0000-4000-8000-000000000000/second-factor',
      payload: { code: '123456' },
    });
    expect(json(unknown)).toMatchObject({ error: { code: 'FLOW_NOT_FOUND' } });
  });

  it('lists factors, refuses a second authenticator and removes one only with a current code', async () => {
    const { accessToken } = await signUpAndSignIn(h.app);
    const totp = await enrollTotp(h.app, accessToken, h.clock.now());
    const list = json<{ factors: Array<{ id: string; status: string }> }>(
      await h.app.inject({ method: 'GET', url: '/api/v1/me/factors', headers: bearer(accessToken) }),
    );
    expect(list.factors).toEqual([expect.objectContaining({ id: totp.factorId, status: 'active' })]);
    expect(JSON.stringify(list)).not.toContain(totp.secret);

    const second = await h.app.inject({ method: 'POST', url: '/api/v1/me/factors/totp', headers: bearer(accessToken) });
    expect(json(second)).toMatchObject({ error: { code: 'FACTOR_ALREADY_ACTIVE' } });

    const noCode = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/factors/${totp.factorId}`,
      headers: bearer(accessToken),
      payload: {},
    });
    expect(noCode.statusCode).toBe(400);
    h.clock.advanceSeconds(30);
    const removed = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/factors/${totp.factorId}`,
      headers: bearer(accessToken),
      payload: { code: totp.codeAt(h.clock.now()) },
    });
    expect(removed.statusCode).toBe(204);
    const after = json<{ factors: unknown[] }>(
      await h.app.inject({ method: 'GET', url: '/api/v1/me/factors', headers: bearer(accessToken) }),
    );
    expect(after.factors).toEqual([]);
  });

  it("another account's factor is not found", async () => {
    const alice = await signUpAndSignIn(h.app);
    const mallory = await signUpAndSignIn(h.app);
    const totp = await enrollTotp(h.app, alice.accessToken, h.clock.now());
    h.clock.advanceSeconds(30);
    const attempt = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/factors/${totp.factorId}`,
      headers: bearer(mallory.accessToken),
      payload: { code: totp.codeAt(h.clock.now()) },
    });
    expect(json(attempt)).toMatchObject({ error: { code: 'FACTOR_NOT_FOUND' } });
  });

  it('an enrollment left unconfirmed for ten minutes expires', async () => {
    const { accessToken } = await signUpAndSignIn(h.app);
    const begun = json<{ factor: { id: string }; secret: string }>(
      await h.app.inject({ method: 'POST', url: '/api/v1/me/factors/totp', headers: bearer(accessToken) }),
    );
    h.clock.advanceSeconds(601);
    const code = totpAt(decodeBase32(begun.secret), Math.floor(h.clock.now().getTime() / 1000), {
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
    const late = await h.app.inject({
      method: 'POST',
      url: `/api/v1/me/factors/${begun.factor.id}/confirm`,
      headers: bearer(accessToken),
      payload: { code },
    });
    expect(json(late)).toMatchObject({ error: { code: 'ENROLLMENT_EXPIRED' } });
  });

  it('honours SHA256 / 8 digits / 60 s when asked', async () => {
    const { accessToken } = await signUpAndSignIn(h.app);
    const begun = json<{ factor: { id: string }; secret: string; otpauthUri: string }>(
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/me/factors/totp',
        headers: bearer(accessToken),
        payload: { algorithm: 'SHA256', digits: 8, period: 60 },
      }),
    );
    expect(parseOtpauthUri(begun.otpauthUri)).toMatchObject({ algorithm: 'SHA256', digits: 8, period: 60 });
    const code = totpAt(decodeBase32(begun.secret), Math.floor(h.clock.now().getTime() / 1000), {
      algorithm: 'SHA256',
      digits: 8,
      period: 60,
    });
    const confirmed = await h.app.inject({
      method: 'POST',
      url: `/api/v1/me/factors/${begun.factor.id}/confirm`,
      headers: bearer(accessToken),
      payload: { code },
    });
    expect(confirmed.statusCode).toBe(200);
  });

  it('says when the app ignored the settings asked for, and switches the enrollment to the defaults', async () => {
    const { accessToken } = await signUpAndSignIn(h.app);
    const begun = json<{ factor: { id: string }; secret: string }>(
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/me/factors/totp',
        headers: bearer(accessToken),
        payload: { algorithm: 'SHA512', digits: 8, period: 60 },
      }),
    );
    // What Google Authenticator shows for that URI: a SHA1, 6-digit, 30-second code.
    const code = totpAt(decodeBase32(begun.secret), Math.floor(h.clock.now().getTime() / 1000), DEFAULT_TOTP_PARAMS);
    const confirm = () =>
      h.app.inject({
        method: 'POST',
        url: `/api/v1/me/factors/${begun.factor.id}/confirm`,
        headers: bearer(accessToken),
        payload: { code },
      });
    const refused = await confirm();
    expect(refused.statusCode).toBe(422);
    expect(json(refused)).toMatchObject({ error: { code: 'TOTP_SETTINGS_IGNORED' } });

    const switched = await h.app.inject({
      method: 'POST',
      url: `/api/v1/me/factors/${begun.factor.id}/use-default-settings`,
      headers: bearer(accessToken),
    });
    expect(switched.statusCode).toBe(200);
    const body = json<{ secret: string; otpauthUri: string; params: object }>(switched);
    expect(body.secret).toBe(begun.secret);
    expect(body.params).toEqual({ algorithm: 'SHA1', digits: 6, period: 30 });
    expect(parseOtpauthUri(body.otpauthUri)).toMatchObject({ algorithm: 'SHA1', digits: 6, period: 30 });
    const confirmed = await confirm();
    expect(confirmed.statusCode).toBe(200);
    expect(json(confirmed)).toMatchObject({ status: 'active', details: { algorithm: 'SHA1', digits: 6 } });
  });
});

describe('how long the codes are', () => {
  it('the sign-in step and a step-up say how many digits the code has, 8 for an 8-digit app', async () => {
    const user = await signUpAndSignIn(h.app, `digits${Date.now().toString(36)}`, 'correct horse battery');
    await enrollTotp(h.app, user.accessToken, h.clock.now(), { digits: 8 });
    const signIn = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: user.username, password: 'correct horse battery' },
    });
    expect(json(signIn)).toMatchObject({ status: 'second_factor_required', codeDigits: { totp: 8 } });
    const challenge = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/challenges',
      headers: bearer(user.accessToken),
      payload: { operation: 'change_password', method: 'totp' },
    });
    expect(challenge.statusCode, challenge.body).toBe(201);
    expect(json(challenge)).toMatchObject({ method: 'totp', codeDigits: 8 });
  });
});
