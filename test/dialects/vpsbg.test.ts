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
import { wrongCode } from '../support/totp-user.js';

/**
 * VPSBG's 2FA API (catalogue section 1, seed 000): every documented request, field by field,
 * then what the vendor leaves open. Codes come from oathtool, not from Tessera's own TOTP code.
 */
describe('VPSBG dialect: /v1/user/2fa', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** A VPSBG client: a write API key of a fresh user, and the three calls. */
  async function client(scope: 'write' | 'read' = 'write') {
    const user = await createSignedInUser(h);
    const { token } = await h.core.apiTokens.issue(user.id, 'vpsbg client', scope);
    const headers = { ...bearer(token), accept: 'application/json' };
    return {
      user,
      token,
      getSecret: () => h.app.inject({ method: 'GET', url: '/v1/user/2fa', headers }),
      enable: (payload: object) => h.app.inject({ method: 'POST', url: '/v1/user/2fa', headers, payload }),
      disable: (payload: object) => h.app.inject({ method: 'DELETE', url: '/v1/user/2fa', headers, payload }),
    };
  }

  function secretOf(response: LightMyRequestResponse): string {
    return json<{ secret_key: string }>(response).secret_key;
  }

  /** An enabled client, its key, and the clock moved on so the confirming code is spent. */
  async function enabledClient() {
    const c = await client();
    const secret = secretOf(await c.getSecret());
    expect((await c.enable({ otp: Number(oathtoolCode(secret, h.clock.now())), secret_key: secret })).statusCode).toBe(
      204,
    );
    h.clock.advanceSeconds(30);
    return { ...c, secret };
  }

  it('GET answers 200 with secret_key and otp_auth_url, both strings, as the seed shows', async () => {
    const c = await client();
    const response = await c.getSecret();
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = json<Record<string, string>>(response);
    expect(Object.keys(body).sort()).toEqual(['otp_auth_url', 'secret_key']);
    expect(body.secret_key).toMatch(/^[A-Z2-7]{32,}$/); // at least 160 bits
    const uri = new URL(body.otp_auth_url ?? '');
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({
      secret: body.secret_key,
      issuer: 'Tessera Test',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
    expect(decodeURIComponent(uri.pathname)).toContain(c.user.username);
  });

  it('issues a new secret on every GET, and only the latest one confirms', async () => {
    const c = await client();
    const first = secretOf(await c.getSecret());
    const second = secretOf(await c.getSecret());
    expect(second).not.toBe(first);
    const stale = await c.enable({ otp: Number(oathtoolCode(first, h.clock.now())), secret_key: first });
    expect(stale.statusCode).toBe(422);
    expect(json(stale)).toEqual({ message: expect.any(String) });
  });

  it('POST {otp, secret_key} enables 2FA: 204 with no body, and the native API sees the factor', async () => {
    const c = await client();
    const secret = secretOf(await c.getSecret());
    const response = await c.enable({ otp: Number(oathtoolCode(secret, h.clock.now())), secret_key: secret });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    const status = json<{ methods: string[] }>(
      await h.app.inject({ url: '/api/v1/me/2fa', headers: bearer(c.user.accessToken) }),
    );
    expect(status.methods).toEqual(['totp']);
  });

  it('takes the code as a string of digits too, and restores the leading zero an integer lost', async () => {
    const c = await client();
    // New secrets until one's current code starts with a zero (one in ten do). The clock stays
    // put: moving it on for minutes could outlive the client's access token.
    let secret = secretOf(await c.getSecret());
    for (let tries = 0; tries < 200 && !oathtoolCode(secret, h.clock.now()).startsWith('0'); tries++) {
      secret = secretOf(await c.getSecret());
    }
    const code = oathtoolCode(secret, h.clock.now());
    expect((await c.enable({ otp: Number(code), secret_key: secret })).statusCode).toBe(204);

    const d = await client();
    const other = secretOf(await d.getSecret());
    expect((await d.enable({ otp: oathtoolCode(other, h.clock.now()), secret_key: other })).statusCode).toBe(204);
  });

  it('answers 422 {message} for a wrong code, the documented 7-digit integer, an unknown secret and a missing field', async () => {
    const c = await client();
    const secret = secretOf(await c.getSecret());
    const code = oathtoolCode(secret, h.clock.now());
    for (const payload of [
      { otp: Number(wrongCode(code)), secret_key: secret },
      { otp: 1111111, secret_key: secret }, // the example in VPSBG's docs
      { otp: Number(code), secret_key: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' },
      { otp: Number(code), secret_key: 'not base32 at all!' },
      { secret_key: secret },
      { otp: Number(code) },
      { otp: -5, secret_key: secret },
      { otp: 'abc', secret_key: secret },
    ]) {
      const response = await c.enable(payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(422);
      expect(json(response)).toEqual({ message: expect.any(String) });
    }
    // The enrollment survived the failures that were not code checks.
    expect((await c.enable({ otp: Number(code), secret_key: secret })).statusCode).toBe(204);
  });

  it("refuses another user's pending secret, even with a right code for it", async () => {
    const owner = await client();
    const intruder = await client();
    const ownerSecret = secretOf(await owner.getSecret());
    await intruder.getSecret();
    const response = await intruder.enable({
      otp: Number(oathtoolCode(ownerSecret, h.clock.now())),
      secret_key: ownerSecret,
    });
    expect(response.statusCode).toBe(422);
    expect(
      (await owner.enable({ otp: Number(oathtoolCode(ownerSecret, h.clock.now())), secret_key: ownerSecret }))
        .statusCode,
    ).toBe(204);
  });

  it('answers 409 when TOTP is already enabled', async () => {
    const c = await enabledClient();
    const again = await c.getSecret();
    expect(again.statusCode).toBe(409);
    expect(json(again)).toEqual({ message: expect.any(String) });
  });

  it('DELETE {otp} disables 2FA with a current code: 204; a wrong or replayed code is 422', async () => {
    const c = await enabledClient();
    const code = oathtoolCode(c.secret, h.clock.now());
    const wrong = await c.disable({ otp: Number(wrongCode(code)) });
    expect(wrong.statusCode).toBe(422);
    expect(json(wrong)).toEqual({ message: expect.any(String) });
    const done = await c.disable({ otp: Number(code) });
    expect(done.statusCode).toBe(204);
    expect(done.body).toBe('');
    // Not enabled any more: the same (now replayed) code is refused as not configured.
    expect((await c.disable({ otp: Number(code) })).statusCode).toBe(422);
  });

  it('refuses a replayed code on DELETE', async () => {
    const c = await enabledClient();
    const code = oathtoolCode(c.secret, h.clock.now());
    const verified = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/verify',
      headers: bearer(c.user.accessToken),
      payload: { code },
    });
    expect(json(verified)).toEqual({ valid: true });
    expect((await c.disable({ otp: Number(code) })).statusCode).toBe(422);
  });

  it('answers 423 while the second factor is locked, with Retry-After', async () => {
    const c = await enabledClient();
    const code = oathtoolCode(c.secret, h.clock.now());
    for (let i = 0; i < 5; i++) await c.disable({ otp: Number(wrongCode(code)) });
    const locked = await c.disable({ otp: Number(code) });
    expect(locked.statusCode).toBe(423);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(json(locked)).toEqual({ message: expect.stringContaining('try again') });
  });

  it('answers 401 without a valid token, and 403 for a read key on POST and DELETE', async () => {
    for (const headers of [{}, { authorization: 'Bearer tsa_not-a-key' }, { authorization: 'Basic abc' }]) {
      const response = await h.app.inject({ method: 'GET', url: '/v1/user/2fa', headers });
      expect(response.statusCode).toBe(401);
      expect(json(response)).toEqual({ message: expect.any(String) });
    }
    const reader = await client('read');
    const got = await reader.getSecret();
    expect(got.statusCode).toBe(200);
    const secret = secretOf(got);
    const post = await reader.enable({ otp: Number(oathtoolCode(secret, h.clock.now())), secret_key: secret });
    expect(post.statusCode).toBe(403);
    expect(json(post)).toEqual({ message: expect.any(String) });
    expect((await reader.disable({ otp: 123456 })).statusCode).toBe(403);
  });

  it('accepts a native access token as the Bearer credential too', async () => {
    const user: SignedInUser = await createSignedInUser(h);
    const response = await h.app.inject({ method: 'GET', url: '/v1/user/2fa', headers: bearer(user.accessToken) });
    expect(response.statusCode).toBe(200);
  });

  it('is described by its own OpenAPI document, and stays out of the native one', async () => {
    const doc = json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      await h.app.inject({ url: '/openapi/vpsbg.json' }),
    );
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths['/v1/user/2fa'] ?? {}).sort()).toEqual(['delete', 'get', 'post']);
    const native = json<{ paths: Record<string, unknown> }>(await h.app.inject({ url: '/openapi.json' }));
    expect(Object.keys(native.paths).some((path) => path.startsWith('/v1/'))).toBe(false);
  });
});
