import rateLimitPlugin, { normalizeIP } from '@fastify/rate-limit';
import { DEFAULT_RATE_LIMITS, type RateLimits, TesseraError } from '@tessera/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { CountsUnavailableError, failoverStore } from './failover-store.js';
import { RedisLink } from './redis-link.js';

/*
 * Per-address rate limits, by group of routes. Each group has one count per client address,
 * shared by every route of the group: ten sign-ups an hour means ten, whichever route they
 * come through. The counts are kept in memory, or in Redis when a URL is given, so that every
 * Tessera process behind one address shares them. While that Redis is out of reach, the counts
 * are kept in each process's memory, or the limited routes answer 503 RATE_LIMITS_UNAVAILABLE,
 * as `whenRedisDown` says (see failover-store.ts).
 */

export const RATE_LIMIT_GROUPS = ['sign_up', 'sign_in', 'recovery', 'code_sends', 'verify', 'other'] as const;
export type RateLimitGroup = (typeof RATE_LIMIT_GROUPS)[number];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The rate-limit groups whose counts a request to this route draws on; [] for none. */
    rateLimitGroups?: readonly RateLimitGroup[];
    /**
     * For a route whose groups depend on what is asked (enabling TOTP sends nothing, enabling SMS
     * sends a code): the further groups of a validated request, counted after authentication and
     * validation. Every request to such a route is first counted in `other`, before anything, so
     * one that fails authentication or validation is still counted.
     */
    rateLimitGroupsOf?: (request: FastifyRequest) => readonly RateLimitGroup[];
  }
}

/**
 * Route config that puts a route into rate-limit groups, for route plugins (the vendor
 * dialects) whose routes are not in NATIVE_ROUTE_GROUPS:
 * `app.post(url, { config: rateLimitGroups('verify'), … }, handler)`. No group: not limited.
 */
export function rateLimitGroups(...groups: RateLimitGroup[]): { rateLimitGroups: readonly RateLimitGroup[] } {
  return { rateLimitGroups: groups };
}

/** The groups of the native API's routes (`METHOD /url`); every other route is in `other`. */
export const NATIVE_ROUTE_GROUPS: Readonly<Record<string, readonly RateLimitGroup[]>> = {
  'POST /api/v1/users': ['sign_up'],
  'POST /api/v1/auth/sign-in': ['sign_in'],
  // Starting a recovery sends an e-mail: it counts as a code sent too.
  'POST /api/v1/auth/recovery': ['recovery', 'code_sends'],
  'POST /api/v1/auth/recovery/:challengeId/confirm': ['recovery'],
  'POST /api/v1/auth/password-reset': ['recovery'],
  'POST /api/v1/auth/sign-in/:flowId/method': ['code_sends'],
  // 'POST /api/v1/me/2fa/enable', '…/disable' and '…/challenges' draw on code_sends only for a
  // method that sends a code: their routes say so with `rateLimitGroupsOf`.
  'POST /api/v1/me/2fa/enable/:flowId/resend': ['code_sends'],
  'POST /api/v1/me/2fa/disable/:flowId/resend': ['code_sends'],
  'POST /api/v1/me/email': ['code_sends'],
  'POST /api/v1/me/phone': ['code_sends'],
  'POST /api/v1/verify': ['verify'],
  'POST /api/v1/me/verify': ['verify'],
  'POST /api/v1/auth/sign-in/:flowId/second-factor': ['verify'],
  'POST /api/v1/me/factors/:factorId/confirm': ['verify'],
  'POST /api/v1/me/2fa/enable/:flowId/confirm': ['verify'],
  'POST /api/v1/me/2fa/disable/:flowId/confirm': ['verify'],
  'POST /api/v1/me/2fa/challenges/:challengeId/confirm': ['verify'],
  'POST /api/v1/me/contact-changes/:changeId/confirm': ['verify'],
};

const MINUTE_MS = 60_000;
const MEMORY_ADDRESSES_PER_GROUP = 50_000;
const HOUR_MS = 60 * MINUTE_MS;

export interface GroupLimit {
  max: number;
  windowMs: number;
}

/** The setting that governs each group's limit, named in a refusal so an operator knows what to raise. */
export const GROUP_SETTINGS: Readonly<Record<RateLimitGroup, string>> = {
  sign_up: 'TESSERA_RATE_LIMIT_SIGN_UP_PER_HOUR',
  sign_in: 'TESSERA_RATE_LIMIT_SIGN_IN_PER_MINUTE',
  recovery: 'TESSERA_RATE_LIMIT_RECOVERY_PER_HOUR',
  code_sends: 'TESSERA_RATE_LIMIT_CODE_SENDS_PER_HOUR',
  verify: 'TESSERA_RATE_LIMIT_VERIFY_PER_MINUTE',
  other: 'TESSERA_RATE_LIMIT_OTHER_PER_MINUTE',
};

/** What each group allows one address, from the settings. */
export function groupLimits(limits: RateLimits): Record<RateLimitGroup, GroupLimit> {
  return {
    sign_up: { max: limits.signUpPerHour, windowMs: HOUR_MS },
    sign_in: { max: limits.signInPerMinute, windowMs: MINUTE_MS },
    recovery: { max: limits.recoveryPerHour, windowMs: HOUR_MS },
    code_sends: { max: limits.codeSendsPerHour, windowMs: HOUR_MS },
    verify: { max: limits.verifyPerMinute, windowMs: MINUTE_MS },
    other: { max: limits.otherPerMinute, windowMs: MINUTE_MS },
  };
}

export interface RateLimitOptions {
  /** @default the settings' defaults */
  limits?: RateLimits;
  /** Keep the counts in this Redis, shared by every process that uses it; in memory when unset. */
  redisUrl?: string;
  /** Prefix of the keys in Redis. @default 'tessera:rate-limit:' */
  keyPrefix?: string;
  /** While Redis is out of reach: count in each process's memory, or refuse with 503. @default 'memory' */
  whenRedisDown?: 'memory' | 'refuse';
  /** How long a Redis command or connection attempt may take. @default 500 */
  redisTimeoutMs?: number;
  /** Told of each request a group's exhausted count refused (the metrics). @default nothing */
  onRefused?: (group: RateLimitGroup) => void;
}

/**
 * The address a limit counts by: an IPv6 one reduced to its subnet (and an IPv4 one mapped into
 * IPv6 to that IPv4 address) by the plugin's normalizeIP; an IPv4 one as it is, since it has
 * nothing to reduce and the plugin's IPv6 test (a long regular expression) was about 1% of a
 * verification.
 */
function addressKey(ip: string): string {
  return ip.includes(':') ? normalizeIP(ip) : ip;
}

/** Seconds a caller refused for want of the counts is asked to wait: about a reconnect or two. */
const COUNTS_UNAVAILABLE_RETRY_SECONDS = 5;

/** A request refused by a rate limit; each API shape renders it as RATE_LIMITED. */
export class RateLimitedError extends Error {
  readonly code = 'RATE_LIMITED';
  readonly statusCode = 429;
  /** The setting that governs the exhausted group's limit. */
  readonly setting: string;

  constructor(
    readonly retryAfterSeconds: number,
    readonly group: RateLimitGroup,
    limit: GroupLimit,
  ) {
    const per = limit.windowMs === HOUR_MS ? 'an hour' : 'a minute';
    const setting = GROUP_SETTINGS[group];
    super(
      `Too many requests from this address in the rate-limit group ${group} (${limit.max} ${per}, ` +
        `set by ${setting}); try again in ${retryAfterSeconds} seconds.`,
    );
    this.name = 'RateLimitedError';
    this.setting = setting;
  }

  /** `group=…` and `setting=…`, for an error body's details. */
  get details(): string[] {
    return [`group=${this.group}`, `setting=${this.setting}`];
  }
}

export function isRateLimitedError(error: unknown): error is RateLimitedError {
  return error instanceof RateLimitedError;
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/**
 * Installs the limits on every route registered after it (call it before the routes): each
 * request draws on the counts of its route's groups, in order, and the first group that is
 * exhausted refuses it with RateLimitedError, before authentication or parsing.
 */
export async function installRateLimits(
  app: FastifyInstance,
  options: RateLimitOptions = {},
): Promise<{ redis: RedisLink | undefined }> {
  const whenDown = options.whenRedisDown ?? 'memory';
  const redis =
    options.redisUrl === undefined
      ? undefined
      : await RedisLink.open({
          url: options.redisUrl,
          timeoutMs: options.redisTimeoutMs ?? 500,
          logger: app.log,
          whenDown,
        });
  if (redis) app.addHook('onClose', async () => redis.close());
  await app.register(rateLimitPlugin, {
    global: false,
    ...(redis
      ? { store: failoverStore(redis, { keyPrefix: options.keyPrefix ?? 'tessera:rate-limit:', whenDown }) }
      : {}),
  });

  const limits = groupLimits(options.limits ?? DEFAULT_RATE_LIMITS);
  const limiters = {} as Record<RateLimitGroup, GroupLimiter>;
  for (const group of RATE_LIMIT_GROUPS) {
    const { max, windowMs } = limits[group];
    const limiter = {
      max,
      timeWindow: windowMs,
      keyGenerator: (request: FastifyRequest) => `${group}:${addressKey(request.ip)}`,
      // Addresses kept in memory per group (the plugin's default is 5,000); past it the least
      // recently seen address is forgotten.
      cache: MEMORY_ADDRESSES_PER_GROUP,
    };
    limiters[group] = { group, limit: limits[group], limiter: app.createRateLimit(limiter) };
  }

  app.addHook('onRoute', (route) => {
    const chooseGroups = route.config?.rateLimitGroupsOf;
    if (chooseGroups !== undefined) {
      const hook = async (request: FastifyRequest, reply: FastifyReply) =>
        draw(
          chooseGroups(request).map((group) => limiters[group]),
          request,
          reply,
          options.onRefused,
        );
      route.preHandler = [hook, ...(route.preHandler === undefined ? [] : [route.preHandler].flat())];
    }
    const groups = chooseGroups === undefined ? groupsOf(route) : (['other'] as const);
    if (groups.length === 0) return;
    const chosen = groups.map((group) => limiters[group]);
    const hook = async (request: FastifyRequest, reply: FastifyReply) =>
      draw(chosen, request, reply, options.onRefused);
    // First, so a refused request costs no authentication or parsing.
    route.onRequest = [hook, ...(route.onRequest === undefined ? [] : [route.onRequest].flat())];
  });
  return { redis };
}

interface GroupLimiter {
  group: RateLimitGroup;
  limit: GroupLimit;
  limiter: Limiter;
}

function groupsOf(route: RouteOptions): readonly RateLimitGroup[] {
  const declared = route.config?.rateLimitGroups;
  if (declared !== undefined) return declared;
  const methods = [route.method].flat();
  for (const method of methods) {
    const groups = NATIVE_ROUTE_GROUPS[`${method} ${route.url}`];
    if (groups) return groups;
  }
  return ['other'];
}

/**
 * Draws on the counts of the groups, in order: the first group that is exhausted refuses the
 * request with RateLimitedError; otherwise the tightest count is in the RateLimit-* headers.
 */
async function draw(
  limiters: readonly GroupLimiter[],
  request: FastifyRequest,
  reply: FastifyReply,
  onRefused: ((group: RateLimitGroup) => void) | undefined,
): Promise<void> {
  let tightest: { max: number; remaining: number; ttlInSeconds: number } | undefined;
  for (const { group, limit, limiter } of limiters) {
    let result: Awaited<ReturnType<Limiter>>;
    try {
      result = await limiter(request);
    } catch (error) {
      // Redis is down and the operator chose to refuse meanwhile (TESSERA_REDIS_DOWN=refuse).
      if (error instanceof CountsUnavailableError) {
        reply.header('retry-after', String(COUNTS_UNAVAILABLE_RETRY_SECONDS));
        const retryAt = new Date(Date.now() + COUNTS_UNAVAILABLE_RETRY_SECONDS * 1000).toISOString();
        throw new TesseraError('RATE_LIMITS_UNAVAILABLE', { meta: { retryAt } });
      }
      throw error;
    }
    if (result.isAllowed) continue;
    const ttlInSeconds = Math.max(1, result.ttlInSeconds);
    if (result.isExceeded) {
      setHeaders(reply, { max: result.max, remaining: 0, ttlInSeconds });
      reply.header('retry-after', String(ttlInSeconds));
      onRefused?.(group);
      throw new RateLimitedError(ttlInSeconds, group, limit);
    }
    if (tightest === undefined || result.remaining < tightest.remaining) {
      tightest = { max: result.max, remaining: result.remaining, ttlInSeconds };
    }
  }
  if (tightest) setHeaders(reply, tightest);
}

function setHeaders(reply: FastifyReply, state: { max: number; remaining: number; ttlInSeconds: number }): void {
  reply.header('ratelimit-limit', String(state.max));
  reply.header('ratelimit-remaining', String(state.remaining));
  reply.header('ratelimit-reset', String(state.ttlInSeconds));
}
