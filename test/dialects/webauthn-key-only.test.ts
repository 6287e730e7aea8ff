/**
 * The vendor dialects know nothing of security keys. An account whose only second factor is a
 * key must never get through a dialect's sign-in without one, and the dialects' status answers
 * must say it has 2FA on.
 */
import type { WebAuthnSettings } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createHarness,
  createSignedInUser,
  type Harness,
  json,
  type SignedInUser,
} from '../support/harness.js';
import { SoftwareAuthenticator } from '../support/software-authenticator.js';

const ORIGIN = 'https://app.tessera.test';
const SETTINGS: WebAuthnSettings = {
  rpId: 'tessera.test',
  rpName: 'Tessera Test',
  origins: [ORIGIN],
  attestation: 'none',
  userVerification: 'preferred',
  residentKey: 'preferred',
  attachment: 'any',
  timeoutSeconds: 300,
  allowedAaguids: undefined,
  blockedAaguids: [],
  maxCredentials: 10,
};

let h: Harness;
let user: SignedInUser;
beforeAll(async () => {
  h = await createHarness({ webauthn: SETTINGS });
  user = await createSignedInUser(h);
  const started = await h.app.inject({
    method: 'POST',
    url: '/api/v1/me/2fa/webauthn/registration',
    headers: bearer(user.accessToken),
  });
  const { flowId, webauthn } = json<{ flowId: string; webauthn: { options: Record<string, unknown> } }>(started);
  const credential = new SoftwareAuthenticator({ origin: ORIGIN }).register(webauthn.options);
  const confirmed = await h.app.inject({
    method: 'POST',
    url: `/api/v1/me/2fa/webauthn/registration/${flowId}`,
    headers: bearer(user.accessToken),
    payload: { credential },
  });
  expect(confirmed.statusCode, confirmed.body).toBe(200);
});
afterAll(async () => h.close());

const basic = () => ({ authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}` });

describe('an account whose only second factor is a security key', () => {
  it('Mudbase login: 2FA required without a code, and a code is refused', async () => {
    const without = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: user.email, password: user.password },
    });
    expect(without.statusCode).toBeGreaterThanOrEqual(400);
    expect(without.body).not.toContain('refreshToken');
    const withCode = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: user.email, password: user.password, totpToken: '123456' },
    });
    // A refused login code is 401, as the vendor documents login (200 or 401).
    expect(withCode.statusCode).toBe(401);
    expect(json<{ code: string }>(withCode).code).toBe('INVALID_2FA_TOKEN');
  });

  it('B2Core sign-in stops at the second-factor step, and GET /2fa reports the key on', async () => {
    const wizard = json<{ uuid: string }>(await h.app.inject({ url: '/api/v2/my/signin/wizard' }));
    const signIn = await h.app.inject({
      method: 'POST',
      url: '/api/v2/my/signin',
      payload: { uuid: wizard.uuid, email: user.email, password: user.password, device_fingerprint: 'fp-key-only' },
    });
    expect(signIn.body).not.toContain('access_token');
    const status = await h.app.inject({ url: '/api/v2/my/2fa', headers: bearer(user.accessToken) });
    expect(status.statusCode, status.body).toBe(200);
    expect(json<{ data: { name: string; isEnabled: boolean }[] }>(status).data).toContainEqual(
      expect.objectContaining({ name: 'webauthn', isEnabled: true }),
    );
  });

  it('cPanel: a password alone is refused, and is_enabled says 2FA is on', async () => {
    const refused = await h.app.inject({ url: '/execute/TwoFactorAuth/get_user_configuration', headers: basic() });
    expect(refused.statusCode).not.toBe(200);
    const token = (await h.core.apiTokens.issue(user.id, 'uapi', 'read')).token;
    const status = await h.app.inject({
      url: '/execute/TwoFactorAuth/get_user_configuration',
      headers: { authorization: `cpanel ${user.username}:${token}` },
    });
    expect(status.statusCode, status.body).toBe(200);
    expect(json<{ result: { data: { is_enabled: number } } }>(status).result.data.is_enabled).toBe(1);
  });
});
