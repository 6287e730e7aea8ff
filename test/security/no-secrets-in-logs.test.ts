/**
 * Property: logs never contain a secret, a code, a password or a token, whatever the request
 * did (success, failure, bad input, crash paths).
 *
 * The check looks for the very values the test handed out or received, not for any run of
 * digits: a code is found when it stands as a value or as a word of its own in a log field,
 * so that the digits of a timestamp, a response time or an id cannot be taken for one.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { oathtoolCode } from '../support/external-tools.js';
import {
  bearer,
  createHarness,
  createSignedInUser,
  type Harness,
  json,
  type SignedInUser,
  uniquePhone,
} from '../support/harness.js';
import { createTotpUser, verifyCode, wrongCode } from '../support/totp-user.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterEach(async () => h.core.notifications.settle());
afterAll(async () => h.close());

/** Fields the logger itself stamps on every line: no request data can reach them. */
const STAMPS = new Set(['level', 'time', 'pid', 'hostname']);

/** Every value in a log line, strings and numbers, however deeply nested. */
function values(node: unknown): Array<string | number> {
  if (typeof node === 'string' || typeof node === 'number') return [node];
  if (Array.isArray(node)) return node.flatMap(values);
  if (node !== null && typeof node === 'object') return Object.values(node).flatMap(values);
  return [];
}

/** The values of a line, leaving out the logger's stamps; a line that is not JSON is one text. */
function lineValues(line: string): Array<string | number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return [line];
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return values(parsed);
  return Object.entries(parsed).flatMap(([key, value]) => (STAMPS.has(key) ? [] : values(value)));
}

/** Does a log line hold this numeric code: as a whole value, or as a word in a text? */
function holdsCode(line: string, code: string): boolean {
  return lineValues(line).some((value) =>
    typeof value === 'number' ? String(value) === code : value.split(/[^0-9A-Za-z]+/).includes(code),
  );
}

/** Codes, and long secrets (passwords, keys, tokens) that cannot appear by chance, that reached the log. */
function leaked(lines: string[], secrets: { codes: string[]; texts: string[] }): string[] {
  return [
    ...secrets.codes.filter((code) => lines.some((line) => holdsCode(line, code))),
    ...secrets.texts.filter((text) => lines.some((line) => line.includes(text))),
  ];
}

describe('the leak check', () => {
  it('finds a code logged as a value or inside a message, and not in the digits of a time or an id', () => {
    const code = '617619';
    for (const line of [
      `{"msg":"code ${code} refused"}`,
      `{"body":{"code":"${code}"}}`,
      `{"code":${code}}`,
      `{"url":"/api/v1/verify?code=${code}"}`,
      `a line that is not JSON: ${code}`,
    ]) {
      expect(leaked([line], { codes: [code], texts: [] }), line).toEqual([code]);
    }
    const innocent = [
      '{"level":30,"time":1795617619123,"pid":617619,"hostname":"617619","responseTime":2.6176190001,"msg":"done"}',
      '{"userId":"e52af813-3bba-455f-a617-619b3e7caa0e","reqId":"req-617619x","err":"at 2026-11-17T16:17:19.617Z"}',
    ];
    expect(leaked(innocent, { codes: [code], texts: [] })).toEqual([]);
    expect(leaked(innocent, { codes: [], texts: ['correct horse battery'] })).toEqual([]);
    expect(leaked(['{"msg":"correct horse battery"}'], { codes: [], texts: ['correct horse battery'] })).toEqual([
      'correct horse battery',
    ]);
  });
});

describe('logs hold no secrets', () => {
  it('after a full session of successes and failures', async () => {
    const mark = h.log.mark();
    const user = await createTotpUser(h.app, h.clock);
    const texts: string[] = [user.password, user.secret, user.accessToken];
    const code = user.codeAt(h.clock.now());
    const codes: string[] = [code, wrongCode(code)];
    await verifyCode(h.app, user.accessToken, code);
    await verifyCode(h.app, user.accessToken, code);
    await verifyCode(h.app, user.accessToken, wrongCode(code));

    const token = json<{ token: string }>(
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/me/api-tokens',
        headers: bearer(user.accessToken),
        payload: { name: 'logs' },
      }),
    ).token;
    texts.push(token);
    await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
    await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(`${token}x`) });

    const signIn = json<{ flowId: string }>(
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { username: user.username, password: user.password },
      }),
    );
    h.clock.advanceSeconds(30);
    const next = user.codeAt(h.clock.now());
    codes.push(next);
    const tokens = json<{ accessToken: string; refreshToken: string }>(
      await h.app.inject({
        method: 'POST',
        url: `/api/v1/auth/sign-in/${signIn.flowId}/second-factor`,
        payload: { code: next },
      }),
    );
    texts.push(tokens.accessToken, tokens.refreshToken);
    await h.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } });
    await h.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } });
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: user.username, password: `${user.password}!` },
    });
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { 'content-type': 'application/json' },
      payload: `{"username":"x","password":"${user.password}"`,
    });

    // The log is not empty: requests (a line each) and the replay warning were recorded.
    const lines = h.log.lines.slice(mark);
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.join('\n')).toContain('replayed code refused');
    expect(leaked(lines, { codes, texts }), 'secrets that reached the log').toEqual([]);
  });

  it('after codes sent by SMS and e-mail, backup codes, a step-up challenge and a password reset', async () => {
    const mark = h.log.mark();
    const user = await createSignedInUser(h);
    const phone = uniquePhone();
    const codes: string[] = [];
    const texts: string[] = [user.password, user.accessToken, user.refreshToken];
    const post = (url: string, payload: object, session?: SignedInUser) =>
      h.app.inject({
        method: 'POST',
        url: `/api/v1${url}`,
        headers: session ? bearer(session.accessToken) : {},
        payload,
      });

    // SMS: a wrong code, then the right one.
    const sms = json<{ flowId: string }>(await post('/me/2fa/enable', { method: 'sms', phone }, user));
    const smsCode = h.outbox.lastSmsCode(phone);
    codes.push(smsCode, wrongCode(smsCode));
    await post(`/me/2fa/enable/${sms.flowId}/confirm`, { code: wrongCode(smsCode) }, user);
    expect((await post(`/me/2fa/enable/${sms.flowId}/confirm`, { code: smsCode }, user)).statusCode).toBe(200);

    // Backup codes: shown once, one used at sign-in, one wrong.
    const backup = json<{ backupCodes: { codes: string[] } }>(
      await post('/me/2fa/enable', { method: 'backup_codes' }, user),
    ).backupCodes.codes;
    codes.push(...backup);
    const flow = json<{ flowId: string }>(
      await post('/auth/sign-in', { username: user.username, password: user.password }),
    );
    await post(`/auth/sign-in/${flow.flowId}/second-factor`, { code: wrongCode(backup[1]!), method: 'backup_codes' });
    const signedIn = await post(`/auth/sign-in/${flow.flowId}/second-factor`, {
      code: backup[0],
      method: 'backup_codes',
    });
    expect(signedIn.statusCode).toBe(200);
    const session = json<{ accessToken: string; refreshToken: string }>(signedIn);
    texts.push(session.accessToken, session.refreshToken);

    // A step-up challenge by the account's SMS factor (past the number's resend cooldown), its
    // success token spent on a password change.
    h.clock.advanceSeconds(61);
    const challenge = json<{ challengeId: string }>(
      await post('/me/2fa/challenges', { operation: 'change_password', method: 'sms' }, user),
    );
    const challengeCode = h.outbox.lastSmsCode(phone);
    codes.push(challengeCode);
    const passed = json<{ successToken: string }>(
      await post(`/me/2fa/challenges/${challenge.challengeId}/confirm`, { code: challengeCode }, user),
    );
    const changedPassword = 'a changed passphrase';
    texts.push(passed.successToken, changedPassword);
    expect(
      (await post('/me/password', { successToken: passed.successToken, newPassword: changedPassword }, user))
        .statusCode,
    ).toBe(204);

    // Password recovery by e-mail, one wrong code, then the reset.
    h.clock.advanceSeconds(61);
    const codedEmails = () => h.outbox.emailsSent.filter((m) => m.to === user.email && m.code).length;
    const emailsBefore = codedEmails();
    const recovery = json<{ challengeId: string }>(await post('/auth/recovery', { login: user.email }));
    // The recovery e-mail goes out in the background.
    await vi.waitFor(() => expect(codedEmails()).toBe(emailsBefore + 1), { timeout: 5_000, interval: 10 });
    const recoveryCode = h.outbox.lastEmailCode(user.email);
    codes.push(recoveryCode, wrongCode(recoveryCode));
    await post(`/auth/recovery/${recovery.challengeId}/confirm`, { code: wrongCode(recoveryCode) });
    const reset = json<{ successToken: string }>(
      await post(`/auth/recovery/${recovery.challengeId}/confirm`, { code: recoveryCode }),
    );
    const resetPassword = 'a reset passphrase';
    texts.push(reset.successToken, resetPassword);
    expect(
      (await post('/auth/password-reset', { successToken: reset.successToken, newPassword: resetPassword })).statusCode,
    ).toBe(204);
    await h.core.notifications.settle();

    // A line for each request at least.
    const lines = h.log.lines.slice(mark);
    expect(lines.length).toBeGreaterThan(10);
    expect(leaked(lines, { codes, texts }), 'secrets that reached the log').toEqual([]);
  });

  it('after cPanel calls that carry a secret and a code in the query string, and a /cpsess session', async () => {
    const mark = h.log.mark();
    const user = await createSignedInUser(h);
    const { token } = await h.core.apiTokens.issue(user.id, 'whm script', 'write');
    const headers = { authorization: `whm ${user.username}:${token}` };
    const generated = await h.app.inject({
      method: 'GET',
      url: '/json-api/twofactorauth_generate_tfa_config',
      headers,
    });
    const secret = String(json<{ data: { secret: string } }>(generated).data.secret);
    const code = oathtoolCode(secret, h.clock.now());
    // cPanel's API takes its arguments in the query string, the secret and the code too.
    const query = new URLSearchParams({ 'api.version': '1', secret, tfa_token: code }).toString();
    const set = await h.app.inject({ method: 'GET', url: `/json-api/twofactorauth_set_tfa_config?${query}`, headers });
    expect(json<{ metadata: { result: number } }>(set).metadata.result, set.body).toBe(1);
    // An unknown route with the same query: the not-found line must not carry it either.
    await h.app.inject({ method: 'GET', url: `/json-api/no_such_function?${query}`, headers });

    // A cPanel session: its /cpsess<digits> prefix is half of its credentials.
    h.clock.advanceSeconds(30);
    const login = await h.app.inject({
      method: 'POST',
      url: '/login/?login_only=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        user: user.username,
        pass: user.password,
        tfa_token: oathtoolCode(secret, h.clock.now()),
      }).toString(),
    });
    const prefix = String(json<{ security_token: string }>(login).security_token);
    expect(prefix, login.body).toMatch(/^\/cpsess\d{10}$/);
    const cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
    await h.app.inject({
      method: 'GET',
      url: `${prefix}/execute/TwoFactorAuth/get_user_configuration`,
      headers: { cookie },
    });

    const lines = h.log.lines.slice(mark);
    expect(lines.join('\n')).toContain('/json-api/twofactorauth_set_tfa_config');
    expect(lines.join('\n')).toContain('/cpsess[redacted]/execute/TwoFactorAuth/get_user_configuration');
    expect(
      leaked(lines, {
        codes: [code],
        texts: [secret, token, user.password, prefix.slice(1), cookie.split('=')[1] ?? cookie],
      }),
      'secrets that reached the log',
    ).toEqual([]);
  });
});
