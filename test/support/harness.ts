import { randomBytes, randomInt } from 'node:crypto';
import {
  type ConnectionLimits,
  type Core,
  type CoreDeps,
  createCore,
  DEFAULT_BACKUP_CODE_POLICY,
  DEFAULT_DELIVERED_CODE_POLICY,
  DEFAULT_LOCKOUT_POLICY,
  DEFAULT_PASSWORD_THROTTLE_POLICY,
  DEFAULT_POLICY,
  DEFAULT_TOTP_PARAMS,
  type DeliveredCodePolicy,
  decodeBase32,
  type EmailSender,
  type LockoutPolicy,
  type PasswordThrottlePolicy,
  type SmsSender,
  SYSTEM_ACTOR,
  type TotpSecretBits,
  totpAt,
  type WebAuthnSettings,
} from '@tessera/core';
import { buildApp, createLogger, type RateLimitOptions, type ServerMetrics } from '@tessera/server';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { openTestStorage, type TestStorage } from '../../packages/storage-kysely/src/test-support/index.js';
import { createFastPasswordHasher, type PasswordHasher } from './fast-password-hasher.js';
import { LogCapture } from './log-capture.js';
import { MutableClock } from './mutable-clock.js';
import { Outbox } from './outbox.js';

export interface Harness {
  app: FastifyInstance;
  core: Core;
  storage: TestStorage;
  secretKey: Uint8Array;
  clock: MutableClock;
  log: LogCapture;
  outbox: Outbox;
  /**
   * Puts the system-wide settings an admin can change at run time (the 2FA policy, the system
   * issuer) back to where a new server starts, for test files that share one server. A policy
   * put back is recorded in the history as a change by "system", as any change is.
   */
  resetSettings(): Promise<void>;
  close(): Promise<void>;
}

/** The issuer every harness is configured with. */
export const TEST_ISSUER = 'Tessera Test';

export interface HarnessOptions {
  /** Every harness runs on a clock the test moves; TOTP tests step it 30 s between codes. */
  clock?: MutableClock;
  lockout?: Partial<LockoutPolicy>;
  passwordThrottle?: Partial<PasswordThrottlePolicy>;
  storageKind?: 'sqlite' | 'postgres';
  /** Run over this storage instead of a fresh one; closing the harness leaves it open. */
  storage?: TestStorage;
  secretKey?: Uint8Array;
  /** TESSERA_SECRET_KEY_PREVIOUS: keys `secretKey` replaced. */
  previousSecretKeys?: Uint8Array[];
  deliveredCodes?: Partial<DeliveredCodePolicy>;
  /** Sends e-mail through this (a real SMTP client, in mail tests) instead of the outbox. */
  email?: EmailSender;
  /** Sends SMS through this (the webhook provider, in browser tests) instead of the outbox. */
  sms?: SmsSender;
  /** Serves the built web UI from this folder at /ui/ (browser tests). */
  webUiRoot?: string;
  /**
   * How passwords are hashed: a fast keyed hash by default, since argon2id's cost is the point
   * in production and most of the time of a test run. test/security/password-hashing.test.ts
   * covers the production hasher.
   */
  passwordHasher?: PasswordHasher;
  /**
   * The per-address rate limits. By default every limit is far above what a test file does
   * from its one address; test/security/rate-limits.test.ts sets small ones.
   */
  rateLimit?: RateLimitOptions;
  /** `/ready` is 503 while the rate limits' Redis is out of reach (TESSERA_REDIS_REQUIRED). */
  redisRequired?: boolean;
  /** Timeouts and the cap of connections per address, for tests that listen on a real socket. */
  connections?: ConnectionLimits;
  /** Believe X-Forwarded-For from these proxies (see buildApp). */
  trustProxy?: string;
  /** Origins whose pages may call from a browser. */
  corsOrigins?: readonly string[];
  /** Idle seconds of a cPanel `/login` session. */
  cookieSessionIdleSeconds?: number;
  /** TESSERA_CPANEL_SECRET_BITS (160 unless given). */
  cpanelSecretBits?: TotpSecretBits;
  /**
   * TESSERA_SIGNUP. Open unless given: most test files make their accounts by signing up, as
   * a user would; test/api/sign-up-switch.test.ts covers a closed server (the server's default).
   */
  signUp?: 'open' | 'closed';
  /** TESSERA_WEBAUTHN_*: the relying party; WebAuthn is off without it, as on a server without the settings. */
  webauthn?: WebAuthnSettings;
  /** Counts into these Prometheus metrics, as a server with TESSERA_METRICS_PORT does. */
  metrics?: ServerMetrics;
  /** How webhooks are sent (the dispatcher is not started: a test calls `core.webhookDispatcher.runOnce()`). */
  webhooks?: CoreDeps['webhooks'];
}

/** Limits no test reaches by accident: a whole test file runs from one address. */
export const GENEROUS_RATE_LIMITS = {
  signUpPerHour: 1_000_000,
  signInPerMinute: 1_000_000,
  recoveryPerHour: 1_000_000,
  codeSendsPerHour: 1_000_000,
  verifyPerMinute: 1_000_000,
  otherPerMinute: 1_000_000,
} as const;

/**
 * The whole server in-process over a real database: SQLite in a temp dir, or PostgreSQL in a
 * fresh schema when TESSERA_TEST_DATABASE_URL is set (CI runs the suite once each way).
 */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const storage = options.storage ?? (await openTestStorage(options.storageKind));
  const secretKey = options.secretKey ?? new Uint8Array(randomBytes(32));
  const clock = options.clock ?? new MutableClock();
  const log = new LogCapture();
  const logger = createLogger('info', log);
  const outbox = new Outbox();
  const core = await createCore({
    storage,
    secretKey,
    previousSecretKeys: options.previousSecretKeys ?? [],
    config: {
      issuer: TEST_ISSUER,
      lockout: { ...DEFAULT_LOCKOUT_POLICY, ...options.lockout },
      deliveredCodes: { ...DEFAULT_DELIVERED_CODE_POLICY, ...options.deliveredCodes },
      backupCodes: DEFAULT_BACKUP_CODE_POLICY,
      signUp: options.signUp ?? 'open',
      passwordThrottle: { ...DEFAULT_PASSWORD_THROTTLE_POLICY, ...options.passwordThrottle },
      ...(options.cookieSessionIdleSeconds === undefined
        ? {}
        : { cookieSessionIdleSeconds: options.cookieSessionIdleSeconds }),
      ...(options.webauthn ? { webauthn: options.webauthn } : {}),
    },
    logger,
    clock,
    delivery: { sms: options.sms ?? outbox.sms, email: options.email ?? outbox.email },
    passwordHasher: options.passwordHasher ?? createFastPasswordHasher(),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
  });
  const app = await buildApp({
    core,
    logger,
    rateLimit: options.rateLimit ?? { limits: GENEROUS_RATE_LIMITS },
    ...(options.connections ? { connections: options.connections } : {}),
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
    ...(options.redisRequired ? { redisRequired: true } : {}),
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
    ...(options.cpanelSecretBits ? { cpanelSecretBits: options.cpanelSecretBits } : {}),
    ...(options.webUiRoot ? { webUiRoot: options.webUiRoot } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  await app.ready();
  return {
    app,
    core,
    storage,
    secretKey,
    clock,
    log,
    outbox,
    async resetSettings() {
      if (JSON.stringify(await core.policy.get()) !== JSON.stringify(DEFAULT_POLICY)) {
        const { required, gracePeriodDays, methods, rememberDeviceForAdmins, phishingResistantForAdmins } =
          DEFAULT_POLICY;
        await core.policy.update(SYSTEM_ACTOR, {
          required,
          gracePeriodDays,
          methods,
          rememberDeviceForAdmins,
          phishingResistantForAdmins,
        });
      }
      if ((await core.issuers.systemIssuer()) !== TEST_ISSUER) await core.issuers.change(SYSTEM_ACTOR, TEST_ISSUER);
    },
    async close() {
      await app.close();
      await core.notifications.settle();
      if (!options.storage) await storage.dispose();
    },
  };
}

let nextPhone = randomInt(0, 900_000);

/**
 * A mobile number (+359888…) no other test of this file sends to, so that the per-number send
 * limits and the outbox of a shared server are each test's own.
 */
export function uniquePhone(): string {
  nextPhone = (nextPhone + 1) % 1_000_000;
  return `+359888${String(nextPhone).padStart(6, '0')}`;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return response.json() as T;
}

/** Creates an account and signs it in (no factor yet). */
export async function signUpAndSignIn(
  app: FastifyInstance,
  username = `user${randomBytes(4).toString('hex')}`,
  password = 'correct horse battery',
): Promise<{ username: string; password: string; accessToken: string; refreshToken: string }> {
  const created = await app.inject({ method: 'POST', url: '/api/v1/users', payload: { username, password } });
  if (created.statusCode !== 201) throw new Error(`sign-up failed: ${created.body}`);
  const signedIn = await app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password } });
  const { accessToken, refreshToken } = json<{ accessToken: string; refreshToken: string }>(signedIn);
  return { username, password, accessToken, refreshToken };
}

export interface EnrolledTotp {
  factorId: string;
  secret: string;
  codeAt(date: Date): string;
}

/** Begins and confirms TOTP enrollment through the API, confirming with the code at `confirmAt`. */
export async function enrollTotp(
  app: FastifyInstance,
  accessToken: string,
  confirmAt: Date = new Date(),
  params: { digits?: 6 | 8 } = {},
): Promise<EnrolledTotp> {
  const begun = await app.inject({
    method: 'POST',
    url: '/api/v1/me/factors/totp',
    headers: bearer(accessToken),
    ...(params.digits ? { payload: { digits: params.digits } } : {}),
  });
  if (begun.statusCode !== 201) throw new Error(`enroll failed: ${begun.body}`);
  const { factor, secret } = json<{ factor: { id: string }; secret: string }>(begun);
  const key = decodeBase32(secret);
  const codeAt = (date: Date) => totpAt(key, Math.floor(date.getTime() / 1000), { ...DEFAULT_TOTP_PARAMS, ...params });
  const confirmed = await app.inject({
    method: 'POST',
    url: `/api/v1/me/factors/${factor.id}/confirm`,
    headers: bearer(accessToken),
    payload: { code: codeAt(confirmAt) },
  });
  if (confirmed.statusCode !== 200) throw new Error(`confirm failed: ${confirmed.body}`);
  return { factorId: factor.id, secret, codeAt };
}

export interface SignedInUser {
  id: string;
  username: string;
  password: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * Creates an account with an e-mail address (through the core, so an admin can be made too)
 * and signs it in through the API. The account has no factor yet.
 */
export async function createSignedInUser(
  h: Pick<Harness, 'app' | 'core'>,
  options: { role?: 'user' | 'admin'; username?: string } = {},
): Promise<SignedInUser> {
  const username = options.username ?? `user${randomBytes(4).toString('hex')}`;
  const password = 'correct horse battery';
  const email = `${username}@example.test`;
  const user = await h.core.accounts.create(SYSTEM_ACTOR, { username, password, email, role: options.role ?? 'user' });
  const signedIn = await h.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password } });
  const { accessToken, refreshToken } = json<{ accessToken?: string; refreshToken?: string }>(signedIn);
  if (!accessToken || !refreshToken) throw new Error(`sign-in failed: ${signedIn.body}`);
  return { id: user.id, username, password, email, accessToken, refreshToken };
}
