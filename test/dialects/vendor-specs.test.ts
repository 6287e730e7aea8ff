import type { AddressInfo } from 'node:net';
import { SYSTEM_ACTOR } from '@tessera/core';
import axios, { type AxiosResponse } from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtoolCode } from '../support/external-tools.js';
import { createHarness, createSignedInUser, type Harness, type SignedInUser } from '../support/harness.js';
import { wrongCode } from '../support/totp-user.js';
import { VENDOR_SPECS_DIR, VendorSpec, vendorSpecSuiteName } from '../support/vendor-specs.js';

/**
 * Every dialect answer, success and each error, validated against the vendor's own OpenAPI
 * document (Ajv over its schemas, `$ref`s resolved; test/support/vendor-specs.ts): what a client
 * generated from that document parses. Mudbase's requests are the ones its typescript-axios SDK
 * sends, made with axios itself over a real socket; WHM's and UAPI's as cPanel scripts send them.
 */
describe.skipIf(!VENDOR_SPECS_DIR)(vendorSpecSuiteName('dialect answers against the vendor specs'), () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await createHarness();
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await h.close();
  });

  describe('Mudbase (mudbase-2fa.openapi.json), through the requests of its typescript-axios SDK', () => {
    let spec: VendorSpec;
    beforeAll(() => {
      spec = new VendorSpec('mudbase-2fa.openapi.json');
    });

    /** What the generated SDK sends for an operation with a JSON body: the serialised body, `application/json`. */
    function withBody(path: string, body: object, token?: string): Promise<AxiosResponse> {
      return axios.request({
        method: 'POST',
        url: `${base}${path}`,
        data: JSON.stringify(body),
        headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        validateStatus: () => true,
      });
    }

    /**
     * What it sends for an operation without a body (setup2FA): no data, the bearer token; axios
     * then sends `Content-Length: 0`, and the SDK's generated clients in the wild declare a form type.
     */
    function withoutBody(path: string, token?: string, contentType?: string): Promise<AxiosResponse> {
      return axios.request({
        method: 'POST',
        url: `${base}${path}`,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(contentType ? { 'Content-Type': contentType } : {}),
        },
        validateStatus: () => true,
      });
    }

    /**
     * The answer validates against the vendor's schema for its status, or, for a status the vendor
     * does not document for that operation (a 400 of verify, a 429), against its `Error` schema:
     * what a client generated from the document parses an error with.
     */
    function expectVendorShape(path: string, response: AxiosResponse, status: number): void {
      expect(response.status, JSON.stringify(response.data)).toBe(status);
      const errors = spec.documents(path, 'post', status)
        ? spec.responseErrors(path, 'post', status, response.data)
        : spec.schemaErrors('Error', response.data);
      expect(errors, `${path} ${status}: ${JSON.stringify(response.data)}`).toEqual([]);
      if (status >= 400) expect(spec.schemaErrors('Error', response.data)).toEqual([]);
    }

    async function setUp(user: SignedInUser): Promise<{ secret: string; backupCodes: string[] }> {
      const setup = await withoutBody('/api/users/2fa/setup', user.accessToken, 'application/x-www-form-urlencoded');
      expectVendorShape('/api/users/2fa/setup', setup, 200);
      return setup.data as { secret: string; backupCodes: string[] };
    }

    it('login (loginUser): 200 with the vendor User; 401 for a wrong password, a missing, wrong or replayed code', async () => {
      const user = await createSignedInUser(h);
      const login = (totpToken?: string, password = user.password) =>
        withBody('/api/auth/login', { email: user.email, password, ...(totpToken ? { totpToken } : {}) });
      const plain = await login();
      expectVendorShape('/api/auth/login', plain, 200);
      // Only the vendor's own User fields: a client typed from the document reads them all.
      const declared = spec.propertiesOf('User');
      for (const key of Object.keys(plain.data.user)) expect(declared, key).toContain(key);
      expect(plain.data.user._id).toBe(user.id);
      expectVendorShape('/api/auth/login', await login(undefined, 'wrong password'), 401);

      const { secret } = await setUp(user);
      const code = oathtoolCode(secret, h.clock.now());
      expectVendorShape(
        '/api/users/2fa/verify',
        await withBody('/api/users/2fa/verify', { token: code }, user.accessToken),
        200,
      );
      h.clock.advanceSeconds(30);
      expectVendorShape('/api/auth/login', await login(), 401);
      const next = oathtoolCode(secret, h.clock.now());
      expectVendorShape('/api/auth/login', await login(wrongCode(next)), 401);
      expectVendorShape('/api/auth/login', await login(next), 200);
      expectVendorShape('/api/auth/login', await login(next), 401);
      // A body the schema refuses: 400 in the vendor's Error shape.
      const invalid = await withBody('/api/auth/login', { email: user.email });
      expectVendorShape('/api/auth/login', invalid, 400);
      expect(invalid.data.details).toEqual({ field: 'body.password' });
    });

    it('login: a locked second factor is 429 in the vendor Error shape', async () => {
      const user = await createSignedInUser(h);
      const { secret } = await setUp(user);
      await withBody('/api/users/2fa/verify', { token: oathtoolCode(secret, h.clock.now()) }, user.accessToken);
      h.clock.advanceSeconds(30);
      const code = oathtoolCode(secret, h.clock.now());
      for (let i = 0; i < 5; i++)
        await withBody('/api/auth/login', { email: user.email, password: user.password, totpToken: wrongCode(code) });
      expectVendorShape(
        '/api/auth/login',
        await withBody('/api/auth/login', { email: user.email, password: user.password, totpToken: code }),
        429,
      );
    });

    it('refresh (refreshToken): 200 with the vendor message; 401 for a reused token; 400 without one', async () => {
      const user = await createSignedInUser(h);
      const rotated = await withBody('/api/auth/refresh', { refreshToken: user.refreshToken });
      expectVendorShape('/api/auth/refresh', rotated, 200);
      expect(rotated.data.message).toBe('Token refreshed successfully');
      expectVendorShape(
        '/api/auth/refresh',
        await withBody('/api/auth/refresh', { refreshToken: user.refreshToken }),
        401,
      );
      expectVendorShape('/api/auth/refresh', await withBody('/api/auth/refresh', {}), 400);
    });

    it('setup2FA: 200 whatever the SDK declares for its empty body (none, form, JSON); 401 without a JWT', async () => {
      const user = await createSignedInUser(h);
      for (const contentType of [undefined, 'application/x-www-form-urlencoded', 'application/json']) {
        expectVendorShape(
          '/api/users/2fa/setup',
          await withoutBody('/api/users/2fa/setup', user.accessToken, contentType),
          200,
        );
      }
      expectVendorShape('/api/users/2fa/setup', await withoutBody('/api/users/2fa/setup'), 401);
    });

    it('verify2FA and disable2FA: 200 and every error in the vendor Error shape', async () => {
      const user = await createSignedInUser(h);
      expectVendorShape(
        '/api/users/2fa/verify',
        await withBody('/api/users/2fa/verify', { token: '123456' }, user.accessToken),
        400,
      );
      const { secret } = await setUp(user);
      const code = oathtoolCode(secret, h.clock.now());
      expectVendorShape(
        '/api/users/2fa/verify',
        await withBody('/api/users/2fa/verify', { token: wrongCode(code) }, user.accessToken),
        400,
      );
      expectVendorShape('/api/users/2fa/verify', await withBody('/api/users/2fa/verify', {}, user.accessToken), 400);
      expectVendorShape(
        '/api/users/2fa/verify',
        await withBody('/api/users/2fa/verify', { token: code }, user.accessToken),
        200,
      );
      h.clock.advanceSeconds(30);
      const next = oathtoolCode(secret, h.clock.now());
      const disable = (body: object) => withBody('/api/users/2fa/disable', body, user.accessToken);
      expectVendorShape('/api/users/2fa/disable', await disable({ password: 'nope', token: next }), 400);
      expectVendorShape(
        '/api/users/2fa/disable',
        await disable({ password: user.password, token: wrongCode(next) }),
        400,
      );
      expectVendorShape('/api/users/2fa/disable', await disable({ token: next }), 400);
      expectVendorShape('/api/users/2fa/disable', await disable({ password: user.password, token: next }), 200);
      expectVendorShape('/api/users/2fa/disable', await withBody('/api/users/2fa/disable', {}, 'not-a-jwt'), 401);
    });
  });

  /** A cPanel call as a script makes it: GET with the arguments in the query, or POST with a JSON body. */
  async function cpanelCall(
    path: string,
    authorization: string,
    params: Record<string, string> = {},
    json?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const query = new URLSearchParams(params).toString();
    const response = await fetch(`${base}${path}${query ? `?${query}` : ''}`, {
      method: json === undefined ? 'GET' : 'POST',
      headers: { authorization, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    return { status: response.status, body: await response.json() };
  }

  const basic = (user: SignedInUser) => `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;

  describe('WHM API 1 (whm-twofactorauth.openapi.json): all 11 functions, success and failure', () => {
    let spec: VendorSpec;
    beforeAll(() => {
      spec = new VendorSpec('whm-twofactorauth.openapi.json');
    });

    /** Each answer (HTTP 200 with result 0 or 1, or the envelope with 401) against the function's schema. */
    async function whm(
      fn: string,
      authorization: string,
      params: Record<string, string> = {},
      expected: { result: 0 | 1; status?: number },
      json?: unknown,
    ): Promise<Record<string, unknown>> {
      const { status, body } = await cpanelCall(`/json-api/${fn}`, authorization, params, json);
      expect(status, JSON.stringify(body)).toBe(expected.status ?? 200);
      const method = fn === 'twofactorauth_set_tfa_config_for_user' ? 'post' : 'get';
      expect(spec.responseErrors(`/${fn}`, method, status, body, 200), `${fn}: ${JSON.stringify(body)}`).toEqual([]);
      expect(body).toMatchObject({ metadata: { command: fn, result: expected.result, version: 1 } });
      return body as Record<string, unknown>;
    }

    it('every function answers in the vendor schema, for success and for each kind of failure', async () => {
      const admin = await createSignedInUser(h, { role: 'admin' });
      const user = await createSignedInUser(h);
      const adminAuth = basic(admin);
      const userAuth = basic(user);
      const OK = { result: 1 as const };
      const FAILED = { result: 0 as const };

      const generated = await whm('twofactorauth_generate_tfa_config', userAuth, {}, OK);
      const secret = String((generated.data as { secret: string }).secret);
      const code = oathtoolCode(secret, h.clock.now());
      await whm('twofactorauth_set_tfa_config', userAuth, { secret, tfa_token: wrongCode(code) }, FAILED);
      await whm('twofactorauth_set_tfa_config', userAuth, { secret: 'AAAAAAAAAAAAAAAA', tfa_token: code }, FAILED);
      await whm('twofactorauth_set_tfa_config', userAuth, { tfa_token: code }, FAILED);
      await whm('twofactorauth_set_tfa_config', userAuth, { secret, tfa_token: code }, OK);
      h.clock.advanceSeconds(30);
      const userWithOtp = { authorization: userAuth, otp: () => oathtoolCode(secret, h.clock.now()) };

      await whm('twofactorauth_get_issuer', adminAuth, {}, OK);
      await whm('twofactorauth_set_issuer', adminAuth, { issuer: 'Vendor Spec' }, OK);
      await whm('twofactorauth_set_issuer', adminAuth, { issuer: 'x'.repeat(40) }, FAILED);
      await whm('twofactorauth_set_issuer', adminAuth, {}, FAILED);

      await whm('twofactorauth_get_user_configs', adminAuth, {}, OK);
      await whm('twofactorauth_get_user_configs', adminAuth, { user: user.username }, OK);
      await whm('twofactorauth_get_user_configs', adminAuth, { user: 'no-such-user' }, FAILED);

      await whm('twofactorauth_policy_status', adminAuth, {}, OK);
      await whm('twofactorauth_disable_policy', adminAuth, {}, OK);
      await whm('twofactorauth_generate_tfa_config', adminAuth, {}, FAILED);
      await whm('twofactorauth_enable_policy', adminAuth, {}, OK);
      await whm('twofactorauth_policy_status', adminAuth, {}, OK);

      await whm('twofactorauth_get_tfa_config_for_user', adminAuth, { user: user.username }, OK);
      await whm('twofactorauth_get_tfa_config_for_user', adminAuth, { user: 'no-such-user' }, FAILED);
      await whm('twofactorauth_get_tfa_config_for_user', adminAuth, {}, FAILED);
      const fn = 'twofactorauth_set_tfa_config_for_user';
      await whm(fn, adminAuth, {}, OK, { [user.username]: { primary_account: { secret: 'QLLIU5WTY3UTJGNG' } } });
      await whm(fn, adminAuth, {}, FAILED, { [user.username]: { primary_account: { secret: '' } } });
      await whm(fn, adminAuth, {}, FAILED, { 'no-such-user': { primary_account: { secret: 'QLLIU5WTY3UTJGNG' } } });

      await whm('twofactorauth_remove_user_config', adminAuth, { user: user.username }, OK);
      await whm('twofactorauth_remove_user_config', adminAuth, { user: 'no-such-user' }, OK);
      await whm('twofactorauth_remove_user_config', adminAuth, {}, FAILED);

      // A non-admin: "Access denied" for each admin function.
      const other = await createSignedInUser(h);
      for (const admins of [
        'twofactorauth_policy_status',
        'twofactorauth_enable_policy',
        'twofactorauth_disable_policy',
        'twofactorauth_remove_user_config',
        'twofactorauth_get_tfa_config_for_user',
      ]) {
        await whm(admins, basic(other), { user: user.username }, FAILED);
      }
      await whm(fn, basic(other), {}, FAILED, { [user.username]: { primary_account: { secret: 'QLLIU5WTY3UTJGNG' } } });
      // Credentials missing or wrong: 401, the same envelope.
      await whm('twofactorauth_get_issuer', 'Basic bm9ib2R5Om5vdGhpbmc=', {}, { result: 0, status: 401 });
      await whm('twofactorauth_get_issuer', `whm ${other.username}:tsa_made-up`, {}, { result: 0, status: 401 });
      expect(userWithOtp.otp()).toMatch(/^\d{6}$/);
      await h.core.policy.update(SYSTEM_ACTOR, { methods: { totp: true } });
    });
  });

  describe('UAPI (cpanel-uapi-twofactorauth.openapi.json): all 5 functions, success and failure', () => {
    let spec: VendorSpec;
    beforeAll(() => {
      spec = new VendorSpec('cpanel-uapi-twofactorauth.openapi.json');
    });

    async function uapi(
      func: string,
      authorization: string,
      params: Record<string, string>,
      expected: { status: 0 | 1; http?: number },
    ): Promise<Record<string, unknown>> {
      const { status, body } = await cpanelCall(`/execute/TwoFactorAuth/${func}`, authorization, params);
      expect(status, JSON.stringify(body)).toBe(expected.http ?? 200);
      expect(
        spec.responseErrors(`/TwoFactorAuth/${func}`, 'get', status, body, 200),
        `${func}: ${JSON.stringify(body)}`,
      ).toEqual([]);
      expect(body).toMatchObject({ result: { status: expected.status } });
      return body as Record<string, unknown>;
    }

    it('every function answers in the vendor schema, for success and for each kind of failure', async () => {
      const owner = await createSignedInUser(h);
      const auth = basic(owner);
      const OK = { status: 1 as const };
      const FAILED = { status: 0 as const };
      await uapi('get_user_configuration', auth, {}, OK);
      const generated = await uapi('generate_user_configuration', auth, {}, OK);
      const secret = String((generated.result as { data: { secret: string } }).data.secret);
      const code = oathtoolCode(secret, h.clock.now());
      await uapi('set_user_configuration', auth, { secret, tfa_token: wrongCode(code) }, FAILED);
      await uapi('set_user_configuration', auth, { tfa_token: code }, FAILED);
      await uapi('set_user_configuration', auth, { secret, tfa_token: code }, OK);
      h.clock.advanceSeconds(30);
      const token = (await h.core.apiTokens.issue(owner.id, 'uapi script', 'write')).token;
      const tokenAuth = `cpanel ${owner.username}:${token}`;
      await uapi('get_user_configuration', tokenAuth, {}, OK);

      const team = await h.core.accounts.create(SYSTEM_ACTOR, {
        username: `dev@${owner.username}`,
        password: 'correct horse battery',
        owner: owner.username,
        subKind: 'team',
      });
      await uapi('get_team_user_configuration', tokenAuth, { team_user: team.username }, OK);
      await h.core.admin.importTotp(SYSTEM_ACTOR, team.id, { secret: 'QLLIU5WTY3UTJGNG' });
      await uapi('get_team_user_configuration', tokenAuth, { team_user: team.username }, OK);
      await uapi('get_team_user_configuration', tokenAuth, { team_user: 'nobody@nowhere' }, FAILED);
      await uapi('get_team_user_configuration', tokenAuth, {}, FAILED);

      const now = oathtoolCode(secret, h.clock.now());
      await uapi('remove_user_configuration', tokenAuth, {}, FAILED);
      await uapi('remove_user_configuration', tokenAuth, { tfa_token: wrongCode(now) }, FAILED);
      await uapi('remove_user_configuration', tokenAuth, { tfa_token: now }, OK);
      await uapi('remove_user_configuration', tokenAuth, {}, OK);
      await uapi('get_user_configuration', 'Basic bm9ib2R5Om5vdGhpbmc=', {}, { status: 0, http: 401 });
    });
  });
});
