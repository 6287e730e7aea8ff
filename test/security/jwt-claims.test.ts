/**
 * An access token signed with the server's own key is still refused when it carries no
 * expiry: such a token, once leaked, would be valid for ever. The control case (the same
 * forged claims with an `exp`) shows the forgery is otherwise accepted.
 */
import { decodeJwt, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveKey } from '../../packages/core/src/crypto/key-derivation.js';
import { bearer, createHarness, type Harness, json, signUpAndSignIn } from '../support/harness.js';

let h: Harness;
let claims: JWTPayload;

beforeAll(async () => {
  h = await createHarness();
  const { accessToken } = await signUpAndSignIn(h.app);
  claims = decodeJwt(accessToken);
});
afterAll(async () => h.close());

/** The claims of a real access token, signed again with the server's key, minus those left out. */
async function forge(leaveOut: readonly (keyof JWTPayload)[]): Promise<string> {
  const copy: JWTPayload = { ...claims };
  for (const claim of leaveOut) delete copy[claim];
  return new SignJWT(copy).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(deriveKey(h.secretKey, 'sign-jwt'));
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
});
