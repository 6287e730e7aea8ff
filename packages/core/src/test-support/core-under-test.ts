import { createHmac, randomBytes } from 'node:crypto';
// Core tests run over the real storage (SQLite here, PostgreSQL when the suite is pointed at it):
// the rules under test include the conditional writes that make codes single-use.
import { openTestStorage, type TestStorage } from '../../../storage-kysely/src/test-support/index.js';
import { type Actor, SYSTEM_ACTOR, type UserActor } from '../auth/actor.js';
import type { Clock } from '../clock.js';
import type { AuditSettings } from '../config/config.js';
import { type Core, createCore } from '../create-core.js';
import type { PasswordHasher } from '../crypto/password-hasher.js';
import { DEFAULT_DELIVERED_CODE_POLICY, type DeliveredCodePolicy } from '../delivery/delivered-code-service.js';
import type { Delivery, EmailMessage, SmsMessage } from '../delivery/delivery-ports.js';
import { DEFAULT_LOCKOUT_POLICY, type LockoutPolicy } from '../lockout/lockout-policy.js';
import { DEFAULT_BACKUP_CODE_POLICY } from '../methods/backup-codes/backup-code-service.js';
import { DEFAULT_TOTP_PARAMS, decodeBase32, totpAt } from '../otp/index.js';

/** A clock the test moves. */
export class ManualClock implements Clock {
  private current = Date.UTC(2026, 10, 25, 12, 0, 0);
  now(): Date {
    return new Date(this.current);
  }
  advanceSeconds(seconds: number): void {
    this.current += seconds * 1000;
  }
}

/**
 * A keyed hash standing in for argon2 in tests that are not about hashing: same contract, a
 * thousand times cheaper, so a suite that signs up hundreds of users stays fast.
 */
export function cheapPasswordHasher(): PasswordHasher {
  const key = randomBytes(16);
  const digest = (password: string) => createHmac('sha256', key).update(password).digest('hex');
  return {
    hash: async (password) => `test$${digest(password)}`,
    verify: async (hash, password) => hash === `test$${digest(password)}`,
    verifyDummy: async () => undefined,
  };
}

/** Records what would have been sent. */
export class RecordingDelivery implements Delivery {
  readonly smsSent: SmsMessage[] = [];
  readonly emailsSent: EmailMessage[] = [];
  readonly sms = { provider: 'test', send: async (message: SmsMessage) => void this.smsSent.push(message) };
  readonly email = { provider: 'test', send: async (message: EmailMessage) => void this.emailsSent.push(message) };

  lastCodeTo(to: string): string {
    const message = [...this.smsSent, ...this.emailsSent].filter((m) => m.to === to && m.code).at(-1);
    if (!message?.code) throw new Error(`no code was sent to ${to}`);
    return message.code;
  }
}

export interface CoreUnderTest {
  core: Core;
  storage: TestStorage;
  clock: ManualClock;
  delivery: RecordingDelivery;
  /** A new account and the actor of its signed-in session. */
  newUser(options?: {
    role?: 'user' | 'admin';
    email?: string;
    phone?: string;
    clientIp?: string;
  }): Promise<UserActor & { username: string }>;
  close(): Promise<void>;
}

export async function coreUnderTest(
  options: {
    deliveredCodes?: Partial<DeliveredCodePolicy>;
    lockout?: Partial<LockoutPolicy>;
    audit?: AuditSettings;
  } = {},
): Promise<CoreUnderTest> {
  const storage = await openTestStorage();
  const clock = new ManualClock();
  const delivery = new RecordingDelivery();
  const core = await createCore({
    storage,
    secretKey: new Uint8Array(randomBytes(32)),
    config: {
      issuer: 'Tessera Test',
      lockout: { ...DEFAULT_LOCKOUT_POLICY, ...options.lockout },
      deliveredCodes: { ...DEFAULT_DELIVERED_CODE_POLICY, ...options.deliveredCodes },
      backupCodes: DEFAULT_BACKUP_CODE_POLICY,
      ...(options.audit ? { audit: options.audit } : {}),
    },
    delivery,
    clock,
    passwordHasher: cheapPasswordHasher(),
  });
  return {
    core,
    storage,
    clock,
    delivery,
    async newUser({ role = 'user', email, phone, clientIp = '192.0.2.10' } = {}) {
      const username = `user${randomBytes(4).toString('hex')}`;
      const actor: Actor = SYSTEM_ACTOR;
      const user = await core.accounts.create(actor, {
        username,
        password: TEST_PASSWORD,
        email: email ?? `${username}@example.test`,
        role,
        ...(phone === undefined ? {} : { phone }),
      });
      return {
        kind: 'user',
        userId: user.id,
        role,
        authentication: { method: 'session', sessionId: 'test-session' },
        clientIp,
        username,
      };
    },
    async close() {
      await core.notifications.settle();
      await storage.dispose();
    },
  };
}

export const TEST_PASSWORD = 'correct horse battery';

/** The code an authenticator with this base32 key shows at `at`. */
export function totpCode(secret: string, at: Date): string {
  return totpAt(decodeBase32(secret), Math.floor(at.getTime() / 1000), DEFAULT_TOTP_PARAMS);
}

export { errorCode } from './error-code.js';
