/**
 * Access tokens are EdDSA JWTs whose public keys are published: a platform verifies them with
 * the JWKS alone. A token signed with the server's own key is still refused when it carries no
 * expiry (once leaked it would be valid for ever); the control case (the same claims with an
 * `exp`) shows the forgery is otherwise accepted. A rotation keeps old tokens valid.
 */
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../packages/core/src/crypto/secret-box.js';
import { bearer, createHarness, createSignedInUser, type Harness, json, signUpAndSignIn } from '../support/harness.js';

let h: Harness;
let claims: JWTPayload;
let kid: string;

beforeAll(async () => {
  h = await createHarness();
  const { accessToken } = await signUpAndSignIn(h.app);
  claims = decodeJwt(accessToken);
  kid = decodeProtectedHeader(accessToken).kid ?? '';
});
afterAll(async () => h.close());

/** The server's current private key, opened from the database with the secret key. */
async function serverKey(): Promise<Awaited<ReturnType<typeof importJWK>>> {
  const stored = JSON.parse((await h.storage.settings.get('jwt_signing_keys')) ?? '[]') as {
    kid: string;
    sealedPrivateJwk: string;
  }[];
  const current = stored.find((key) => key.kid === kid);
  if (!current) throw new Error('no key');
  const jwk = JSON.parse(
    new SecretBox(h.secretKey).open(current.sealedPrivateJwk, `jwt-signing-key:${kid}`).toString('utf8'),
  ) as JWK;
  return importJWK(jwk, 'EdDSA');
}

/** The claims of a real access token, signed again with the server's key, minus those left out. */
async function forge(leaveOut: readonly (keyof JWTPayload)[]): Promise<string> {
  const copy: JWTPayload = { ...claims };
  for (const claim of leaveOut) delete copy[claim];
  return new SignJWT(copy).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid }).sign(await serverKey());
}

async function me(token: string) {
  return h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
}

describe('access token claims', () => {
  it('a token forged with the server key and every claim is accepted (the control)', async () => {
    expect((await me(await forge([]))).statusCode).toBe(200);
  });

  it('a token without exp is refused', async () => {
    const response = await me(await forge(['exp']));
    expect(response.statusCode).toBe(401);
    expect(json(response)).toMatchObject({ error: { code: 'TOKEN_INVALID' } });
  });

  it('a token signed with another key, or with HMAC over the public key, is refused', async () => {
    const { generateKeyPair } = await import('jose');
    const other = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const foreign = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'EdDSA', kid }).sign(other.privateKey);
    expect((await me(foreign)).statusCode).toBe(401);
    const hmac = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256', kid })
      .sign(new TextEncoder().encode(JSON.stringify((await h.app.inject({ url: '/.well-known/jwks.json' })).json())));
    expect((await me(hmac)).statusCode).toBe(401);
  });
});

describe('verifiable without calling Tessera', () => {
  it('publishes the public keys; a platform verifies an access token with them alone', async () => {
    const user = await createSignedInUser(h);
    const jwks = json<{ keys: JWK[] }>(await h.app.inject({ url: '/.well-known/jwks.json' }));
    expect(jwks.keys.every((key) => key.kty === 'OKP' && key.crv === 'Ed25519' && !('d' in key))).toBe(true);
    const { payload, protectedHeader } = await jwtVerify(user.accessToken, createLocalJWKSet(jwks), {
      issuer: 'tessera',
      audience: 'tessera-api',
      currentDate: h.clock.now(),
    });
    expect(payload.sub).toBe(user.id);
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(protectedHeader.kid).toEqual(expect.any(String));
  });

  it('a rotation signs with a new key, keeps the old one until its tokens expired, then drops it', async () => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const before = await createSignedInUser(h);
    const oldKid = decodeProtectedHeader(before.accessToken).kid;
    const rotated = await h.app.inject({
      method: 'POST',
      url: '/api/v1/admin/settings/signing-keys/rotate',
      headers: bearer(admin.accessToken),
    });
    expect(rotated.statusCode).toBe(200);
    const newKid = json<{ kid: string }>(rotated).kid;
    expect(newKid).not.toBe(oldKid);

    const after = await createSignedInUser(h);
    expect(decodeProtectedHeader(after.accessToken).kid).toBe(newKid);
    expect((await me(before.accessToken)).statusCode).toBe(200);
    const kids = () =>
      h.app.inject({ url: '/.well-known/jwks.json' }).then((r) => json<{ keys: JWK[] }>(r).keys.map((k) => k.kid));
    expect(await kids()).toEqual(expect.arrayContaining([oldKid, newKid]));

    h.clock.advanceSeconds(15 * 60 + 1);
    expect(await kids()).not.toContain(oldKid);
    expect(await kids()).toContain(newKid);
  });

  it('a token accepted before (its checked signature remembered) is refused once it has expired', async () => {
    const user = await createSignedInUser(h);
    expect((await me(user.accessToken)).statusCode).toBe(200);
    expect((await me(user.accessToken)).statusCode).toBe(200);
    h.clock.advanceSeconds(15 * 60);
    const response = await me(user.accessToken);
    expect(response.statusCode).toBe(401);
    expect(json(response)).toMatchObject({ error: { code: 'TOKEN_INVALID' } });
  });

  it('only an admin rotates', async () => {
    const user = await createSignedInUser(h);
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/v1/admin/settings/signing-keys/rotate',
      headers: bearer(user.accessToken),
    });
    expect(response.statusCode).toBe(403);
  });
});
