import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtoolCode } from '../support/external-tools.js';
import { bearer, createHarness, createSignedInUser, type Harness, json } from '../support/harness.js';
import { wrongCode } from '../support/totp-user.js';

/**
 * One user, one set of factors, whichever API shape is used: what one dialect enrolls, another
 * and the native API verify; a code spent through one is spent for all; failures through one
 * count toward the lockout of all; the history shows every change.
 */
describe('across dialects and the native API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function vpsbgUser() {
    const user = await createSignedInUser(h);
    const { token } = await h.core.apiTokens.issue(user.id, 'vpsbg', 'write');
    const headers = bearer(token);
    return {
      user,
      getSecret: async () =>
        json<{ secret_key: string }>(await h.app.inject({ method: 'GET', url: '/v1/user/2fa', headers })).secret_key,
      enable: (otp: number, secret: string) =>
        h.app.inject({ method: 'POST', url: '/v1/user/2fa', headers, payload: { otp, secret_key: secret } }),
      disable: (otp: number) => h.app.inject({ method: 'DELETE', url: '/v1/user/2fa', headers, payload: { otp } }),
    };
  }

  const mudbaseLogin = (email: string, password: string, totpToken: string) =>
    h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password, totpToken } });

  it('enrolled through VPSBG, verified through Mudbase and the native API; a code spent in one is spent in all', async () => {
    const v = await vpsbgUser();
    const secret = await v.getSecret();
    expect((await v.enable(Number(oathtoolCode(secret, h.clock.now())), secret)).statusCode).toBe(204);
    h.clock.advanceSeconds(30);

    const code = oathtoolCode(secret, h.clock.now());
    expect((await mudbaseLogin(v.user.email, v.user.password, code)).statusCode).toBe(200);
    // The same code, now through the native API and back through VPSBG: replayed everywhere.
    const native = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/verify',
      headers: bearer(v.user.accessToken),
      payload: { code },
    });
    expect(json(native)).toEqual({ valid: false });
    expect((await v.disable(Number(code))).statusCode).toBe(422);

    h.clock.advanceSeconds(30);
    const next = oathtoolCode(secret, h.clock.now());
    const verified = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/verify',
      headers: bearer(v.user.accessToken),
      payload: { code: next },
    });
    expect(json(verified)).toEqual({ valid: true });
  });

  it('enrolled through Mudbase, disabled through VPSBG, with both changes in the history', async () => {
    const v = await vpsbgUser();
    const setup = json<{ secret: string }>(
      await h.app.inject({ method: 'POST', url: '/api/users/2fa/setup', headers: bearer(v.user.accessToken) }),
    );
    const verified = await h.app.inject({
      method: 'POST',
      url: '/api/users/2fa/verify',
      headers: bearer(v.user.accessToken),
      payload: { token: oathtoolCode(setup.secret, h.clock.now()) },
    });
    expect(verified.statusCode).toBe(200);
    h.clock.advanceSeconds(30);
    expect((await v.disable(Number(oathtoolCode(setup.secret, h.clock.now())))).statusCode).toBe(204);

    const history = json<{ items: { method: string; action: string }[] }>(
      await h.app.inject({ url: '/api/v1/me/2fa/history?order=asc', headers: bearer(v.user.accessToken) }),
    );
    // Each pair was written at one moment: compare each pair as a set.
    const changes = history.items.map((e) => `${e.method}:${e.action}`);
    expect(changes.slice(0, 2).sort()).toEqual(['backup_codes:enable', 'totp:enable']);
    expect(changes.slice(2).sort()).toEqual(['backup_codes:disable', 'totp:disable']);
  });

  it('failures through one dialect count toward the lockout seen through the others', async () => {
    const v = await vpsbgUser();
    const secret = await v.getSecret();
    expect((await v.enable(Number(oathtoolCode(secret, h.clock.now())), secret)).statusCode).toBe(204);
    h.clock.advanceSeconds(30);
    const code = oathtoolCode(secret, h.clock.now());
    for (let i = 0; i < 3; i++) expect((await v.disable(Number(wrongCode(code)))).statusCode).toBe(422);
    for (let i = 0; i < 2; i++) {
      const response = await mudbaseLogin(v.user.email, v.user.password, wrongCode(code));
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
    }
    // Five failures across two dialects: the right code is refused everywhere now.
    expect((await mudbaseLogin(v.user.email, v.user.password, code)).statusCode).toBe(429);
    expect((await v.disable(Number(code))).statusCode).toBe(423);
    const native = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/verify',
      headers: bearer(v.user.accessToken),
      payload: { code },
    });
    expect(native.statusCode).toBe(429);
  });

  it('enrolled through UAPI, removed by an admin through WHM: gone for VPSBG, Mudbase and the native API', async () => {
    const user = await createSignedInUser(h);
    const cpanel = {
      authorization: `cpanel ${user.username}:${(await h.core.apiTokens.issue(user.id, 'uapi', 'write')).token}`,
    };
    const generated = json<{ result: { data: { secret: string } } }>(
      await h.app.inject({ url: '/execute/TwoFactorAuth/generate_user_configuration', headers: cpanel }),
    );
    const secret = generated.result.data.secret;
    const set = await h.app.inject({
      url: `/execute/TwoFactorAuth/set_user_configuration?secret=${secret}&tfa_token=${oathtoolCode(secret, h.clock.now())}`,
      headers: cpanel,
    });
    expect(json<{ result: { status: number } }>(set).result.status).toBe(1);
    h.clock.advanceSeconds(30);
    // Mudbase asks for the code now.
    expect(
      (
        await h.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: user.email, password: user.password },
        })
      ).statusCode,
    ).toBe(401);

    const admin = await createSignedInUser(h, { role: 'admin' });
    const whm = {
      authorization: `whm ${admin.username}:${(await h.core.apiTokens.issue(admin.id, 'whm', 'write')).token}`,
    };
    const removed = json<{ data: { users_modified: string[] } }>(
      await h.app.inject({ url: `/json-api/twofactorauth_remove_user_config?user=${user.username}`, headers: whm }),
    );
    expect(removed.data.users_modified).toEqual([user.username]);

    const code = oathtoolCode(secret, h.clock.now());
    // VPSBG: nothing to disable, and a new key may be asked for (409 while TOTP was on).
    const { token } = await h.core.apiTokens.issue(user.id, 'vpsbg', 'write');
    expect(
      (
        await h.app.inject({
          method: 'DELETE',
          url: '/v1/user/2fa',
          headers: bearer(token),
          payload: { otp: Number(code) },
        })
      ).statusCode,
    ).toBe(422);
    expect((await h.app.inject({ method: 'GET', url: '/v1/user/2fa', headers: bearer(token) })).statusCode).toBe(200);
    // Mudbase: a password signs in alone again.
    const login = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: user.email, password: user.password },
    });
    expect(login.statusCode).toBe(200);
    expect(json<{ user: { twoFactorEnabled: boolean } }>(login).user.twoFactorEnabled).toBe(false);
    // Native: no factor, and the old code checks nothing.
    const accessToken = json<{ token: string }>(login).token;
    expect(
      json<{ methods: string[] }>(await h.app.inject({ url: '/api/v1/me/2fa', headers: bearer(accessToken) })).methods,
    ).toEqual([]);
    expect(
      (
        await h.app.inject({
          method: 'POST',
          url: '/api/v1/me/verify',
          headers: bearer(accessToken),
          payload: { code },
        })
      ).statusCode,
    ).not.toBe(200);
  });

  it('enrolled through the B2Core wizard: a code spent in its sign-in is refused by VPSBG; Mudbase signs in with the next', async () => {
    const v = await vpsbgUser();
    const auth = bearer(v.user.accessToken);
    const started = json<{ uuid: string; data: { key: string } }>(
      await h.app.inject({ url: '/api/v2/my/2fa/google/enable/wizard', headers: auth }),
    );
    const key = started.data.key;
    const enabled = await h.app.inject({
      method: 'POST',
      url: '/api/v2/my/2fa/wizard',
      headers: auth,
      payload: { uuid: started.uuid, action: 'code', code: oathtoolCode(key, h.clock.now()), key },
    });
    expect(enabled.statusCode).toBe(202);
    h.clock.advanceSeconds(30);

    const fingerprint = Buffer.from(JSON.stringify({ user_agent: 'test' })).toString('base64');
    const signIn = json<{ uuid: string; workflow: string }>(
      await h.app.inject({
        method: 'POST',
        url: '/api/v2/my/signin',
        payload: {
          uuid: '00000000-0000-4000-8000-000000000001',
          email: v.user.email,
          password: v.user.password,
          device_fingerprint: fingerprint,
        },
      }),
    );
    expect(signIn.workflow).toBe('2fa_google_auth');
    const code = oathtoolCode(key, h.clock.now());
    const signedIn = await h.app.inject({
      method: 'POST',
      url: '/api/v2/my/2fa/google',
      payload: { uuid: signIn.uuid, code },
    });
    expect(signedIn.statusCode).toBe(202);
    expect((await v.disable(Number(code))).statusCode).toBe(422);

    h.clock.advanceSeconds(30);
    expect((await mudbaseLogin(v.user.email, v.user.password, oathtoolCode(key, h.clock.now()))).statusCode).toBe(200);
  });

  it('a code spent through UAPI’s X-CPANEL-OTP is refused by WHM’s, and by Mudbase', async () => {
    const user = await createSignedInUser(h);
    const cpanel = {
      authorization: `cpanel ${user.username}:${(await h.core.apiTokens.issue(user.id, 'uapi', 'write')).token}`,
    };
    const generated = json<{ result: { data: { secret: string } } }>(
      await h.app.inject({ url: '/execute/TwoFactorAuth/generate_user_configuration', headers: cpanel }),
    );
    const secret = generated.result.data.secret;
    await h.app.inject({
      url: `/execute/TwoFactorAuth/set_user_configuration?secret=${secret}&tfa_token=${oathtoolCode(secret, h.clock.now())}`,
      headers: cpanel,
    });
    h.clock.advanceSeconds(30);
    const code = oathtoolCode(secret, h.clock.now());
    const headers = {
      authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`,
      'x-cpanel-otp': code,
    };
    const uapi = await h.app.inject({ url: '/execute/TwoFactorAuth/get_user_configuration', headers });
    expect(uapi.statusCode, uapi.body).toBe(200);
    const whm = await h.app.inject({ url: '/json-api/twofactorauth_get_issuer', headers });
    expect(whm.statusCode).toBe(403);
    expect(json<{ metadata: { reason: string } }>(whm).metadata.reason).toMatch(/X-CPANEL-OTP refused/);
    expect((await mudbaseLogin(user.email, user.password, code)).statusCode).not.toBe(200);
  });
  it('enrolled through Twilio Verify: verified by the native API for its externalId; a code spent in one is refused by the other', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const { token } = await h.core.apiTokens.issue(admin.id, 'twilio', 'write');
    const basic = {
      authorization: `Basic ${Buffer.from(`AC${admin.id.replaceAll('-', '')}:${token}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    };
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const service = json<{ sid: string }>(
      await h.app.inject({
        method: 'POST',
        url: '/v2/Services',
        headers: basic,
        payload: form({ FriendlyName: 'Shop' }),
      }),
    );
    const identity = `shop-user-${Date.now()}`;
    const factors = `/v2/Services/${service.sid}/Entities/${identity}/Factors`;
    const factor = json<{ sid: string; binding: { secret: string } }>(
      await h.app.inject({
        method: 'POST',
        url: factors,
        headers: basic,
        payload: form({ FriendlyName: 'Phone', FactorType: 'totp' }),
      }),
    );
    const secret = factor.binding.secret;
    const verified = await h.app.inject({
      method: 'POST',
      url: `${factors}/${factor.sid}`,
      headers: basic,
      payload: form({ AuthPayload: oathtoolCode(secret, h.clock.now()) }),
    });
    expect(json<{ status: string }>(verified).status).toBe('verified');

    // The native server-to-server check finds the same factor by the identity as externalId.
    h.clock.advanceSeconds(30);
    const code = oathtoolCode(secret, h.clock.now());
    const nativeVerify = (c: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/verify',
        headers: bearer(token),
        payload: { externalId: identity, code: c },
      });
    expect(json(await nativeVerify(code))).toEqual({ valid: true });
    const challenge = (c: string) =>
      h.app.inject({
        method: 'POST',
        url: `/v2/Services/${service.sid}/Entities/${identity}/Challenges`,
        headers: basic,
        payload: form({ FactorSid: factor.sid, AuthPayload: c }),
      });
    expect(json<{ status: string }>(await challenge(code)).status).toBe('pending');

    h.clock.advanceSeconds(30);
    const next = oathtoolCode(secret, h.clock.now());
    expect(json<{ status: string }>(await challenge(next)).status).toBe('approved');
    expect(json(await nativeVerify(next))).toEqual({ valid: false });
  });
});
