import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtoolCode } from '../support/external-tools.js';
import { bearer, createHarness, createSignedInUser, type Harness, json } from '../support/harness.js';
import { verifyCode } from '../support/totp-user.js';

/**
 * TESSERA_CPANEL_SECRET_BITS=80: WHM and UAPI issue cPanel's 16-character secrets, for clients
 * that enforce them; the native API and the other dialects keep issuing 160 bits.
 */
describe('TESSERA_CPANEL_SECRET_BITS=80', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ cpanelSecretBits: 80 });
  });
  afterAll(async () => {
    await h.close();
  });

  async function tokenOf(userId: string): Promise<string> {
    return (await h.core.apiTokens.issue(userId, 'script', 'write')).token;
  }

  it('WHM issues 16-character secrets that enable and verify like any other', async () => {
    const user = await createSignedInUser(h);
    const headers = { authorization: `whm ${user.username}:${await tokenOf(user.id)}` };
    const generated = json<{ data: { secret: string; otpauth_str: string } }>(
      await h.app.inject({ url: '/json-api/twofactorauth_generate_tfa_config', headers }),
    );
    const secret = generated.data.secret;
    expect(secret).toMatch(/^[A-Z2-7]{16}$/);
    expect(generated.data.otpauth_str).toContain(`secret=${secret}&`);
    const set = await h.app.inject({
      url: `/json-api/twofactorauth_set_tfa_config?secret=${secret}&tfa_token=${oathtoolCode(secret, h.clock.now())}`,
      headers,
    });
    expect(json(set)).toMatchObject({ data: { success: 1 }, metadata: { result: 1 } });
    h.clock.advanceSeconds(30);
    expect(json(await verifyCode(h.app, user.accessToken, oathtoolCode(secret, h.clock.now())))).toEqual({
      valid: true,
    });
  });

  it('UAPI issues 16-character secrets too', async () => {
    const user = await createSignedInUser(h);
    const headers = { authorization: `cpanel ${user.username}:${await tokenOf(user.id)}` };
    const generated = json<{ result: { data: { secret: string } } }>(
      await h.app.inject({ url: '/execute/TwoFactorAuth/generate_user_configuration', headers }),
    );
    const secret = generated.result.data.secret;
    expect(secret).toMatch(/^[A-Z2-7]{16}$/);
    const set = await h.app.inject({
      url: `/execute/TwoFactorAuth/set_user_configuration?secret=${secret}&tfa_token=${oathtoolCode(secret, h.clock.now())}`,
      headers,
    });
    expect(json(set)).toMatchObject({ result: { status: 1, data: { tfa_configured: 1 } } });
  });

  it('the native API and VPSBG still issue 160 bits', async () => {
    const user = await createSignedInUser(h);
    const native = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/factors/totp',
      headers: bearer(user.accessToken),
    });
    expect(native.statusCode, native.body).toBe(201);
    expect(json<{ secret: string }>(native).secret).toMatch(/^[A-Z2-7]{32}$/);
    const other = await createSignedInUser(h);
    const vpsbg = json<{ secret_key: string }>(
      await h.app.inject({ url: '/v1/user/2fa', headers: bearer(await tokenOf(other.id)) }),
    );
    expect(vpsbg.secret_key).toMatch(/^[A-Z2-7]{32}$/);
  });
});
