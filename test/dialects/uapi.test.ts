import { SYSTEM_ACTOR } from '@tessera/core';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtoolCode } from '../support/external-tools.js';
import {
  bearer,
  createHarness,
  createSignedInUser,
  type Harness,
  json,
  type SignedInUser,
} from '../support/harness.js';
import { verifyCode, wrongCode } from '../support/totp-user.js';

interface Envelope {
  apiversion: number;
  func: string;
  module: string;
  result: {
    data: Record<string, unknown> | null;
    errors: string[] | null;
    messages: null;
    metadata: Record<string, never>;
    status: number;
    warnings: null;
  };
}

type Params = Record<string, string | number>;

/**
 * cPanel UAPI's `TwoFactorAuth` module (catalogue section 3, seed 003): every documented
 * request, field by field, and each failure message. Codes come from oathtool.
 */
describe('UAPI dialect: /execute/TwoFactorAuth/*', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  interface Client {
    user: SignedInUser;
    headers: Record<string, string>;
    call(func: string, params?: Params, transport?: 'query' | 'form'): Promise<LightMyRequestResponse>;
    postJson(func: string, body: Record<string, unknown>): Promise<LightMyRequestResponse>;
  }

  function clientWith(user: SignedInUser, headers: Record<string, string>): Client {
    const url = (func: string) => `/execute/TwoFactorAuth/${func}`;
    return {
      user,
      headers,
      call(func, params = {}, transport = 'query') {
        const encoded = new URLSearchParams(
          Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
        ).toString();
        if (transport === 'form') {
          return h.app.inject({
            method: 'POST',
            url: url(func),
            headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
            payload: encoded,
          });
        }
        return h.app.inject({ method: 'GET', url: `${url(func)}${encoded ? `?${encoded}` : ''}`, headers });
      },
      postJson: (func, body) => h.app.inject({ method: 'POST', url: url(func), headers, payload: body }),
    };
  }

  /** A UAPI client with an API token (`Authorization: cpanel USER:TOKEN`). */
  async function tokenClient(): Promise<Client> {
    const user = await createSignedInUser(h);
    const { token } = await h.core.apiTokens.issue(user.id, 'uapi script', 'write');
    return clientWith(user, { authorization: `cpanel ${user.username}:${token}` });
  }

  function basic(username: string, password: string): string {
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  /** The envelope, every field as cPanel writes it. */
  function envelopeOf(response: LightMyRequestResponse, func: string, status: number): Envelope['result'] {
    const body = json<Envelope>(response);
    expect(Object.keys(body).sort()).toEqual(['apiversion', 'func', 'module', 'result']);
    expect(body).toMatchObject({ apiversion: 3, func, module: 'TwoFactorAuth' });
    // `data` only on success: the vendor's document types it as an object, never null.
    const keys = ['errors', 'messages', 'metadata', 'status', 'warnings', ...(status === 1 ? ['data'] : [])];
    expect(Object.keys(body.result).sort()).toEqual(keys.sort());
    expect(body.result).toMatchObject({ messages: null, metadata: {}, warnings: null, status });
    return body.result;
  }

  function ok(response: LightMyRequestResponse, func: string): Envelope['result']['data'] {
    expect(response.statusCode, response.body).toBe(200);
    const result = envelopeOf(response, func, 1);
    expect(result.errors).toBeNull();
    return result.data;
  }

  function failed(response: LightMyRequestResponse, func: string, error: string | RegExp, status = 200): void {
    expect(response.statusCode, response.body).toBe(status);
    const result = envelopeOf(response, func, 0);
    expect(result).not.toHaveProperty('data');
    expect(result.errors).toHaveLength(1);
    if (typeof error === 'string') expect(result.errors?.[0]).toBe(error);
    else expect(result.errors?.[0]).toMatch(error);
  }

  async function generate(c: Client): Promise<string> {
    return String(ok(await c.call('generate_user_configuration'), 'generate_user_configuration')?.secret);
  }

  /** Enables TOTP through UAPI; the clock then moves a step on, so the confirming code is spent. */
  async function enable(c: Client): Promise<string> {
    const secret = await generate(c);
    const set = await c.call('set_user_configuration', { secret, tfa_token: oathtoolCode(secret, h.clock.now()) });
    expect(ok(set, 'set_user_configuration')).toEqual({ tfa_configured: 1 });
    h.clock.advanceSeconds(30);
    return secret;
  }

  it('generate_user_configuration: a new secret and cPanel’s otpauth_str', async () => {
    const c = await tokenClient();
    const data = ok(await c.call('generate_user_configuration'), 'generate_user_configuration');
    expect(Object.keys(data ?? {}).sort()).toEqual(['otpauth_str', 'secret']);
    const secret = String(data?.secret);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(data?.otpauth_str).toBe(
      `otpauth://totp/Tessera%20Test:${c.user.username}?secret=${secret}&issuer=Tessera%20Test`,
    );
  });

  it('set_user_configuration: tfa_configured 1, from a query, a form, or JSON with an integer code', async () => {
    for (const transport of ['query', 'form'] as const) {
      const c = await tokenClient();
      const secret = await generate(c);
      const response = await c.call(
        'set_user_configuration',
        { secret, tfa_token: oathtoolCode(secret, h.clock.now()) },
        transport,
      );
      expect(ok(response, 'set_user_configuration')).toEqual({ tfa_configured: 1 });
    }
    // An integer loses its leading zero; the core restores it.
    const c = await tokenClient();
    // New keys until one's current code starts with 0 (one in ten). The clock stays put: moving it
    // on for minutes would outlive the client's access token.
    let secret = await generate(c);
    for (let tries = 0; tries < 200 && !oathtoolCode(secret, h.clock.now()).startsWith('0'); tries++) {
      secret = await generate(c);
    }
    const code = oathtoolCode(secret, h.clock.now());
    const response = await c.postJson('set_user_configuration', { secret, tfa_token: Number(code) });
    expect(ok(response, 'set_user_configuration')).toEqual({ tfa_configured: 1 });
    h.clock.advanceSeconds(30);
    expect(json(await verifyCode(h.app, c.user.accessToken, oathtoolCode(secret, h.clock.now())))).toEqual({
      valid: true,
    });
  });

  it('set_user_configuration: each failure, prefixed as cPanel prefixes it, with data null', async () => {
    const c = await tokenClient();
    const func = 'set_user_configuration';
    const secret = await generate(c);
    const code = oathtoolCode(secret, h.clock.now());
    const prefix = 'Failed to set user configuration: ';
    failed(await c.call(func, { secret, tfa_token: wrongCode(code) }), func, `${prefix}The security code is invalid.`);
    failed(await c.call(func, { tfa_token: code }), func, `${prefix}Missing or Invalid: secret`);
    failed(
      await c.call(func, { secret: 'JBSWY3DPEHPK3PXP', tfa_token: code }),
      func,
      `${prefix}Missing or Invalid: secret`,
    );
    failed(await c.call(func, { secret }), func, `${prefix}Missing or Invalid: tfa_token`);
    expect(ok(await c.call(func, { secret, tfa_token: code }), func)).toEqual({ tfa_configured: 1 });
  });

  it('get_user_configuration: is_enabled 0 without issuer when off; is_enabled 1 with the issuer when on', async () => {
    const c = await tokenClient();
    expect(ok(await c.call('get_user_configuration'), 'get_user_configuration')).toEqual({ is_enabled: 0 });
    await enable(c);
    expect(ok(await c.call('get_user_configuration'), 'get_user_configuration')).toEqual({
      is_enabled: 1,
      issuer: 'Tessera Test',
    });
  });

  it('remove_user_configuration: with a current code, tfa_removed 1; without one, refused while 2FA is on', async () => {
    const c = await tokenClient();
    const func = 'remove_user_configuration';
    // Nothing on: nothing to prove.
    expect(ok(await c.call(func), func)).toEqual({ tfa_removed: 1 });
    const secret = await enable(c);
    failed(await c.call(func), func, /^Failed to remove user configuration: .*tfa_token/);
    const code = oathtoolCode(secret, h.clock.now());
    failed(
      await c.call(func, { tfa_token: wrongCode(code) }),
      func,
      'Failed to remove user configuration: The security code is invalid.',
    );
    expect(ok(await c.call(func, { tfa_token: code }), func)).toEqual({ tfa_removed: 1 });
    expect(ok(await c.call('get_user_configuration'), 'get_user_configuration')).toEqual({ is_enabled: 0 });
  });

  it('get_team_user_configuration: a team user of the caller’s, with is_enabled and (when on) the issuer', async () => {
    const c = await tokenClient();
    const func = 'get_team_user_configuration';
    const teamUser = async (owner: string, username: string, subKind: 'email' | 'team' = 'team') =>
      h.core.accounts.create(SYSTEM_ACTOR, { username, password: 'correct horse battery', owner, subKind });
    const team = await teamUser(c.user.username, `dev@${c.user.username}`);
    expect(ok(await c.call(func, { team_user: team.username }), func)).toEqual({ is_enabled: 0 });
    await h.core.admin.importTotp(SYSTEM_ACTOR, team.id, { secret: 'QLLIU5WTY3UTJGNG' });
    expect(ok(await c.call(func, { team_user: team.username }), func)).toEqual({
      is_enabled: 1,
      issuer: 'Tessera Test',
    });
    await h.core.issuers.setFor(SYSTEM_ACTOR, team.id, 'Team Issuer');
    expect(ok(await c.call(func, { team_user: team.username }, 'form'), func)).toEqual({
      is_enabled: 1,
      issuer: 'Team Issuer',
    });

    // Another owner's team user, the caller's e-mail account, or no one: the same refusal.
    const other = await tokenClient();
    const othersTeam = await teamUser(other.user.username, `ops@${other.user.username}`);
    const mailbox = await teamUser(c.user.username, `info@${c.user.id.slice(0, 8)}.example`, 'email');
    for (const name of [othersTeam.username, mailbox.username, 'dev@example.com']) {
      failed(await c.call(func, { team_user: name }), func, `The team user “${name}” does not exist.`);
    }
    failed(
      await other.call(func, { team_user: team.username }),
      func,
      `The team user “${team.username}” does not exist.`,
    );
    failed(await c.call(func), func, 'Missing or Invalid: team_user');
  });

  it('credentials: Basic or cpanel USER:TOKEN; anything else, or wrong, is 401 with the envelope', async () => {
    const func = 'get_user_configuration';
    const user = await createSignedInUser(h);
    ok(await clientWith(user, { authorization: basic(user.username, user.password) }).call(func), func);
    failed(await clientWith(user, { authorization: basic(user.username, 'not it') }).call(func), func, /./, 401);
    failed(await clientWith(user, {}).call(func), func, /Authentication is required/, 401);

    const c = await tokenClient();
    const token = c.headers.authorization?.split(':')[1] ?? '';
    failed(await clientWith(c.user, { authorization: `whm ${c.user.username}:${token}` }).call(func), func, /./, 401);
    failed(await clientWith(c.user, { authorization: `cpanel ${user.username}:${token}` }).call(func), func, /./, 401);
  });

  it('X-CPANEL-OTP: an account with 2FA needs its current code with a password, once; a token does not', async () => {
    const c = await tokenClient();
    const secret = await enable(c);
    const func = 'get_user_configuration';
    const authorization = basic(c.user.username, c.user.password);
    failed(await clientWith(c.user, { authorization }).call(func), func, /X-CPANEL-OTP/, 403);
    const wrong = wrongCode(oathtoolCode(secret, h.clock.now()));
    failed(
      await clientWith(c.user, { authorization, 'x-cpanel-otp': wrong }).call(func),
      func,
      /X-CPANEL-OTP refused/,
      403,
    );
    const withCode = clientWith(c.user, { authorization, 'x-cpanel-otp': oathtoolCode(secret, h.clock.now()) });
    expect(ok(await withCode.call(func), func)).toMatchObject({ is_enabled: 1 });
    failed(await withCode.call(func), func, /X-CPANEL-OTP refused/, 403);
    ok(await c.call(func), func);
    ok(await c.call(func), func);
  });

  it('the native API still refuses a form body, and the document lists the five functions', async () => {
    const user = await createSignedInUser(h);
    const native = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/verify',
      headers: { ...bearer(user.accessToken), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'code=123456',
    });
    expect(native.statusCode).toBe(415);
    const document = json<{ paths: Record<string, unknown> }>(await h.app.inject({ url: '/openapi/uapi.json' }));
    const functions = Object.keys(document.paths).filter((path) => !path.includes('{'));
    expect(functions.sort()).toEqual(
      [
        'generate_user_configuration',
        'get_team_user_configuration',
        'get_user_configuration',
        'remove_user_configuration',
        'set_user_configuration',
      ].map((func) => `/execute/TwoFactorAuth/${func}`),
    );
  });

  it('an unknown function is status 0', async () => {
    const c = await tokenClient();
    failed(await c.call('set_team_user_configuration'), 'set_team_user_configuration', /set_team_user_configuration/);
  });
});
