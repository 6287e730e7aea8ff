import { codeProof, TesseraError } from '@tessera/core';
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CoreUnderTest,
  coreUnderTest,
  TEST_PASSWORD,
  totpCode,
} from '../../../core/src/test-support/core-under-test.js';
import { type AuthScheme, authenticate } from './authenticate.js';

/** authenticate reads only the Authorization header and the client address. */
function requestWith(authorization: string | undefined, otp?: string): FastifyRequest {
  const headers: Record<string, string> = {};
  if (authorization !== undefined) headers.authorization = authorization;
  if (otp !== undefined) headers['x-cpanel-otp'] = otp;
  return { headers, ip: '198.51.100.23' } as unknown as FastifyRequest;
}

const ALL: readonly AuthScheme[] = ['bearer', 'basic', 'whm', 'cpanel'];

describe('authenticate: every credential scheme, parsed in one place', () => {
  let t: CoreUnderTest;
  let alice: { userId: string; username: string };
  let aliceToken: string;
  let readOnlyToken: string;

  beforeAll(async () => {
    t = await coreUnderTest();
    alice = await t.newUser();
    aliceToken = (await t.core.apiTokens.issue(alice.userId, 'script', 'write')).token;
    readOnlyToken = (await t.core.apiTokens.issue(alice.userId, 'monitor', 'read')).token;
  });
  afterAll(async () => {
    await t.close();
  });

  async function refusal(
    header: string | undefined,
    accepted: readonly AuthScheme[] = ALL,
    otp?: string,
  ): Promise<string> {
    try {
      await authenticate(t.core, requestWith(header, otp), accepted);
      return 'accepted';
    } catch (error) {
      if (error instanceof TesseraError) return error.code;
      throw error;
    }
  }

  it('HTTP Basic with the right password is the user, signed in by password, from the client address', async () => {
    const basic = Buffer.from(`${alice.username}:${TEST_PASSWORD}`).toString('base64');
    const actor = await authenticate(t.core, requestWith(`Basic ${basic}`), ['basic']);
    expect(actor).toMatchObject({
      kind: 'user',
      userId: alice.userId,
      authentication: { method: 'password' },
      clientIp: '198.51.100.23',
    });
    const wrong = Buffer.from(`${alice.username}:not it`).toString('base64');
    expect(await refusal(`Basic ${wrong}`)).toBe('INVALID_CREDENTIALS');
  });

  it('HTTP Basic with a NUL in the username or password is wrong credentials, on every database', async () => {
    for (const pair of [`${alice.username}\u0000:${TEST_PASSWORD}`, `${alice.username}:${TEST_PASSWORD}\u0000`]) {
      expect(await refusal(`Basic ${Buffer.from(pair).toString('base64')}`)).toBe('INVALID_CREDENTIALS');
    }
  });

  it('HTTP Basic for an account with an authenticator needs its current code in X-CPANEL-OTP, once', async () => {
    const carol = await t.newUser();
    const started = await t.core.enable.start(carol, { method: 'totp' });
    const secret = started.totp?.secret ?? '';
    await t.core.enable.confirm(carol, started.flowId, codeProof(totpCode(secret, t.clock.now())));
    t.clock.advanceSeconds(30);
    const basic = `Basic ${Buffer.from(`${carol.username}:${TEST_PASSWORD}`).toString('base64')}`;
    expect(await refusal(basic)).toBe('SECOND_FACTOR_REQUIRED');
    const code = totpCode(secret, t.clock.now());
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect(await refusal(basic, ALL, wrong)).toBe('SECOND_FACTOR_REQUIRED');
    expect(await refusal(basic, ALL, code)).toBe('accepted');
    expect(await refusal(basic, ALL, code)).toBe('SECOND_FACTOR_REQUIRED');
    const token = (await t.core.apiTokens.issue(carol.userId, 'script', 'write')).token;
    expect(await refusal(`whm ${carol.username}:${token}`)).toBe('accepted');
  });

  it('whm and cpanel USER:TOKEN are the token owner, and only for the user it names', async () => {
    for (const scheme of ['whm', 'cpanel'] as const) {
      const actor = await authenticate(t.core, requestWith(`${scheme} ${alice.username}:${aliceToken}`), [scheme]);
      expect(actor).toMatchObject({ userId: alice.userId, authentication: { method: 'api_token', scope: 'write' } });
    }
    const bob = await t.newUser();
    expect(await refusal(`whm ${bob.username}:${aliceToken}`)).toBe('TOKEN_INVALID');
    expect(await refusal(`cpanel ${alice.username}:tsa_not-a-token`)).toBe('TOKEN_INVALID');
  });

  it('a Bearer API token carries its scope into the actor', async () => {
    const actor = await authenticate(t.core, requestWith(`Bearer ${readOnlyToken}`), ['bearer']);
    expect(actor.authentication).toMatchObject({ method: 'api_token', scope: 'read' });
    // …and the core holds it to reading.
    await expect(t.core.apiTokens.create(actor, { name: 'escalate' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('a JWT-only route refuses an API token, even a valid one', async () => {
    expect(await refusal(`Bearer ${aliceToken}`, ['jwt'])).toBe('UNAUTHENTICATED');
    expect(await refusal('Bearer not-a-jwt', ['jwt'])).toBe('TOKEN_INVALID');
  });

  it('refuses a scheme the route does not take, a missing header and malformed credentials', async () => {
    const basic = Buffer.from(`${alice.username}:${TEST_PASSWORD}`).toString('base64');
    expect(await refusal(`Basic ${basic}`, ['bearer'])).toBe('UNAUTHENTICATED');
    expect(await refusal(`whm ${alice.username}:${aliceToken}`, ['cpanel'])).toBe('UNAUTHENTICATED');
    expect(await refusal(undefined)).toBe('UNAUTHENTICATED');
    expect(await refusal('Bearer')).toBe('UNAUTHENTICATED');
    expect(await refusal(`whm ${aliceToken}`)).toBe('UNAUTHENTICATED');
    expect(await refusal(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBe('UNAUTHENTICATED');
    expect(await refusal('Bearer not-a-jwt')).toBe('TOKEN_INVALID');
  });

  it('no header names the command-line operator', async () => {
    expect(await refusal('system x')).toBe('UNAUTHENTICATED');
  });
});
