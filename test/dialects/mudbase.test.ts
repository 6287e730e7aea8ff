import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtoolCode, zbarimgDataUrl } from '../support/external-tools.js';
import {
  bearer,
  createHarness,
  createSignedInUser,
  type Harness,
  json,
  type SignedInUser,
} from '../support/harness.js';
import { wrongCode } from '../support/totp-user.js';

interface SetupBody {
  secret: string;
  qrCode: string;
  manualEntryKey: string;
  backupCodes: string[];
}

const ERROR_SHAPE = {
  error: expect.any(String),
  code: expect.any(String),
  timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  path: expect.stringMatching(/^\/api\//),
  requestId: expect.any(String),
};

/**
 * Mudbase's 2FA API (catalogue section 4, seed 004) and the login and refresh it is used with:
 * every documented request, field by field, then what the vendor leaves open.
 */
describe('Mudbase dialect', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const post = (url: string, payload?: object, token?: string) =>
    h.app.inject({ method: 'POST', url, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });

  async function login(user: SignedInUser, totpToken?: string) {
    return post('/api/auth/login', { email: user.email, password: user.password, ...(totpToken ? { totpToken } : {}) });
  }

  /** A user who set up and confirmed 2FA through Mudbase's calls; the clock moved past the confirming code. */
  async function enabledUser() {
    const user = await createSignedInUser(h);
    const setup = json<SetupBody>(await post('/api/users/2fa/setup', undefined, user.accessToken));
    const verified = await post(
      '/api/users/2fa/verify',
      { token: oathtoolCode(setup.secret, h.clock.now()) },
      user.accessToken,
    );
    expect(verified.statusCode).toBe(200);
    h.clock.advanceSeconds(30);
    return { user, setup };
  }

  it("POST /api/auth/login answers the token pair and the vendor's User: _id, the mapped role, twoFactorEnabled", async () => {
    const user = await createSignedInUser(h);
    const response = await login(user);
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({
      message: 'Login successful',
      token: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 900,
      user: {
        _id: user.id,
        email: user.email,
        role: 'member',
        twoFactorEnabled: false,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    });
  });

  it("an admin is the vendor's admin (a user is its member)", async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const adminLogin = json<{ user: { role: string } }>(await login(admin));
    expect(adminLogin.user.role).toBe('admin');
  });

  it('POST /api/users/2fa/setup answers secret, a PNG QR code of the otpauth URI, the key in groups, and backup codes', async () => {
    const user = await createSignedInUser(h);
    const response = await post('/api/users/2fa/setup', undefined, user.accessToken);
    expect(response.statusCode).toBe(200);
    const body = json<SetupBody>(response);
    expect(Object.keys(body).sort()).toEqual(['backupCodes', 'manualEntryKey', 'qrCode', 'secret']);
    expect(body.secret).toMatch(/^[A-Z2-7]{32,}$/);
    expect(body.manualEntryKey.replaceAll(' ', '')).toBe(body.secret);
    expect(body.manualEntryKey).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
    expect(body.qrCode).toMatch(/^data:image\/png;base64,/);
    const uri = new URL(zbarimgDataUrl(body.qrCode));
    expect(uri.searchParams.get('secret')).toBe(body.secret);
    expect(body.backupCodes).toHaveLength(10);
    for (const code of body.backupCodes) expect(code).toMatch(/^\d{8}$/);
  });

  it('POST /api/users/2fa/verify {token} enables 2FA, and the backup codes with it', async () => {
    const user = await createSignedInUser(h);
    const setup = json<SetupBody>(await post('/api/users/2fa/setup', undefined, user.accessToken));
    const response = await post(
      '/api/users/2fa/verify',
      { token: oathtoolCode(setup.secret, h.clock.now()) },
      user.accessToken,
    );
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ message: '2FA enabled successfully' });
    const status = json<{ methods: string[]; backupCodesRemaining: number }>(
      await h.app.inject({ url: '/api/v1/me/2fa', headers: bearer(user.accessToken) }),
    );
    expect(status.methods.sort()).toEqual(['backup_codes', 'totp']);
    expect(status.backupCodesRemaining).toBe(10);
  });

  it('verify answers 400 for a wrong, a replayed or a malformed code, and without a setup', async () => {
    const user = await createSignedInUser(h);
    const none = await post('/api/users/2fa/verify', { token: '123456' }, user.accessToken);
    expect(none.statusCode).toBe(400);
    expect(json(none)).toEqual({ ...ERROR_SHAPE, code: 'TWO_FACTOR_NOT_SET_UP' });

    const setup = json<SetupBody>(await post('/api/users/2fa/setup', undefined, user.accessToken));
    const code = oathtoolCode(setup.secret, h.clock.now());
    for (const token of [wrongCode(code), '12ab56', '1234567']) {
      const response = await post('/api/users/2fa/verify', { token }, user.accessToken);
      expect(response.statusCode, token).toBe(400);
      expect(json(response)).toEqual({ ...ERROR_SHAPE, code: 'INVALID_2FA_TOKEN', path: '/api/users/2fa/verify' });
    }
    expect((await post('/api/users/2fa/verify', {}, user.accessToken)).statusCode).toBe(400);
    expect((await post('/api/users/2fa/verify', { token: code }, user.accessToken)).statusCode).toBe(200);
  });

  it('login with 2FA needs the code: 401 TWO_FACTOR_REQUIRED without it, tokens with it, a backup code works too', async () => {
    const { user, setup } = await enabledUser();
    const missing = await login(user);
    expect(missing.statusCode).toBe(401);
    expect(json(missing)).toEqual({ ...ERROR_SHAPE, code: 'TWO_FACTOR_REQUIRED' });
    expect(json(missing)).not.toHaveProperty('token');

    const withCode = await login(user, oathtoolCode(setup.secret, h.clock.now()));
    expect(withCode.statusCode).toBe(200);
    expect(json<{ user: { twoFactorEnabled: boolean } }>(withCode).user.twoFactorEnabled).toBe(true);

    const withBackup = await login(user, setup.backupCodes[0]);
    expect(withBackup.statusCode).toBe(200);
    const reused = await login(user, setup.backupCodes[0]);
    expect(reused.statusCode).toBe(401);
    expect(json(reused)).toEqual({ ...ERROR_SHAPE, code: 'INVALID_2FA_TOKEN', path: '/api/auth/login' });
  });

  it('login answers 401 (the vendor documents 200 and 401 only) for a wrong, a replayed or a malformed totpToken', async () => {
    const { user, setup } = await enabledUser();
    const code = oathtoolCode(setup.secret, h.clock.now());
    expect((await login(user, code)).statusCode).toBe(200);
    for (const totpToken of [code, wrongCode(code), '12ab56']) {
      const refused = await login(user, totpToken);
      expect(refused.statusCode, totpToken).toBe(401);
      expect(json(refused)).toEqual({ ...ERROR_SHAPE, code: 'INVALID_2FA_TOKEN', path: '/api/auth/login' });
    }
  });

  it('login refuses a wrong password with 401 INVALID_CREDENTIALS', async () => {
    const user = await createSignedInUser(h);
    const response = await post('/api/auth/login', { email: user.email, password: 'not the password' });
    expect(response.statusCode).toBe(401);
    expect(json(response)).toEqual({ ...ERROR_SHAPE, code: 'INVALID_CREDENTIALS', path: '/api/auth/login' });
  });

  it('POST /api/auth/refresh rotates the pair; a reused refresh token is refused', async () => {
    const user = await createSignedInUser(h);
    const first = json<{ refreshToken: string }>(await login(user));
    const rotated = await post('/api/auth/refresh', { refreshToken: first.refreshToken });
    expect(rotated.statusCode).toBe(200);
    expect(json(rotated)).toEqual({
      message: 'Token refreshed successfully',
      token: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 900,
    });
    const reused = await post('/api/auth/refresh', { refreshToken: first.refreshToken });
    expect(reused.statusCode).toBe(401);
    expect(json(reused)).toEqual({ ...ERROR_SHAPE, code: 'INVALID_REFRESH_TOKEN' });
  });

  it('POST /api/users/2fa/disable {password, token} disables 2FA; a wrong password or code is 400, saying which', async () => {
    const { user, setup } = await enabledUser();
    const code = oathtoolCode(setup.secret, h.clock.now());
    const badPassword = await post('/api/users/2fa/disable', { password: 'nope', token: code }, user.accessToken);
    expect(badPassword.statusCode).toBe(400);
    expect(json(badPassword)).toEqual({ ...ERROR_SHAPE, code: 'INVALID_PASSWORD' });
    const badCode = await post(
      '/api/users/2fa/disable',
      { password: user.password, token: wrongCode(code) },
      user.accessToken,
    );
    expect(badCode.statusCode).toBe(400);
    expect(json(badCode)).toEqual({ ...ERROR_SHAPE, code: 'INVALID_2FA_TOKEN' });

    const done = await post('/api/users/2fa/disable', { password: user.password, token: code }, user.accessToken);
    expect(done.statusCode).toBe(200);
    expect(json(done)).toEqual({ message: '2FA disabled successfully' });
    const status = json<{ methods: string[] }>(
      await h.app.inject({ url: '/api/v1/me/2fa', headers: bearer(user.accessToken) }),
    );
    expect(status.methods).toEqual([]);
  });

  it('answers a locked second factor with 429 RATE_LIMITED and retryAfter', async () => {
    const { user, setup } = await enabledUser();
    const code = oathtoolCode(setup.secret, h.clock.now());
    for (let i = 0; i < 5; i++) await login(user, wrongCode(code));
    const locked = await login(user, code);
    expect(locked.statusCode).toBe(429);
    expect(json(locked)).toEqual({ ...ERROR_SHAPE, code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it("the 2FA routes take a JWT only: an API key, a bad token or none is 401 in Mudbase's shape", async () => {
    const user = await createSignedInUser(h);
    const { token } = await h.core.apiTokens.issue(user.id, 'sdk', 'write');
    for (const credential of [token, 'not-a-jwt', undefined]) {
      const response = await post('/api/users/2fa/setup', undefined, credential);
      expect(response.statusCode).toBe(401);
      expect(json(response)).toEqual({ ...ERROR_SHAPE, code: 'UNAUTHORIZED', path: '/api/users/2fa/setup' });
    }
  });

  it('answers a missing field with 400 VALIDATION_ERROR, and echoes the request id in the body', async () => {
    const user = await createSignedInUser(h);
    const response = await post('/api/users/2fa/disable', { token: '123456' }, user.accessToken);
    expect(response.statusCode).toBe(400);
    const body = json<{ code: string; requestId: string }>(response);
    // `details` is an object naming the field (the vendor's is a string or an object, never null).
    expect(body).toEqual({ ...ERROR_SHAPE, code: 'VALIDATION_ERROR', details: { field: 'body.password' } });
    expect(body.requestId).toMatch(/^req-/);
  });

  it("is described by its own OpenAPI document with Mudbase's operation ids", async () => {
    const doc = json<{ paths: Record<string, Record<string, { operationId?: string }>> }>(
      await h.app.inject({ url: '/openapi/mudbase.json' }),
    );
    expect(doc.paths['/api/users/2fa/setup']?.post?.operationId).toBe('setup2FA');
    expect(doc.paths['/api/users/2fa/verify']?.post?.operationId).toBe('verify2FA');
    expect(doc.paths['/api/users/2fa/disable']?.post?.operationId).toBe('disable2FA');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/auth/login', '/api/auth/refresh']));
  });
});
