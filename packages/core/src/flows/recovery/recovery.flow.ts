import type { Actor } from '../../auth/actor.js';
import type { Clock } from '../../clock.js';
import type { KeyedHasher } from '../../crypto/keyed-hash.js';
import { newNumericCode } from '../../crypto/numeric-code.js';
import { newId } from '../../crypto/random.js';
import type { DeliveredCodeService } from '../../delivery/delivered-code-service.js';
import { isTesseraError, TesseraError } from '../../errors/tessera-error.js';
import type { Logger } from '../../logger.js';
import type { NotificationService } from '../../notifications/notification-service.js';
import type { IssuerSettings } from '../../settings/issuer-settings.js';
import type { UserRecord } from '../../storage/records.js';
import type { ThrottleRepository, UserRepository } from '../../storage/repositories.js';
import type { IssuedSuccessToken, SuccessTokenService } from '../../success-tokens/success-token-service.js';
import type { KeyedLock } from '../../throttle/keyed-lock.js';
import type { FlowStore } from '../flow-store.js';
import type { CodeMessenger } from '../shared/code-messenger.js';
import { RECOVERY_MAX_ATTEMPTS, RECOVERY_TTL_SECONDS, recoveryMachine } from './recovery.machine.js';

/** What recovery answers, whether or not the account exists. */
export interface RecoveryStart {
  challengeId: string;
  state: 'awaiting_code';
  channel: 'email';
  sentAt: string;
  expiresAt: string;
  /** How many digits the e-mailed code has, so a form can submit on the last one. */
  digits: number;
}

const RECOVERY_PURPOSE = 'recovery';

/** The key of an account's recovery failure budget (apart from its second-factor lockout). */
export function recoveryLockKey(userId: string): string {
  return `recovery:account:${userId}`;
}

/**
 * Password recovery by username or e-mail address, for someone not signed in: a code by e-mail,
 * then a success token for `reset_password`. Never reveals whether the account exists.
 *
 * Wrong codes count against the challenge's own tries and against the account's recovery budget
 * (`lock`, a KeyedLock), never against the account's second-factor lockout: whoever knows a
 * username can start recovery, and must not be able to lock its owner out of signing in.
 */
export class RecoveryFlow {
  constructor(
    private readonly deps: {
      flows: FlowStore;
      users: UserRepository;
      lock: KeyedLock;
      /** Where the per-login cooldown of recovery requests is kept. */
      throttles: ThrottleRepository;
      deliveredCodes: DeliveredCodeService;
      messenger: CodeMessenger;
      notifications: NotificationService;
      successTokens: SuccessTokenService;
      issuers: IssuerSettings;
      hasher: KeyedHasher;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /**
   * The answer is built the same way whether or not the account exists, and the e-mail goes out
   * in the background so that neither the body nor the timing tells the two apart; for an
   * account without an address the background does the same work short of recording and
   * sending. Delivery problems are logged, not reported.
   */
  async start(_actor: Actor, login: string): Promise<RecoveryStart> {
    const { users, clock } = this.deps;
    const now = clock.now();
    await this.holdCooldown(login, now);
    const challengeId = newId();
    const answer: RecoveryStart = {
      challengeId,
      state: 'awaiting_code',
      channel: 'email',
      sentAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + RECOVERY_TTL_SECONDS * 1000).toISOString(),
      // The policy's length, the one every recovery code has: the same answer for an unknown login.
      digits: this.deps.deliveredCodes.policy.digits,
    };
    const user = login.includes('@') ? await users.findByEmail(login) : await users.findByUsername(login);
    // A disabled account, and one made without a password (its platform signs it in), get no
    // code: recovery would set a password and open what the admin closed or never opened.
    if (user?.email && user.disabledAt === null && user.passwordHash !== null) void this.send(user, challengeId);
    else void this.sendNothing();
    return answer;
  }

  /**
   * One recovery request per login (as typed, case aside) per resend cooldown, whether or not the
   * account exists: a second one is refused with RESEND_TOO_SOON and the time to ask again, so the
   * answer never claims a code that the per-recipient cooldown would have kept from going out, and
   * the refusal says nothing about the account. Kept in the database, as every budget is.
   */
  private async holdCooldown(login: string, now: Date): Promise<void> {
    const { throttles, hasher, deliveredCodes } = this.deps;
    const key = `recovery:login:${hasher.digest(`recovery-login:${login.toLowerCase()}`)}`;
    const cooldownMs = deliveredCodes.policy.resendCooldownSeconds * 1000;
    for (let i = 0; i < 100; i++) {
      const state = await throttles.find(key);
      if (state?.blockedUntil && state.blockedUntil.getTime() > now.getTime()) {
        const retryAt = state.blockedUntil.toISOString();
        throw new TesseraError('RESEND_TOO_SOON', {
          message: `A recovery code was asked for moments ago: nothing was sent. Ask again after ${retryAt}.`,
          meta: { retryAt },
        });
      }
      const next = {
        key,
        failures: 0,
        level: 0,
        windowStartedAt: now,
        blockedUntil: new Date(now.getTime() + cooldownMs),
        version: (state?.version ?? 0) + 1,
      };
      if (await throttles.compareAndSet(state?.version ?? 0, next)) return;
    }
    throw new TesseraError('RESEND_TOO_SOON');
  }

  /**
   * A wrong code, an unknown id, an account that does not exist, an expired or finished
   * challenge and a locked account all answer CODE_INVALID: no refusal tells them apart.
   */
  async confirm(_actor: Actor, challengeId: string, code: string): Promise<IssuedSuccessToken> {
    this.deps.deliveredCodes.assertWellFormed(code);
    let userId: string;
    try {
      userId = await this.pass(challengeId, code);
    } catch (error) {
      if (isTesseraError(error)) {
        throw new TesseraError('CODE_INVALID', { detail: error.code });
      }
      throw error;
    }
    return this.deps.successTokens.issue(userId, 'reset_password', null);
  }

  private async pass(challengeId: string, code: string): Promise<string> {
    const { flows, lock, deliveredCodes, notifications } = this.deps;
    const flow = await flows.load(recoveryMachine, challengeId);
    await flows.assertOpen(recoveryMachine, flow, 'EXPIRE');
    const userId = flow.userId;
    await flows.countedCheck(
      recoveryMachine,
      flow,
      async () => {
        const result = await lock.attempt(
          recoveryLockKey(userId),
          () => deliveredCodes.check(flow.id, userId, [RECOVERY_PURPOSE], code),
          (failures) => notifications.notifyById(userId, { type: 'recovery_failures', failures }),
        );
        if ('locked' in result) throw new TesseraError('CODE_INVALID', { detail: 'recovery locked' });
        return result;
      },
      { failEvent: 'VERIFY_FAIL', exhaustedEvent: 'ATTEMPTS_EXHAUSTED', maxAttempts: RECOVERY_MAX_ATTEMPTS },
    );
    await flows.advance(recoveryMachine, flow, 'VERIFY_OK');
    return userId;
  }

  /**
   * Opens the challenge and sends its code (they share the id); when the code cannot be sent the
   * challenge is removed again, so that a challenge exists only for a code that went out.
   */
  private async send(user: UserRecord, challengeId: string): Promise<void> {
    try {
      await this.deps.flows.createWithId(recoveryMachine, challengeId, user.id, RECOVERY_TTL_SECONDS, {});
      try {
        await this.deps.messenger.send(user, {
          id: challengeId,
          channel: 'email',
          destination: user.email ?? '',
          purpose: RECOVERY_PURPOSE,
          action: 'reset your password',
        });
      } catch (error) {
        await this.deps.flows.discard(challengeId);
        throw error;
      }
    } catch (error) {
      this.deps.logger.error(
        { userId: user.id, err: error instanceof Error ? error.message : String(error) },
        'password recovery code not sent',
      );
    }
  }

  /** What `send` does before it records anything (the issuer, a code and its hash), for no one. */
  private async sendNothing(): Promise<void> {
    try {
      await this.deps.issuers.systemIssuer();
      this.deps.hasher.hash(`delivered:${newNumericCode(this.deps.deliveredCodes.policy.digits)}`);
    } catch {
      // Nothing was to be sent; nothing to report.
    }
  }
}
