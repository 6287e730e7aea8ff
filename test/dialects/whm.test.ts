import { SYSTEM_ACTOR } from '@tessera/core';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
  data?: Record<string, unknown>;
  metadata: { command: string; reason: string; result: number; version: number };
}

type Params = Record<string, string | number>;

/** How a script sends its parameters: in the query string, or as a form. */
type Transport = 'query' | 'form';

/**
 * cPanel WHM API 1's `twofactorauth_*` functions (catalogue section 2, seed 001): every
 * documented request, field by field, and each failure reason. Codes come from oathtool.
 */
describe('WHM API 1 dialect: /json-api/twofactorauth_*', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterEach(async () => {
    await h.resetSettings();
  });
  afterAll(async () => {
    await h.close();
  });

  interface Client {
    user: SignedInUser;
    headers: Record<string, string>;
    call(fn: string, params?: Params, transport?: Transport): Promise<LightMyRequestResponse>;
    postJson(fn: string, body: unknown): Promise<LightMyRequestResponse>;
  }

  function clientWith(user: SignedInUser, headers: Record<string, string>): Client {
    return {
      user,
      headers,
      call(fn, params = {}, transport = 'query') {
        const encoded = new URLSearchParams(
          Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
        ).toString();
        if (transport === 'form') {
          return h.app.inject({
            method: 'POST',
            url: `/json-api/${fn}`,
            headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
            payload: encoded,
          });
        }
        return h.app.inject({ method: 'GET', url: `/json-api/${fn}${encoded ? `?${encoded}` : ''}`, headers });
      },
      postJson: (fn, body) =>
        h.app.inject({ method: 'POST', url: `/json-api/${fn}`, headers, payload: body as Record<string, unknown> }),
    };
  }

  /** A WHM client with an API token (`Authorization: whm USER:TOKEN`). */
  async function tokenClient(role: 'user' | 'admin' = 'user', scope: 'write' | 'read' = 'write'): Promise<Client> {
    const user = await createSignedInUser(h, { role });
    const { token } = await h.core.apiTokens.issue(user.id, 'whm script', scope);
    return clientWith(user, { authorization: `whm ${user.username}:${token}` });
  }

  /** A WHM client with HTTP Basic. */
  async function basicClient(role: 'user' | 'admin' = 'user'): Promise<Client> {
    const user = await createSignedInUser(h, { role });
    return clientWith(user, { authorization: basic(user.username, user.password) });
  }

  function basic(username: string, password: string): string {
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  function envelope(response: LightMyRequestResponse): Envelope {
    return json<Envelope>(response);
  }

  /** A success: HTTP 200, metadata as cPanel writes it, and the data (if any). */
  function ok(response: LightMyRequestResponse, command: string): Envelope['data'] {
    expect(response.statusCode, response.body).toBe(200);
    const body = envelope(response);
    expect(body.metadata).toEqual({ command, reason: 'OK', result: 1, version: 1 });
    return body.data;
  }

  /** A failure: HTTP 200 (unless given), result 0, the reason, and no data at all. */
  function failed(response: LightMyRequestResponse, command: string, reason: string | RegExp, status = 200): void {
    expect(response.statusCode, response.body).toBe(status);
    const body = envelope(response);
    expect(Object.keys(body)).toEqual(['metadata']);
    expect(body.metadata).toMatchObject({ command, result: 0, version: 1 });
    if (typeof reason === 'string') expect(body.metadata.reason).toBe(reason);
    else expect(body.metadata.reason).toMatch(reason);
  }

  /** Enables TOTP through WHM; the clock then moves a step on, so the confirming code is spent. */
  async function enable(c: Client): Promise<string> {
    const data = ok(await c.call('twofactorauth_generate_tfa_config'), 'twofactorauth_generate_tfa_config');
    const secret = String(data?.secret);
    const set = await c.call('twofactorauth_set_tfa_config', {
      secret,
      tfa_token: oathtoolCode(secret, h.clock.now()),
    });
    expect(ok(set, 'twofactorauth_set_tfa_config')).toEqual({ success: 1 });
    h.clock.advanceSeconds(30);
    return secret;
  }

  it('generate_tfa_config: a new secret and cPanel’s otpauth_str (no algorithm, digits or period)', async () => {
    const c = await tokenClient();
    const response = await c.call('twofactorauth_generate_tfa_config', { 'api.version': 1 });
    const data = ok(response, 'twofactorauth_generate_tfa_config');
    expect(Object.keys(envelope(response)).sort()).toEqual(['data', 'metadata']);
    expect(Object.keys(data ?? {}).sort()).toEqual(['otpauth_str', 'secret']);
    const secret = String(data?.secret);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(data?.otpauth_str).toBe(
      `otpauth://totp/Tessera%20Test:${c.user.username}?secret=${secret}&issuer=Tessera%20Test`,
    );
    // Each call issues another.
    const again = ok(await c.call('twofactorauth_generate_tfa_config'), 'twofactorauth_generate_tfa_config');
    expect(again?.secret).not.toBe(secret);
  });

  it('set_tfa_config: secret and tfa_token from a query or a form enable 2FA; the native API sees it', async () => {
    for (const transport of ['query', 'form'] as const) {
      const c = await tokenClient();
      const secret = String(
        ok(await c.call('twofactorauth_generate_tfa_config', {}, transport), 'twofactorauth_generate_tfa_config')
          ?.secret,
      );
      const response = await c.call(
        'twofactorauth_set_tfa_config',
        { secret, tfa_token: oathtoolCode(secret, h.clock.now()), 'api.version': 1 },
        transport,
      );
      expect(ok(response, 'twofactorauth_set_tfa_config')).toEqual({ success: 1 });
      h.clock.advanceSeconds(30);
      expect(json(await verifyCode(h.app, c.user.accessToken, oathtoolCode(secret, h.clock.now())))).toEqual({
        valid: true,
      });
    }
  });

  it('generate_tfa_config while 2FA is on is refused (Tessera does not overwrite a key silently)', async () => {
    const c = await tokenClient();
    await enable(c);
    failed(
      await c.call('twofactorauth_generate_tfa_config'),
      'twofactorauth_generate_tfa_config',
      /^Failed to generate two-factor authentication configuration: ./,
    );
  });

  it('set_tfa_config: an integer tfa_token in a JSON body gets back its leading zero', async () => {
    const c = await tokenClient();
    let secret = '';
    do {
      secret = String(
        ok(await c.call('twofactorauth_generate_tfa_config'), 'twofactorauth_generate_tfa_config')?.secret,
      );
      for (let step = 0; step < 15 && !oathtoolCode(secret, h.clock.now()).startsWith('0'); step++) {
        h.clock.advanceSeconds(30);
      }
    } while (!oathtoolCode(secret, h.clock.now()).startsWith('0'));
    const code = oathtoolCode(secret, h.clock.now());
    const response = await c.postJson('twofactorauth_set_tfa_config', { secret, tfa_token: Number(code) });
    expect(ok(response, 'twofactorauth_set_tfa_config')).toEqual({ success: 1 });
  });

  it('set_tfa_config: each failure reason, with result 0 and no data', async () => {
    const c = await tokenClient();
    const fn = 'twofactorauth_set_tfa_config';
    const secret = String(
      ok(await c.call('twofactorauth_generate_tfa_config'), 'twofactorauth_generate_tfa_config')?.secret,
    );
    const code = oathtoolCode(secret, h.clock.now());
    failed(await c.call(fn, { secret, tfa_token: wrongCode(code) }), fn, 'The security code is invalid.');
    failed(await c.call(fn, { secret, tfa_token: 'abc' }), fn, 'The security code is invalid.');
    failed(await c.call(fn, { tfa_token: code }), fn, 'Missing or Invalid: secret');
    failed(await c.call(fn, { secret: 'JBSWY3DPEHPK3PXP', tfa_token: code }), fn, 'Missing or Invalid: secret');
    failed(await c.call(fn, { secret }), fn, 'Missing or Invalid: tfa_token');
    // Another user's secret, with a right code for it, is not this user's.
    const other = await tokenClient();
    failed(await other.call(fn, { secret, tfa_token: code }), fn, 'Missing or Invalid: secret');
    expect(ok(await c.call(fn, { secret, tfa_token: code }), fn)).toEqual({ success: 1 });
  });

  it('get_issuer and set_issuer: the caller’s own issuer, quotes stripped, empty clears; a bad one is refused', async () => {
    const c = await tokenClient();
    const get = async () => ok(await c.call('twofactorauth_get_issuer'), 'twofactorauth_get_issuer');
    expect(await get()).toEqual({ issuer: 'Tessera Test', system_wide_issuer: 'Tessera Test' });

    const set = await c.call('twofactorauth_set_issuer', { issuer: '"My Host.example-1"' });
    expect(ok(set, 'twofactorauth_set_issuer')).toBeUndefined();
    expect(Object.keys(envelope(set))).toEqual(['metadata']);
    expect(await get()).toEqual({ issuer: 'My Host.example-1', system_wide_issuer: 'Tessera Test' });
    // The issuer is the one new secrets are issued under.
    const generated = ok(await c.call('twofactorauth_generate_tfa_config'), 'twofactorauth_generate_tfa_config');
    expect(String(generated?.otpauth_str)).toContain('issuer=My%20Host.example-1');

    for (const issuer of ['bad/char', 'x'.repeat(33)]) {
      failed(
        await c.call('twofactorauth_set_issuer', { issuer }),
        'twofactorauth_set_issuer',
        /^Failed to set issuer: /,
      );
    }
    failed(
      await c.call('twofactorauth_set_issuer'),
      'twofactorauth_set_issuer',
      'Failed to set issuer: Missing or Invalid: issuer',
    );
    expect(ok(await c.call('twofactorauth_set_issuer', { issuer: "''" }), 'twofactorauth_set_issuer')).toBeUndefined();
    expect(await get()).toEqual({ issuer: 'Tessera Test', system_wide_issuer: 'Tessera Test' });
  });

  it('get_user_configs: an admin sees every account, itself too; anyone else only their own', async () => {
    const admin = await tokenClient('admin');
    const user = await tokenClient();
    await enable(user);
    const all = ok(await admin.call('twofactorauth_get_user_configs'), 'twofactorauth_get_user_configs');
    expect(all?.[admin.user.username]).toEqual({ is_enabled: 0, primary_domain: '' });
    expect(all?.[user.user.username]).toEqual({ is_enabled: 1, primary_domain: '' });

    const one = ok(
      await admin.call('twofactorauth_get_user_configs', { user: user.user.username }),
      'twofactorauth_get_user_configs',
    );
    expect(one).toEqual({ [user.user.username]: { is_enabled: 1, primary_domain: '' } });
    failed(
      await admin.call('twofactorauth_get_user_configs', { user: 'nobody-here' }),
      'twofactorauth_get_user_configs',
      'You do not have access to an account named “nobody-here”.',
    );

    const own = ok(await user.call('twofactorauth_get_user_configs'), 'twofactorauth_get_user_configs');
    expect(own).toEqual({ [user.user.username]: { is_enabled: 1, primary_domain: '' } });
    failed(
      await user.call('twofactorauth_get_user_configs', { user: admin.user.username }),
      'twofactorauth_get_user_configs',
      `You do not have access to an account named “${admin.user.username}”.`,
    );
  });

  it('get_user_configs lists every account, past the first page it reads', async () => {
    const admin = await tokenClient('admin');
    const before = (await h.core.admin.listUsers(SYSTEM_ACTOR, 1, 0)).total;
    for (let i = before; i < 520; i++) {
      await h.core.accounts.create(SYSTEM_ACTOR, {
        username: `bulk${i}x${admin.user.id.slice(0, 6)}`,
        password: 'correct horse battery',
      });
    }
    // Sub-accounts other tests make are listed with their owner, not here.
    const everyone = await h.core.admin.listUsers(SYSTEM_ACTOR, 100_000, 0);
    const total = everyone.items.filter((account) => account.subAccountType === null).length;
    expect(total).toBeGreaterThan(500);
    const all = ok(await admin.call('twofactorauth_get_user_configs'), 'twofactorauth_get_user_configs');
    expect(Object.keys(all ?? {})).toHaveLength(total);
  });

  it('remove_user_config: user=… or user-1=…&user-2=…; accounts without 2FA are listed too, unknown ones fail each', async () => {
    const admin = await tokenClient('admin');
    const withTotp = await tokenClient();
    const withTotpSecret = await enable(withTotp);
    const without = await tokenClient();
    const fn = 'twofactorauth_remove_user_config';
    const response = await admin.call(fn, {
      'user-1': withTotp.user.username,
      'user-2': 'ghost-user',
      'user-3': without.user.username,
    });
    const data = ok(response, fn);
    expect(data).toEqual({
      failed: { 'ghost-user': expect.stringMatching(/^You are not authorized to modify “ghost-user”: /) },
      users_modified: [withTotp.user.username, without.user.username],
    });
    // Gone: the native API no longer takes a code of it.
    expect(
      (await verifyCode(h.app, withTotp.user.accessToken, oathtoolCode(withTotpSecret, h.clock.now()))).statusCode,
    ).not.toBe(200);
    const single = ok(await admin.call(fn, { user: without.user.username }, 'form'), fn);
    expect(single).toEqual({ failed: {}, users_modified: [without.user.username] });
    failed(await admin.call(fn), fn, 'No users specified.');
  });

  it('the security policy means what cPanel means: on, authenticators may be set up; off, no new ones, existing ones still checked', async () => {
    const admin = await tokenClient('admin');
    const enrolled = await tokenClient();
    const secret = await enable(enrolled);
    const newcomer = await tokenClient();
    const status = async () =>
      ok(await admin.call('twofactorauth_policy_status'), 'twofactorauth_policy_status') as { is_enabled: number };
    // Tessera offers the authenticator unless an admin forbids it: the policy reads as on.
    expect(await status()).toEqual({ is_enabled: 1 });

    expect(ok(await admin.call('twofactorauth_disable_policy'), 'twofactorauth_disable_policy')).toBeUndefined();
    expect(await status()).toEqual({ is_enabled: 0 });
    failed(
      await newcomer.call('twofactorauth_generate_tfa_config'),
      'twofactorauth_generate_tfa_config',
      /^Failed to generate two-factor authentication configuration: /,
    );
    // Off never stops checking a factor someone has: the password alone does not sign in.
    const signIn = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: enrolled.user.username, password: enrolled.user.password },
    });
    expect(json(signIn)).toMatchObject({ status: 'second_factor_required' });
    expect((await verifyCode(h.app, enrolled.user.accessToken, oathtoolCode(secret, h.clock.now()))).statusCode).toBe(
      200,
    );

    expect(ok(await admin.call('twofactorauth_enable_policy'), 'twofactorauth_enable_policy')).toBeUndefined();
    expect(await status()).toEqual({ is_enabled: 1 });
    ok(await newcomer.call('twofactorauth_generate_tfa_config'), 'twofactorauth_generate_tfa_config');
    // Turning it on forces no one to enroll: the "2FA required" rule is not touched.
    expect(await h.core.policy.get()).toMatchObject({ required: false });
    ok(await newcomer.call('twofactorauth_get_user_configs'), 'twofactorauth_get_user_configs');
  });

  it('enable_policy does not lock out the admin without 2FA who calls it (Basic auth, a person)', async () => {
    const admin = await basicClient('admin');
    ok(await admin.call('twofactorauth_enable_policy'), 'twofactorauth_enable_policy');
    // Every later call of theirs still works, disable_policy included.
    ok(await admin.call('twofactorauth_get_user_configs'), 'twofactorauth_get_user_configs');
    ok(await admin.call('twofactorauth_disable_policy'), 'twofactorauth_disable_policy');
    ok(await admin.call('twofactorauth_enable_policy'), 'twofactorauth_enable_policy');
    ok(await admin.call('twofactorauth_policy_status'), 'twofactorauth_policy_status');
  });

  it('get_tfa_config_for_user: the plaintext secret, recorded as an export and e-mailed to the owner', async () => {
    const admin = await tokenClient('admin');
    const owner = await tokenClient();
    const secret = await enable(owner);
    const fn = 'twofactorauth_get_tfa_config_for_user';
    const data = ok(await admin.call(fn, { user: owner.user.username }), fn);
    expect(data).toEqual({ [owner.user.username]: { primary_account: { secret } } });
    await h.core.notifications.settle();
    expect(h.outbox.emailsSent.filter((m) => m.to === owner.user.email).map((m) => m.subject)).toContain(
      'Tessera Test: authenticator key exported',
    );
    const history = json<{ items: { method: string; action: string; actor: string }[] }>(
      await h.app.inject({ url: '/api/v1/me/2fa/history', headers: bearer(owner.user.accessToken) }),
    );
    expect(history.items[0]).toMatchObject({ method: 'totp', action: 'export', actor: 'admin' });

    const without = await tokenClient();
    expect(ok(await admin.call(fn, { user: without.user.username }), fn)).toEqual({ [without.user.username]: {} });
    failed(await admin.call(fn, { user: 'ghost-user' }), fn, 'Invalid user: ghost-user');
    failed(await admin.call(fn), fn, 'Missing or Invalid: user');
  });

  it('set_tfa_config_for_user: a JSON body replaces the account’s secret without a code; each refusal', async () => {
    const admin = await tokenClient('admin');
    const owner = await tokenClient();
    await enable(owner);
    const fn = 'twofactorauth_set_tfa_config_for_user';
    const secret = 'QLLIU5WTY3UTJGNG';
    const name = owner.user.username;
    await h.core.notifications.settle();
    const mailed = () => h.outbox.emailsSent.filter((m) => m.to === owner.user.email).length;
    const mailedBefore = mailed();
    const response = await admin.postJson(fn, { [name]: { primary_account: { secret } } });
    expect(ok(response, fn)).toBeUndefined();
    expect(Object.keys(envelope(response))).toEqual(['metadata']);
    const history = json<{ items: { method: string; action: string; actor: string }[] }>(
      await h.app.inject({ url: '/api/v1/me/2fa/history', headers: bearer(owner.user.accessToken) }),
    );
    expect(history.items[0]).toMatchObject({ method: 'totp', action: 'import', actor: 'admin' });
    await h.core.notifications.settle();
    expect(mailed()).toBe(mailedBefore + 1);
    h.clock.advanceSeconds(30);
    expect(json(await verifyCode(h.app, owner.user.accessToken, oathtoolCode(secret, h.clock.now())))).toEqual({
      valid: true,
    });

    const refusals: [unknown, string][] = [
      [{ [name]: { primary_account: { secret } }, other: {} }, 'Invalid data detected in input arguments.'],
      [{}, 'Invalid data detected in input arguments.'],
      [{ [name]: { domain: { secret } } }, 'Invalid data detected in input arguments.'],
      [{ [name]: { primary_account: { secret, extra: 1 } } }, 'Invalid data detected in input arguments.'],
      [{ [name]: { primary_account: { secret: '' } } }, 'Invalid data detected in input arguments.'],
      [{ 'ghost-user': { primary_account: { secret } } }, 'Invalid user: ghost-user'],
      [
        { [name]: { email: { 'info@example.com': { secret } } } },
        `The email account “info@example.com” does not belong to “${name}”.`,
      ],
      [{ [name]: { team: { 'dev@x': { secret } } } }, `The team user “dev@x” does not belong to “${name}”.`],
    ];
    for (const [body, reason] of refusals) failed(await admin.postJson(fn, body), fn, reason);
    // The secret is still the one imported.
    const exported = ok(
      await admin.call('twofactorauth_get_tfa_config_for_user', { user: name }),
      'twofactorauth_get_tfa_config_for_user',
    );
    expect(exported).toEqual({ [name]: { primary_account: { secret } } });
    // No primary_account: its entries are purged.
    expect(ok(await admin.postJson(fn, { [name]: {} }), fn)).toBeUndefined();
    expect(
      ok(await admin.call('twofactorauth_get_user_configs', { user: name }), 'twofactorauth_get_user_configs'),
    ).toEqual({
      [name]: { is_enabled: 0, primary_domain: '' },
    });
  });

  it('a migration round trip: exported here, imported into a second server, the same codes verify there', async () => {
    const admin = await tokenClient('admin');
    const owner = await tokenClient();
    const secret = await enable(owner);
    const exported = ok(
      await admin.call('twofactorauth_get_tfa_config_for_user', { user: owner.user.username }),
      'twofactorauth_get_tfa_config_for_user',
    );

    const second = await createHarness({ clock: h.clock });
    try {
      const otherAdmin = await createSignedInUser(second, { role: 'admin' });
      const { token } = await second.core.apiTokens.issue(otherAdmin.id, 'migration', 'write');
      const migrated = await createSignedInUser(second, { username: owner.user.username });
      const imported = await second.app.inject({
        method: 'POST',
        url: '/json-api/twofactorauth_set_tfa_config_for_user',
        headers: { authorization: `whm ${otherAdmin.username}:${token}` },
        payload: exported ?? {},
      });
      expect(ok(imported, 'twofactorauth_set_tfa_config_for_user')).toBeUndefined();
      const code = oathtoolCode(secret, h.clock.now());
      expect(json(await verifyCode(second.app, migrated.accessToken, code))).toEqual({ valid: true });
      expect(json(await verifyCode(h.app, owner.user.accessToken, code))).toEqual({ valid: true });
    } finally {
      await second.close();
    }
  });

  /** A top-level account with a domain, an e-mail account and a team user, made by the operator. */
  async function family(domain = 'example.com') {
    const owner = await tokenClient();
    const tag = owner.user.username;
    const mail = await h.core.accounts.create(SYSTEM_ACTOR, {
      username: `info-${tag}@${domain}`,
      password: 'correct horse battery',
      owner: tag,
      subKind: 'email',
    });
    const team = await h.core.accounts.create(SYSTEM_ACTOR, {
      username: `dev-${tag}@${tag}`,
      password: 'correct horse battery',
      owner: tag,
      subKind: 'team',
    });
    return { owner, mail: mail.username, team: team.username };
  }

  /**
   * Whether a current code of `secret` lets `username` (an account with an authenticator) in with
   * its password; it spends the code.
   */
  async function codeWorks(username: string, secret: string): Promise<boolean> {
    try {
      await h.core.accounts.authenticatePassword(
        username,
        'correct horse battery',
        null,
        oathtoolCode(secret, h.clock.now()),
      );
      return true;
    } catch {
      return false;
    }
  }

  it('get_user_configs: primary_domain is the account’s domain; e-mail accounts and team users are not listed', async () => {
    const admin = await tokenClient('admin');
    const withDomain = await h.core.accounts.create(SYSTEM_ACTOR, {
      username: `dom${admin.user.id.slice(0, 8)}`,
      password: 'correct horse battery',
      domain: 'Shop.Example.com',
    });
    const { owner, mail, team } = await family();
    const fn = 'twofactorauth_get_user_configs';
    const all = ok(await admin.call(fn), fn) ?? {};
    expect(all[withDomain.username]).toEqual({ is_enabled: 0, primary_domain: 'shop.example.com' });
    expect(all[owner.user.username]).toEqual({ is_enabled: 0, primary_domain: '' });
    expect(Object.keys(all)).not.toContain(mail);
    expect(Object.keys(all)).not.toContain(team);
    expect(ok(await admin.call(fn, { user: withDomain.username }), fn)).toEqual({
      [withDomain.username]: { is_enabled: 0, primary_domain: 'shop.example.com' },
    });
  });

  it('get_tfa_config_for_user: the secrets of the account’s e-mail accounts and team users too, each recorded', async () => {
    const admin = await tokenClient('admin');
    const { owner, mail, team } = await family();
    const fn = 'twofactorauth_get_tfa_config_for_user';
    // Sub-keys appear only where there is 2FA.
    expect(ok(await admin.call(fn, { user: owner.user.username }), fn)).toEqual({ [owner.user.username]: {} });
    const keys = { primary: 'QLLIU5WTY3UTJGNG', mail: 'JBSWY3DPEHPK3PXP', team: 'GEZDGNBVGY3TQOJQ' };
    const set = await admin.postJson('twofactorauth_set_tfa_config_for_user', {
      [owner.user.username]: {
        primary_account: { secret: keys.primary },
        email: { [mail]: { secret: keys.mail } },
        team: { [team]: { secret: keys.team } },
      },
    });
    ok(set, 'twofactorauth_set_tfa_config_for_user');
    h.clock.advanceSeconds(30);
    expect(ok(await admin.call(fn, { user: owner.user.username }), fn)).toEqual({
      [owner.user.username]: {
        primary_account: { secret: keys.primary },
        email: { [mail]: { secret: keys.mail } },
        team: { [team]: { secret: keys.team } },
      },
    });
    const teamUser = await h.core.accounts.getByUsername(team);
    const history = await h.storage.history.list({ userId: teamUser.id }, 'desc', 10, 0);
    expect(history.items.map((entry) => [entry.action, entry.actor])).toEqual([
      ['export', 'admin'],
      ['import', 'admin'],
    ]);
    // An e-mail account or team user is not a cPanel account of its own here.
    failed(await admin.call(fn, { user: team }), fn, `Invalid user: ${team}`);
  });

  it('set_tfa_config_for_user: replaces the sub-accounts’ keys after purging the old ones; foreign or unknown names change nothing', async () => {
    const admin = await tokenClient('admin');
    const { owner, mail, team } = await family();
    const stranger = await family('other.example');
    const fn = 'twofactorauth_set_tfa_config_for_user';
    const name = owner.user.username;
    const first = { primary: 'QLLIU5WTY3UTJGNG', mail: 'JBSWY3DPEHPK3PXP', team: 'GEZDGNBVGY3TQOJQ' };
    ok(
      await admin.postJson(fn, {
        [name]: {
          primary_account: { secret: first.primary },
          email: { [mail]: { secret: first.mail } },
          team: { [team]: { secret: first.team } },
        },
      }),
      fn,
    );
    h.clock.advanceSeconds(30);
    expect(await codeWorks(mail, first.mail)).toBe(true);

    const refusals: [unknown, string][] = [
      [
        { [name]: { primary_account: { secret: first.team }, email: { [stranger.mail]: { secret: first.mail } } } },
        `The email account “${stranger.mail}” does not belong to “${name}”.`,
      ],
      [
        { [name]: { team: { [stranger.team]: { secret: first.mail } } } },
        `The team user “${stranger.team}” does not belong to “${name}”.`,
      ],
      // The right owner, the wrong kind.
      [
        { [name]: { team: { [mail]: { secret: first.mail } } } },
        `The team user “${mail}” does not belong to “${name}”.`,
      ],
      [
        { [name]: { email: { 'ghost@example.com': { secret: first.mail } } } },
        `The email account “ghost@example.com” does not belong to “${name}”.`,
      ],
    ];
    for (const [body, reason] of refusals) failed(await admin.postJson(fn, body), fn, reason);
    h.clock.advanceSeconds(30);
    expect(await codeWorks(team, first.team)).toBe(true);

    // The team user alone now: the primary account's 2FA and the e-mail account's key are purged.
    const second = 'MFRGGZDFMZTWQ2LK';
    ok(await admin.postJson(fn, { [name]: { team: { [team]: { secret: second } } } }), fn);
    h.clock.advanceSeconds(30);
    expect(
      ok(
        await admin.call('twofactorauth_get_tfa_config_for_user', { user: name }),
        'twofactorauth_get_tfa_config_for_user',
      ),
    ).toEqual({
      [name]: { team: { [team]: { secret: second } } },
    });
    expect(await h.storage.factors.activeKinds((await h.core.accounts.getByUsername(mail)).id)).toEqual([]);
    expect(await codeWorks(team, second)).toBe(true);
  });

  it('remove_user_config on an owner leaves its sub-accounts alone; a sub-account named is reset', async () => {
    const admin = await tokenClient('admin');
    const { owner, mail, team } = await family();
    const keys = { primary: 'QLLIU5WTY3UTJGNG', mail: 'JBSWY3DPEHPK3PXP', team: 'GEZDGNBVGY3TQOJQ' };
    ok(
      await admin.postJson('twofactorauth_set_tfa_config_for_user', {
        [owner.user.username]: {
          primary_account: { secret: keys.primary },
          email: { [mail]: { secret: keys.mail } },
          team: { [team]: { secret: keys.team } },
        },
      }),
      'twofactorauth_set_tfa_config_for_user',
    );
    const fn = 'twofactorauth_remove_user_config';
    expect(ok(await admin.call(fn, { user: owner.user.username }), fn)).toEqual({
      failed: {},
      users_modified: [owner.user.username],
    });
    const get = 'twofactorauth_get_tfa_config_for_user';
    expect(ok(await admin.call(get, { user: owner.user.username }), get)).toEqual({
      [owner.user.username]: { email: { [mail]: { secret: keys.mail } }, team: { [team]: { secret: keys.team } } },
    });
    expect(ok(await admin.call(fn, { 'user-1': mail }), fn)).toEqual({ failed: {}, users_modified: [mail] });
    expect(ok(await admin.call(get, { user: owner.user.username }), get)).toEqual({
      [owner.user.username]: { team: { [team]: { secret: keys.team } } },
    });
  });

  it('a non-admin calling each admin function gets result 0 "Access denied" and no one’s data', async () => {
    const user = await tokenClient();
    const victim = await tokenClient();
    await enable(victim);
    const calls: [string, Params][] = [
      ['twofactorauth_remove_user_config', { user: victim.user.username }],
      ['twofactorauth_remove_user_config', { user: user.user.username }],
      ['twofactorauth_policy_status', {}],
      ['twofactorauth_enable_policy', {}],
      ['twofactorauth_disable_policy', {}],
      ['twofactorauth_get_tfa_config_for_user', { user: victim.user.username }],
      ['twofactorauth_get_tfa_config_for_user', { user: user.user.username }],
      ['twofactorauth_get_tfa_config_for_user', { user: 'ghost-user' }],
    ];
    for (const [fn, params] of calls) failed(await user.call(fn, params), fn, 'Access denied');
    for (const name of [victim.user.username, user.user.username]) {
      const fn = 'twofactorauth_set_tfa_config_for_user';
      failed(
        await user.postJson(fn, { [name]: { primary_account: { secret: 'QLLIU5WTY3UTJGNG' } } }),
        fn,
        'Access denied',
      );
    }
    expect(await h.core.policy.get()).toMatchObject({ required: false });
    expect((await h.core.admin.controlledAccount(SYSTEM_ACTOR, victim.user.username)).methods).toEqual(['totp']);
  });

  it('a read-only token may read but not change', async () => {
    const reader = await tokenClient('admin', 'read');
    ok(await reader.call('twofactorauth_policy_status'), 'twofactorauth_policy_status');
    failed(await reader.call('twofactorauth_enable_policy'), 'twofactorauth_enable_policy', 'Access denied');
    failed(await reader.call('twofactorauth_set_issuer', { issuer: 'x' }), 'twofactorauth_set_issuer', 'Access denied');
  });

  it('credentials: Basic or whm USER:TOKEN; anything else, or wrong, is 401 with the envelope', async () => {
    const byPassword = await basicClient();
    ok(await byPassword.call('twofactorauth_get_issuer'), 'twofactorauth_get_issuer');
    const fn = 'twofactorauth_get_issuer';
    const wrong = clientWith(byPassword.user, { authorization: basic(byPassword.user.username, 'not it') });
    failed(await wrong.call(fn), fn, /./, 401);
    failed(await clientWith(byPassword.user, {}).call(fn), fn, /Authentication is required/, 401);

    const byToken = await tokenClient();
    const token = byToken.headers.authorization?.split(':')[1] ?? '';
    ok(await byToken.call(fn), fn);
    // UAPI's scheme is not WHM's; a token is its owner's only.
    failed(
      await clientWith(byToken.user, { authorization: `cpanel ${byToken.user.username}:${token}` }).call(fn),
      fn,
      /./,
      401,
    );
    failed(
      await clientWith(byToken.user, { authorization: `whm ${byPassword.user.username}:${token}` }).call(fn),
      fn,
      /./,
      401,
    );
  });

  it('wrong passwords through Basic count toward the account’s throttle: then 429 with the envelope', async () => {
    const user = await createSignedInUser(h);
    const fn = 'twofactorauth_get_issuer';
    const call = (password: string) =>
      h.app.inject({
        url: `/json-api/${fn}`,
        headers: { authorization: basic(user.username, password) },
        remoteAddress: '203.0.113.77',
      });
    for (let i = 0; i < 5; i++) failed(await call('not the password'), fn, /./, 401);
    const throttled = await call(user.password);
    failed(throttled, fn, /./, 429);
    expect(throttled.headers['retry-after']).toBeDefined();
    // The fifth failure blocked the account for ten minutes.
    h.clock.advanceSeconds(600);
    ok(await call(user.password), fn);
  });

  it('X-CPANEL-OTP: an account with 2FA needs its current code with a password; a token does not', async () => {
    const c = await tokenClient();
    const secret = await enable(c);
    const fn = 'twofactorauth_get_issuer';
    const authorization = basic(c.user.username, c.user.password);
    // Without the header: 403 with the envelope, and the reason names the header.
    failed(await clientWith(c.user, { authorization }).call(fn), fn, /X-CPANEL-OTP/, 403);
    failed(await clientWith(c.user, { authorization, 'x-cpanel-otp': '' }).call(fn), fn, /X-CPANEL-OTP/, 403);
    // A wrong code, and one that is not a code at all.
    const wrong = wrongCode(oathtoolCode(secret, h.clock.now()));
    failed(
      await clientWith(c.user, { authorization, 'x-cpanel-otp': wrong }).call(fn),
      fn,
      /X-CPANEL-OTP refused/,
      403,
    );
    failed(
      await clientWith(c.user, { authorization, 'x-cpanel-otp': 'abc' }).call(fn),
      fn,
      /X-CPANEL-OTP refused/,
      403,
    );
    // The right code, once: the same code again is refused (a script uses a token or a session).
    const code = oathtoolCode(secret, h.clock.now());
    const withCode = clientWith(c.user, { authorization, 'x-cpanel-otp': code });
    ok(await withCode.call(fn), fn);
    failed(await withCode.call(fn), fn, /X-CPANEL-OTP refused/, 403);
    // A right code with a wrong password is wrong credentials, and does not spend the code.
    h.clock.advanceSeconds(30);
    const next = oathtoolCode(secret, h.clock.now());
    const badPassword = basic(c.user.username, 'not it');
    failed(await clientWith(c.user, { authorization: badPassword, 'x-cpanel-otp': next }).call(fn), fn, /./, 401);
    ok(await clientWith(c.user, { authorization, 'x-cpanel-otp': next }).call(fn), fn);
    // The API token needs no header, call after call.
    ok(await c.call(fn), fn);
    ok(await c.call(fn), fn);
  });

  it('X-CPANEL-OTP failures count toward the account’s second-factor lockout', async () => {
    const c = await tokenClient();
    const secret = await enable(c);
    const fn = 'twofactorauth_get_issuer';
    const authorization = basic(c.user.username, c.user.password);
    for (let i = 0; i < 5; i++) {
      const wrong = wrongCode(oathtoolCode(secret, h.clock.now()));
      failed(await clientWith(c.user, { authorization, 'x-cpanel-otp': wrong }).call(fn), fn, /X-CPANEL-OTP/, 403);
    }
    // Locked: even the right code is refused now.
    const right = oathtoolCode(secret, h.clock.now());
    failed(
      await clientWith(c.user, { authorization, 'x-cpanel-otp': right }).call(fn),
      fn,
      /X-CPANEL-OTP refused/,
      403,
    );
    expect(json(await verifyCode(h.app, c.user.accessToken, right))).not.toEqual({ valid: true });
  });

  it('an unknown function answers as cPanel does', async () => {
    const c = await tokenClient();
    failed(
      await c.call('twofactorauth_no_such_thing', { 'api.version': 1 }),
      'twofactorauth_no_such_thing',
      'Unknown app (twofactorauth_no_such_thing) requested for this version (1) of the API.',
    );
  });

  it('the native API still refuses a form body, and the document lists the eleven functions', async () => {
    const native = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'username=a&password=b',
    });
    expect(native.statusCode).toBe(415);
    const document = json<{ paths: Record<string, unknown> }>(await h.app.inject({ url: '/openapi/whm.json' }));
    const functions = Object.keys(document.paths).filter((path) => path.startsWith('/json-api/twofactorauth_'));
    expect(functions).toHaveLength(11);
  });
});
