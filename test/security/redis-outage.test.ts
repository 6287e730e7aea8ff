/**
 * Fault: the Redis server of the rate limits dies mid-run and comes back, or stops answering
 * with its connection open. A real redis-server of this file's own is killed (SIGKILL), frozen
 * (SIGSTOP) and restarted. Requests never wait for it, the limits keep counting (in each
 * process's memory, or refused with 503, as configured), `/ready` says "degraded", the outage is
 * logged once and its end once, and counting goes back to Redis when it answers.
 */
import { randomBytes } from 'node:crypto';
import type { RateLimits } from '@tessera/core';
import type { LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, GENEROUS_RATE_LIMITS, type Harness, json } from '../support/harness.js';
import { PrivateRedis } from '../support/private-redis.js';

const LIMITS: RateLimits = { ...GENEROUS_RATE_LIMITS, signUpPerHour: 3 };
const KEY_PREFIX = 'tessera-outage:';
const TIMEOUT_MS = 1_000;

let redis: PrivateRedis;
let counting: Harness;
let refusing: Harness;
let nextAddress = 0;

function freshAddress(): string {
  nextAddress += 1;
  return `198.51.100.${nextAddress}`;
}

function signUp(h: Harness, remoteAddress: string): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    payload: { username: `user${randomBytes(4).toString('hex')}`, password: 'correct horse battery' },
    remoteAddress,
  });
}

async function ready(h: Harness): Promise<{ statusCode: number; body: Record<string, unknown> }> {
  const response = await h.app.inject({ url: '/ready' });
  return { statusCode: response.statusCode, body: json(response) };
}

/** Polls `/ready` until Redis is in `status`: the link learns of a death or a return from ioredis. */
async function untilRedis(h: Harness, status: 'up' | 'degraded' | 'down'): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { body } = await ready(h);
    if ((body.checks as { redis?: { status: string } }).redis?.status === status) return;
    if (Date.now() > deadline) throw new Error(`Redis never became ${status}: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The sign-up count Redis itself holds for an address (the key @fastify/rate-limit writes). */
async function countInRedis(address: string): Promise<number> {
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    const keys = await client.keys(`${KEY_PREFIX}*sign_up:${address}`);
    return keys.length === 0 ? 0 : Number(await client.get(keys[0] ?? ''));
  } finally {
    client.disconnect();
  }
}

function outageLines(h: Harness, mark: number): { down: number; back: number } {
  const lines = h.log.lines.slice(mark);
  return {
    down: lines.filter((line) => line.includes('Redis is out of reach')).length,
    back: lines.filter((line) => line.includes('Redis is back')).length,
  };
}

beforeAll(async () => {
  redis = await PrivateRedis.start();
  const rateLimit = { limits: LIMITS, redisUrl: redis.url, keyPrefix: KEY_PREFIX, redisTimeoutMs: TIMEOUT_MS };
  counting = await createHarness({ rateLimit: { ...rateLimit, whenRedisDown: 'memory' } });
  refusing = await createHarness({ rateLimit: { ...rateLimit, whenRedisDown: 'refuse' }, redisRequired: true });
});

afterAll(async () => {
  await counting?.close();
  await refusing?.close();
  await redis?.stop();
});

describe('Redis killed and restarted', () => {
  it('counts in memory meanwhile, says "degraded", logs once each way, and counts in Redis again', async () => {
    const mark = counting.log.mark();
    const before = freshAddress();
    expect((await signUp(counting, before)).statusCode).toBe(201);
    expect(await countInRedis(before)).toBe(1);
    expect(await ready(counting)).toMatchObject({
      statusCode: 200,
      body: { status: 'ready', checks: { database: { status: 'up' }, redis: { status: 'up' } } },
    });

    await redis.kill();
    await untilRedis(counting, 'degraded');
    expect(await ready(counting)).toMatchObject({
      statusCode: 200,
      body: {
        status: 'degraded',
        checks: { database: { status: 'up' }, redis: { status: 'degraded', rateLimits: 'in_memory' } },
      },
    });
    // Still limited, per process: three sign-ups, then 429, as the limit says.
    const during = freshAddress();
    for (let i = 0; i < LIMITS.signUpPerHour; i++) expect((await signUp(counting, during)).statusCode).toBe(201);
    const refused = await signUp(counting, during);
    expect(refused.statusCode).toBe(429);
    expect(json(refused)).toMatchObject({ error: { code: 'RATE_LIMITED' } });

    await redis.restart();
    await untilRedis(counting, 'up');
    const after = freshAddress();
    expect((await signUp(counting, after)).statusCode).toBe(201);
    expect((await signUp(counting, after)).statusCode).toBe(201);
    expect(await countInRedis(after)).toBe(2);
    // One line when it went, one when it came back, however many requests and reconnect attempts.
    expect(outageLines(counting, mark)).toEqual({ down: 1, back: 1 });
  });
});

describe('Redis frozen with its connection open', () => {
  it('waits for it once, within the timeout, then serves without waiting until it answers again', async () => {
    const mark = counting.log.mark();
    redis.freeze();
    try {
      const address = freshAddress();
      const started = Date.now();
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await signUp(counting, address)).statusCode);
      const elapsed = Date.now() - started;
      // Counted in memory: three, then refused. A request that waited for Redis would take the
      // whole timeout: eight of them at least 8 s; only the first one waits.
      expect(statuses).toEqual([201, 201, 201, 429, 429, 429, 429, 429]);
      expect(elapsed).toBeLessThan(3 * TIMEOUT_MS);
      expect((await ready(counting)).body).toMatchObject({ status: 'degraded' });
    } finally {
      redis.resume();
    }
    // The link probes the open connection and finds Redis answering again.
    const deadline = Date.now() + 10_000;
    for (;;) {
      await signUp(counting, freshAddress());
      if (((await ready(counting)).body.checks as { redis: { status: string } }).redis.status === 'up') break;
      if (Date.now() > deadline) throw new Error('Redis was never found answering again');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const address = freshAddress();
    expect((await signUp(counting, address)).statusCode).toBe(201);
    expect(await countInRedis(address)).toBe(1);
    expect(outageLines(counting, mark)).toEqual({ down: 1, back: 1 });
  });
});

describe('Redis down, when the operator chose to refuse and made Redis required', () => {
  it('answers 503 in each API shape with Retry-After, /ready 503 with the checks, and serves again when it is back', async () => {
    await untilRedis(refusing, 'up');
    await redis.kill();
    try {
      await untilRedis(refusing, 'down');
      const native = await signUp(refusing, freshAddress());
      expect(native.statusCode).toBe(503);
      expect(json(native)).toMatchObject({ error: { code: 'RATE_LIMITS_UNAVAILABLE', message: expect.any(String) } });
      expect(Number(native.headers['retry-after'])).toBeGreaterThan(0);

      const mudbase = await refusing.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'someone@example.test', password: 'whatever-it-is' },
        remoteAddress: freshAddress(),
      });
      expect(mudbase.statusCode).toBe(503);
      expect(json(mudbase)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: expect.any(Number) });
      expect(Number(mudbase.headers['retry-after'])).toBeGreaterThan(0);

      const b2core = await refusing.app.inject({
        method: 'POST',
        url: '/api/v2/my/signin',
        payload: { email: 'someone@example.test', password: 'whatever-it-is' },
        remoteAddress: freshAddress(),
      });
      expect(b2core.statusCode).toBe(503);
      expect(Number(b2core.headers['retry-after'])).toBeGreaterThan(0);

      const readiness = await ready(refusing);
      expect(readiness).toMatchObject({
        statusCode: 503,
        body: {
          error: { code: 'NOT_READY', message: expect.stringContaining('Redis') },
          checks: { database: { status: 'up' }, redis: { status: 'down', rateLimits: 'refused' } },
        },
      });
      // Liveness asks nothing of Redis.
      expect((await refusing.app.inject({ url: '/health' })).statusCode).toBe(200);
    } finally {
      await redis.restart();
    }
    await untilRedis(refusing, 'up');
    expect((await signUp(refusing, freshAddress())).statusCode).toBe(201);
    expect((await ready(refusing)).statusCode).toBe(200);
  });
});
