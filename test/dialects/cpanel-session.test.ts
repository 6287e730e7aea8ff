import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtoolCode } from '../support/external-tools.js';
import { createHarness, createSignedInUser, type Harness, json, type SignedInUser } from '../support/harness.js';
import { wrongCode } from '../support/totp-user.js';

interface LoginAnswer {
  status: 0 | 1;
  security_token?: string;
  redirect?: string;
  message?: string;
}

const IDLE_SECONDS = 600;

/** cPanel's `/login/?login_only=1` session: a cookie, and the `/cpsess<10 digits>` prefix of its URLs. */
describe('cPanel /login sessions and the /cpsess prefix', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ cookieSessionIdleSeconds: IDLE_SECONDS });
  });
  afterAll(async () => {
    await h.close();
  });

  function login(fields: Record<string, string>, on: Harness = h): Promise<LightMyRequestResponse> {
    return on.app.inject({
      method: 'POST',
      url: '/login/?login_only=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
      remoteAddress: '203.0.113.9',
    });
  }

  interface Session {
    prefix: string;
    cookie: string;
  }

  /** A successful login: the answer's fields and the cookie, checked. */
  function sessionOf(response: LightMyRequestResponse): Session {
    expect(response.statusCode, response.body).toBe(200);
    const answer = json<LoginAnswer>(response);
    expect(Object.keys(answer).sort()).toEqual(['redirect', 'security_token', 'status']);
    expect(answer.status).toBe(1);
    expect(answer.security_token).toMatch(/^\/cpsess\d{10}$/);
    expect(answer.redirect).toBe(`${answer.security_token}/`);
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/^cpsession=tsc_[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Strict$/);
    return { prefix: answer.security_token ?? '', cookie: setCookie.split(';')[0] ?? '' };
  }

  /** A refused login: `{status: 0, message}`, 401 unless given, and no cookie. */
  function refused(response: LightMyRequestResponse, message: RegExp, status = 401): void {
    expect(response.statusCode, response.body).toBe(status);
    const answer = json<LoginAnswer>(response);
    expect(Object.keys(answer).sort()).toEqual(['message', 'status']);
    expect(answer.status).toBe(0);
    expect(answer.message).toMatch(message);
    expect(response.headers['set-cookie']).toBeUndefined();
  }

  function whm(session: Session, fn = 'twofactorauth_get_issuer', on: Harness = h) {
    return on.app.inject({ url: `${session.prefix}/json-api/${fn}`, headers: { cookie: session.cookie } });
  }

  function uapi(session: Session, func = 'get_user_configuration') {
    return h.app.inject({
      url: `${session.prefix}/execute/TwoFactorAuth/${func}`,
      headers: { cookie: session.cookie },
    });
  }

  function whmResult(response: LightMyRequestResponse): number {
    return json<{ metadata: { result: number } }>(response).metadata.result;
  }

  /** A user with an authenticator, enabled through WHM with an API token; the confirming code is spent. */
  async function withTotp(): Promise<{ user: SignedInUser; secret: string }> {
    const user = await createSignedInUser(h);
    const { token } = await h.core.apiTokens.issue(user.id, 'setup', 'write');
    const headers = { authorization: `whm ${user.username}:${token}` };
    const generated = json<{ data: { secret: string } }>(
      await h.app.inject({ url: '/json-api/twofactorauth_generate_tfa_config', headers }),
    );
    const secret = generated.data.secret;
    const code = oathtoolCode(secret, h.clock.now());
    const set = await h.app.inject({
      url: `/json-api/twofactorauth_set_tfa_config?secret=${secret}&tfa_token=${code}`,
      headers,
    });
    expect(whmResult(set)).toBe(1);
    h.clock.advanceSeconds(30);
    return { user, secret };
  }

  it('without 2FA: user and pass start a session; WHM and UAPI answer under its prefix with its cookie', async () => {
    const user = await createSignedInUser(h);
    const session = sessionOf(await login({ user: user.username, pass: user.password }));
    const issuer = await whm(session);
    expect(issuer.statusCode, issuer.body).toBe(200);
    expect(json(issuer)).toMatchObject({ metadata: { command: 'twofactorauth_get_issuer', result: 1 } });
    const config = await uapi(session);
    expect(config.statusCode, config.body).toBe(200);
    expect(json(config)).toMatchObject({
      func: 'get_user_configuration',
      result: { status: 1, data: { is_enabled: 0 } },
    });
    // A POST form under the prefix too, and an unknown function answers as without it.
    const unknown = await whm(session, 'twofactorauth_no_such_thing');
    expect(json(unknown)).toMatchObject({ metadata: { result: 0, reason: /Unknown app/ } });
  });

  it('wrong credentials: {status: 0, message}, 401 and no session', async () => {
    const user = await createSignedInUser(h);
    refused(await login({ user: user.username, pass: 'not it' }), /./);
    refused(await login({ user: 'nobody-here', pass: 'whatever' }), /./);
    refused(await login({}), /./);
  });

  it('the cookie counts only under its own prefix; the prefix only with its cookie', async () => {
    const user = await createSignedInUser(h);
    const session = sessionOf(await login({ user: user.username, pass: user.password }));
    const other = sessionOf(await login({ user: user.username, pass: user.password }));
    expect(other.prefix).not.toBe(session.prefix);
    // No cookie, another session's cookie, a made-up cookie: 401 with the envelope.
    const bare = await h.app.inject({ url: `${session.prefix}/json-api/twofactorauth_get_issuer` });
    expect(bare.statusCode).toBe(401);
    expect(json(bare)).toMatchObject({ metadata: { result: 0, reason: /cpsession/ } });
    expect((await whm({ prefix: session.prefix, cookie: other.cookie })).statusCode).toBe(401);
    expect((await whm({ prefix: session.prefix, cookie: 'cpsession=tsc_made-up' })).statusCode).toBe(401);
    expect((await uapi({ prefix: other.prefix, cookie: session.cookie })).statusCode).toBe(401);
    // The cookie alone, without the prefix, authenticates nothing.
    const unprefixed = await h.app.inject({
      url: '/json-api/twofactorauth_get_issuer',
      headers: { cookie: session.cookie },
    });
    expect(unprefixed.statusCode).toBe(401);
    // A prefix that is not cpsess and 10 digits is no route.
    expect((await whm({ prefix: '/cpsess123', cookie: session.cookie })).statusCode).toBe(404);
    expect((await whm({ prefix: '/somewhere', cookie: session.cookie })).statusCode).toBe(404);
  });

  it('an account with 2FA needs tfa_token: missing, wrong or spent is refused; then calls need no code', async () => {
    const { user, secret } = await withTotp();
    refused(await login({ user: user.username, pass: user.password }), /two-factor/);
    const code = oathtoolCode(secret, h.clock.now());
    refused(await login({ user: user.username, pass: user.password, tfa_token: wrongCode(code) }), /./);
    refused(await login({ user: user.username, pass: user.password, tfa_token: 'abc' }), /./);
    const session = sessionOf(await login({ user: user.username, pass: user.password, tfa_token: code }));
    // The same code a second time: spent.
    refused(await login({ user: user.username, pass: user.password, tfa_token: code }), /./);
    // A wrong password with the next code is refused and does not spend it.
    h.clock.advanceSeconds(30);
    const next = oathtoolCode(secret, h.clock.now());
    refused(await login({ user: user.username, pass: 'not it', tfa_token: next }), /./);
    sessionOf(await login({ user: user.username, pass: user.password, tfa_token: next }));
    // Call after call in the session, within one period, without any code.
    for (let i = 0; i < 3; i++) expect(whmResult(await whm(session))).toBe(1);
    expect(json(await uapi(session))).toMatchObject({ result: { status: 1, data: { is_enabled: 1 } } });
  });

  it('wrong passwords through /login count toward the account’s password throttling', async () => {
    const user = await createSignedInUser(h);
    for (let i = 0; i < 5; i++) refused(await login({ user: user.username, pass: 'not the password' }), /./);
    const throttled = await login({ user: user.username, pass: user.password });
    refused(throttled, /./, 429);
    expect(throttled.headers['retry-after']).toBeDefined();
    // The fifth failure blocked the account for ten minutes.
    h.clock.advanceSeconds(600);
    sessionOf(await login({ user: user.username, pass: user.password }));
  });

  it('a session ends after the idle time; each use moves the end on', async () => {
    const user = await createSignedInUser(h);
    const session = sessionOf(await login({ user: user.username, pass: user.password }));
    h.clock.advanceSeconds(IDLE_SECONDS - 100);
    expect(whmResult(await whm(session))).toBe(1);
    h.clock.advanceSeconds(IDLE_SECONDS - 100);
    expect(whmResult(await whm(session))).toBe(1);
    h.clock.advanceSeconds(IDLE_SECONDS + 1);
    const ended = await whm(session);
    expect(ended.statusCode).toBe(401);
    expect(json(ended)).toMatchObject({ metadata: { result: 0, reason: /log in again/ } });
  });

  it('an admin’s reset of the account ends its sessions', async () => {
    const user = await createSignedInUser(h);
    const session = sessionOf(await login({ user: user.username, pass: user.password }));
    const admin = await createSignedInUser(h, { role: 'admin' });
    const { token } = await h.core.apiTokens.issue(admin.id, 'whm', 'write');
    const reset = await h.app.inject({
      url: `/json-api/twofactorauth_remove_user_config?user=${user.username}`,
      headers: { authorization: `whm ${admin.username}:${token}` },
    });
    expect(whmResult(reset)).toBe(1);
    expect((await whm(session)).statusCode).toBe(401);
  });

  it('the cookie’s token is kept only as a keyed hash, and is no native refresh token', async () => {
    const user = await createSignedInUser(h);
    const session = sessionOf(await login({ user: user.username, pass: user.password }));
    const token = session.cookie.slice('cpsession='.length);
    expect(await h.storage.sessions.findRefreshTokenByHash(token)).toBeUndefined();
    const refresh = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: token },
    });
    expect(refresh.statusCode).toBe(401);
    expect(refresh.body).toContain('REFRESH_TOKEN_INVALID');
  });

  function logout(url: string, cookie?: string, method: 'GET' | 'POST' = 'GET', on: Harness = h) {
    return on.app.inject({ method, url, headers: cookie === undefined ? {} : { cookie } });
  }

  /** `/logout`'s answer: JSON status 1 and a cookie that clears the session's. */
  function loggedOut(response: LightMyRequestResponse): void {
    expect(response.statusCode, response.body).toBe(200);
    expect(json(response)).toEqual({ status: 1, message: 'You have been logged out.' });
    expect(String(response.headers['set-cookie'])).toBe('cpsession=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict');
  }

  it('/logout ends the cookie’s session in the store; the other sessions go on', async () => {
    const user = await createSignedInUser(h);
    const session = sessionOf(await login({ user: user.username, pass: user.password }));
    const other = sessionOf(await login({ user: user.username, pass: user.password }));
    loggedOut(await logout('/logout', session.cookie));
    expect((await whm(session)).statusCode).toBe(401);
    expect(whmResult(await whm(other))).toBe(1);
    // Again, or without any cookie: the same answer, and nothing else ends.
    loggedOut(await logout('/logout/', session.cookie, 'POST'));
    loggedOut(await logout('/logout'));
    expect(whmResult(await whm(other))).toBe(1);
  });

  it('/cpsess…/logout ends its own session only: a cookie of another session under it ends nothing', async () => {
    const user = await createSignedInUser(h);
    const session = sessionOf(await login({ user: user.username, pass: user.password }));
    const other = sessionOf(await login({ user: user.username, pass: user.password }));
    loggedOut(await logout(`${other.prefix}/logout`, session.cookie));
    expect(whmResult(await whm(session))).toBe(1);
    expect(whmResult(await whm(other))).toBe(1);
    loggedOut(await logout(`${session.prefix}/logout`, session.cookie, 'POST'));
    expect((await whm(session)).statusCode).toBe(401);
    expect((await uapi(session)).statusCode).toBe(401);
    expect(whmResult(await whm(other))).toBe(1);
    expect((await logout('/cpsessabc/logout', other.cookie)).statusCode).toBe(404);
  });

  it('a session ended by /logout on one server is ended for another over the same database', async () => {
    const second = await createHarness({ storage: h.storage, secretKey: h.secretKey, clock: h.clock });
    try {
      const user = await createSignedInUser(h);
      const session = sessionOf(await login({ user: user.username, pass: user.password }));
      loggedOut(await logout(`${session.prefix}/logout/`, session.cookie, 'GET', second));
      expect((await whm(session)).statusCode).toBe(401);
    } finally {
      await second.close();
    }
  });

  it('a session started on one server is served by another over the same database', async () => {
    const second = await createHarness({ storage: h.storage, secretKey: h.secretKey, clock: h.clock });
    try {
      const user = await createSignedInUser(h);
      const session = sessionOf(await login({ user: user.username, pass: user.password }));
      expect(whmResult(await whm(session, 'twofactorauth_get_issuer', second))).toBe(1);
    } finally {
      await second.close();
    }
  });
});
