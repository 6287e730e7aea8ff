/**
 * Property: one client address gets a bounded number of requests per route group; past it the
 * answer is 429 RATE_LIMITED with Retry-After and RateLimit-* headers, before authentication,
 * and other addresses are not affected. With Redis, every process counts against one limit.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, type RateLimits } from '@tessera/core';
import { NATIVE_ROUTE_GROUPS } from '@tessera/server';
import type { LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createHarness,
  createSignedInUser,
  GENEROUS_RATE_LIMITS,
  type Harness,
  json,
  uniquePhone,
} from '../support/harness.js';
import { createTotpUser } from '../support/totp-user.js';

const SMALL_LIMITS: RateLimits = {
  signUpPerHour: 3,
  signInPerMinute: 4,
  recoveryPerHour: 2,
  codeSendsPerHour: 3,
  verifyPerMinute: 5,
  otherPerMinute: 12,
};

let nextAddress = 0;
/** An address no other test of this file has used, so each test starts with full counts. */
function freshAddress(): string {
  nextAddress += 1;
  return `203.0.113.${nextAddress}`;
}

function signUp(h: Harness, remoteAddress: string): Promise<LightMyRequestResponse> {
  const username = `user${randomBytes(4).toString('hex')}`;
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    payload: { username, password: 'correct horse battery' },
    remoteAddress,
  });
}

function expectRateLimited(response: LightMyRequestResponse, limit: number, windowSeconds: number): void {
  expect(response.statusCode).toBe(429);
  expect(json(response)).toEqual({
    error: {
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/group [a-z_]+ .*set by TESSERA_RATE_LIMIT_[A-Z_]+\); try again/),
      details: [
        expect.stringMatching(/^group=[a-z_]+$/),
        expect.stringMatching(/^setting=TESSERA_RATE_LIMIT_[A-Z_]+$/),
      ],
    },
  });
  const retryAfter = Number(response.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(response.headers['ratelimit-limit']).toBe(String(limit));
  expect(response.headers['ratelimit-remaining']).toBe('0');
  expect(Number(response.headers['ratelimit-reset'])).toBe(retryAfter);
}

describe('rate limits, counted in memory', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ rateLimit: { limits: SMALL_LIMITS } });
  });
  afterAll(async () => h.close());

  it('refuses the sign-up past the hourly limit of one address, with the headers and the error shape', async () => {
    const address = freshAddress();
    for (let i = 1; i <= SMALL_LIMITS.signUpPerHour; i++) {
      const created = await signUp(h, address);
      expect(created.statusCode).toBe(201);
      expect(created.headers['ratelimit-limit']).toBe(String(SMALL_LIMITS.signUpPerHour));
      expect(created.headers['ratelimit-remaining']).toBe(String(SMALL_LIMITS.signUpPerHour - i));
    }
    const refused = await signUp(h, address);
    expectRateLimited(refused, SMALL_LIMITS.signUpPerHour, 3600);
  });

  it('leaves another address its own count', async () => {
    const busy = freshAddress();
    for (let i = 0; i < SMALL_LIMITS.signUpPerHour; i++) await signUp(h, busy);
    expect((await signUp(h, busy)).statusCode).toBe(429);
    expect((await signUp(h, freshAddress())).statusCode).toBe(201);
  });

  it('counts IPv6 callers by their subnet and an IPv4 address mapped into IPv6 as that address', async () => {
    // The addresses of one /64 share a count; a mapped IPv4 address counts as the IPv4 one.
    for (let i = 0; i < SMALL_LIMITS.signUpPerHour; i++) await signUp(h, `2001:db8:0:1::${i + 1}`);
    expect((await signUp(h, '2001:db8:0:1:ffff::2')).statusCode).toBe(429);
    expect((await signUp(h, '2001:db8:0:2::1')).statusCode).toBe(201);
    const v4 = freshAddress();
    for (let i = 0; i < SMALL_LIMITS.signUpPerHour; i++) await signUp(h, v4);
    expect((await signUp(h, `::ffff:${v4}`)).statusCode).toBe(429);
  });

  it('counts the sign-ins of an address per minute, whatever the outcome', async () => {
    const address = freshAddress();
    const signIn = () =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { username: 'nobody-here', password: 'wrong password' },
        remoteAddress: address,
      });
    for (let i = 0; i < SMALL_LIMITS.signInPerMinute; i++) expect((await signIn()).statusCode).toBe(401);
    expectRateLimited(await signIn(), SMALL_LIMITS.signInPerMinute, 60);
  });

  it('shares one count among the routes of a group, and refuses before authentication', async () => {
    const address = freshAddress();
    // Starting a recovery sends an e-mail: it draws on the code sends as well as on recovery.
    // A different login each time: one login has its own resend cooldown (challenges-and-recovery).
    let tries = 0;
    const recovery = () =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/recovery',
        payload: { login: `nobody${++tries}@example.test` },
        remoteAddress: address,
      });
    for (let i = 0; i < SMALL_LIMITS.recoveryPerHour; i++) expect((await recovery()).statusCode).toBe(202);
    expectRateLimited(await recovery(), SMALL_LIMITS.recoveryPerHour, 3600);

    // Two code sends used up by recovery, one left of three: a new e-mail address
    // (unauthenticated, so 401) takes it, the next is refused before its missing token is even
    // looked at.
    const changeEmail = () =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/me/email',
        payload: { email: 'new@example.test' },
        remoteAddress: address,
      });
    expect((await changeEmail()).statusCode).toBe(401);
    expectRateLimited(await changeEmail(), SMALL_LIMITS.codeSendsPerHour, 3600);
  });

  it('counts a step-up challenge among the code sends only when it sends a code (e-mail, the default, does)', async () => {
    const address = freshAddress();
    const user = await createTotpUser(h.app, h.clock);
    const challenge = (payload: object) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/me/2fa/challenges',
        payload: { operation: 'change_password', ...payload },
        headers: bearer(user.accessToken),
        remoteAddress: address,
      });
    // One more than the code sends allow: TOTP waits for a code and sends nothing.
    for (let i = 0; i < SMALL_LIMITS.codeSendsPerHour + 1; i++) {
      expect((await challenge({ method: 'totp' })).statusCode).toBe(201);
    }
    // The default method is e-mail, which would send a code: counted, whatever the answer.
    for (let i = 0; i < SMALL_LIMITS.codeSendsPerHour; i++) {
      expect((await challenge({})).statusCode).not.toBe(429);
    }
    const refused = await challenge({ method: 'email' });
    expectRateLimited(refused, SMALL_LIMITS.codeSendsPerHour, 3600);
    expect(json<{ error: { details: string[] } }>(refused).error.details).toContain('group=code_sends');
    expect((await challenge({ method: 'totp' })).statusCode).toBe(201);
  });

  it('counts enabling or disabling TOTP, which sends nothing, outside the code sends; a refusal names its group and setting', async () => {
    const address = freshAddress();
    const user = await createSignedInUser(h);
    const enable = (payload: object) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/me/2fa/enable',
        payload,
        headers: bearer(user.accessToken),
        remoteAddress: address,
      });
    // One more than the code sends allow; every request here also counts among the others (12).
    for (let i = 0; i < SMALL_LIMITS.codeSendsPerHour + 1; i++) {
      expect((await enable({ method: 'totp' })).statusCode).toBe(201);
    }
    for (let i = 0; i < SMALL_LIMITS.codeSendsPerHour; i++) {
      expect((await enable({ method: 'sms', phone: uniquePhone() })).statusCode).toBe(201);
    }
    const refused = await enable({ method: 'sms', phone: uniquePhone() });
    expectRateLimited(refused, SMALL_LIMITS.codeSendsPerHour, 3600);
    const { error } = json<{ error: { message: string; details: string[] } }>(refused);
    expect(error.details).toEqual(['group=code_sends', 'setting=TESSERA_RATE_LIMIT_CODE_SENDS_PER_HOUR']);
    expect(error.message).toContain(`group code_sends (${SMALL_LIMITS.codeSendsPerHour} an hour`);
    // TOTP still goes through: it draws on the other routes' count, not on the code sends.
    expect((await enable({ method: 'totp' })).statusCode).toBe(201);
    // Starting to disable is counted the same way: TOTP sends nothing, SMS sends a code.
    const disable = (method: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/me/2fa/disable',
        payload: { method },
        headers: bearer(user.accessToken),
        remoteAddress: address,
      });
    expect((await disable('totp')).statusCode).not.toBe(429);
    expectRateLimited(await disable('sms'), SMALL_LIMITS.codeSendsPerHour, 3600);
    // A request that fails authentication is counted too, among the others, before it is looked at.
    const other = freshAddress();
    const anonymous = () =>
      h.app.inject({ method: 'POST', url: '/api/v1/me/2fa/enable', payload: { method: 'totp' }, remoteAddress: other });
    for (let i = 0; i < SMALL_LIMITS.otherPerMinute; i++) expect((await anonymous()).statusCode).toBe(401);
    expectRateLimited(await anonymous(), SMALL_LIMITS.otherPerMinute, 60);
  });

  it('holds the second-factor checks of an address to the verify limit', async () => {
    const address = freshAddress();
    const urls = [
      '/api/v1/verify',
      '/api/v1/me/verify',
      '/api/v1/auth/sign-in/00000000-0000-0000-0000-000000000000/second-factor',
    ];
    for (let i = 0; i < SMALL_LIMITS.verifyPerMinute; i++) {
      const url = urls[i % urls.length] ?? '';
      const answer = await h.app.inject({ method: 'POST', url, payload: { code: '123456' }, remoteAddress: address });
      expect(answer.statusCode).not.toBe(429);
    }
    const refused = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/verify',
      payload: { code: '123456' },
      remoteAddress: address,
    });
    expectRateLimited(refused, SMALL_LIMITS.verifyPerMinute, 60);
  });

  it('holds every other route to the default limit, in the same error shape outside the API, and never /health', async () => {
    const address = freshAddress();
    for (let i = 0; i < SMALL_LIMITS.otherPerMinute; i++) {
      const url = i % 2 === 0 ? '/openapi.json' : '/api/v1/me';
      expect((await h.app.inject({ method: 'GET', url, remoteAddress: address })).statusCode).not.toBe(429);
    }
    expectRateLimited(
      await h.app.inject({ method: 'GET', url: '/api/v1/me', remoteAddress: address }),
      SMALL_LIMITS.otherPerMinute,
      60,
    );
    expectRateLimited(
      await h.app.inject({ method: 'GET', url: '/openapi.json', remoteAddress: address }),
      SMALL_LIMITS.otherPerMinute,
      60,
    );
    expect((await h.app.inject({ method: 'GET', url: '/health', remoteAddress: address })).statusCode).toBe(200);
  });

  it('names only routes that exist in its table of native route groups', () => {
    const routes = new Set<string>();
    for (const key of Object.keys(NATIVE_ROUTE_GROUPS)) {
      const [method, url] = key.split(' ');
      if (h.app.hasRoute({ method: method as 'POST', url: url ?? '' })) routes.add(key);
    }
    expect([...routes].sort()).toEqual(Object.keys(NATIVE_ROUTE_GROUPS).sort());
  });
});

describe('the rate-limit settings', () => {
  it('are read from the environment, with the documented defaults', () => {
    expect(loadConfig({}).rateLimits).toEqual({
      signUpPerHour: 10,
      signInPerMinute: 30,
      recoveryPerHour: 5,
      codeSendsPerHour: 10,
      verifyPerMinute: 120,
      otherPerMinute: 600,
    });
    const config = loadConfig({
      TESSERA_RATE_LIMIT_SIGN_UP_PER_HOUR: '2',
      TESSERA_RATE_LIMIT_VERIFY_PER_MINUTE: '7',
      TESSERA_REDIS_URL: 'redis://127.0.0.1:6379',
      TESSERA_TRUST_PROXY: '10.0.0.5, 192.168.0.0/16',
    });
    expect(config.rateLimits).toMatchObject({ signUpPerHour: 2, verifyPerMinute: 7 });
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.trustProxy).toBe('10.0.0.5, 192.168.0.0/16');
  });

  it('refuse a limit of zero, a Redis URL of another scheme and a proxy that is not an address', () => {
    const bad = {
      TESSERA_RATE_LIMIT_SIGN_IN_PER_MINUTE: '0',
      TESSERA_REDIS_URL: 'http://x',
      TESSERA_TRUST_PROXY: 'everyone',
    };
    expect(() => loadConfig(bad)).toThrow(ConfigError);
    try {
      loadConfig(bad);
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of Object.keys(bad)) expect(problems).toContain(name);
    }
  });
});

describe('rate limits behind a reverse proxy', () => {
  const PROXY = '10.0.0.5';
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ rateLimit: { limits: SMALL_LIMITS }, trustProxy: PROXY });
  });
  afterAll(async () => h.close());

  function signUpVia(remoteAddress: string, forwardedFor: string): Promise<LightMyRequestResponse> {
    return h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: `user${randomBytes(4).toString('hex')}`, password: 'correct horse battery' },
      headers: { 'x-forwarded-for': forwardedFor },
      remoteAddress,
    });
  }

  it('count each client the trusted proxy names, not the proxy', async () => {
    const client = freshAddress();
    for (let i = 0; i < SMALL_LIMITS.signUpPerHour; i++) expect((await signUpVia(PROXY, client)).statusCode).toBe(201);
    expect((await signUpVia(PROXY, client)).statusCode).toBe(429);
    expect((await signUpVia(PROXY, freshAddress())).statusCode).toBe(201);
  });

  it('ignore the header from anyone else, so a client cannot name itself anew', async () => {
    const client = freshAddress();
    for (let i = 0; i < SMALL_LIMITS.signUpPerHour; i++) {
      expect((await signUpVia(client, freshAddress())).statusCode).toBe(201);
    }
    expect((await signUpVia(client, freshAddress())).statusCode).toBe(429);
  });
});

describe('rate limits, when Redis is out of reach from the start', () => {
  it('counts in memory, and logs the outage once', async () => {
    // Nothing listens on port 1: Redis never answers (test/security/redis-outage.test.ts kills a real one).
    const h = await createHarness({ rateLimit: { limits: SMALL_LIMITS, redisUrl: 'redis://127.0.0.1:1' } });
    try {
      const address = freshAddress();
      for (let i = 0; i < SMALL_LIMITS.signUpPerHour; i++) expect((await signUp(h, address)).statusCode).toBe(201);
      expectRateLimited(await signUp(h, address), SMALL_LIMITS.signUpPerHour, 3600);
      expect(h.log.lines.filter((line) => line.includes('Redis is out of reach'))).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

const redisUrl = process.env.TESSERA_TEST_REDIS_URL;

describe.runIf(redisUrl)('rate limits, counted in Redis', () => {
  // Its own keys, so that test files (and runs) sharing the Redis server do not count together.
  const keyPrefix = `tessera-test:${randomBytes(6).toString('hex')}:`;
  const limits: RateLimits = { ...GENEROUS_RATE_LIMITS, signUpPerHour: 3 };
  let first: Harness;
  let second: Harness;
  beforeAll(async () => {
    first = await createHarness({ rateLimit: { limits, redisUrl, keyPrefix } });
    second = await createHarness({ rateLimit: { limits, redisUrl, keyPrefix } });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    const redis = new Redis(redisUrl ?? '');
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('shares one limit between two servers', async () => {
    const address = freshAddress();
    expect((await signUp(first, address)).statusCode).toBe(201);
    expect((await signUp(second, address)).statusCode).toBe(201);
    expect((await signUp(first, address)).statusCode).toBe(201);
    expectRateLimited(await signUp(second, address), 3, 3600);
    expectRateLimited(await signUp(first, address), 3, 3600);
    expect((await signUp(second, freshAddress())).statusCode).toBe(201);
  });
});
