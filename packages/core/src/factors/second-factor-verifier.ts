import type { Clock } from '../clock.js';
import type { DeliveredCodeService } from '../delivery/delivered-code-service.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { LockEvent, SecondFactorGuard } from '../lockout/second-factor-guard.js';
import type { Logger } from '../logger.js';
import type { MethodRegistry } from '../methods/method-registry.js';
import type { Proof, RefusalReason, Verification } from '../methods/second-factor-method.js';
import type { EnrolledCredential } from '../methods/webauthn/webauthn-ceremonies.js';
import type { CoreMetrics, VerificationOutcome } from '../metrics/core-metrics.js';
import type { NotificationService, SecurityEvent } from '../notifications/notification-service.js';
import type { FactorKind, FactorRecord, LockoutRecord } from '../storage/records.js';
import type { FactorRepository, UnitOfWork } from '../storage/repositories.js';
import type { WebhookOutbox } from '../webhooks/webhook-outbox.js';

/** Which sent code an answer belongs to, and which purposes of sending count for it. */
export interface ProofContext {
  deliveredCodeId?: string;
  purposes: readonly string[];
  /** WebAuthn: the challenge the answer is to, the flow it was issued for, and whether UV is a must. */
  challengeId?: string;
  flowId?: string | null;
  requireUserVerification?: boolean;
}

export type ProofCheck =
  | {
      ok: true;
      factor: FactorRecord;
      usedStep?: number;
      backupCodesRemaining?: number;
      enrolled?: EnrolledCredential;
      userVerified?: boolean;
    }
  | { ok: false; reason: RefusalReason };

/**
 * Checks one second-factor answer of any method under the account's failure budget: the same
 * lockout counts TOTP, SMS, e-mail and backup-code failures alike, whichever API they came
 * through. What makes a proof single-use (the TOTP step, the backup code, the sent code) happens
 * inside the method's check, inside the guard, so a proof is spent only when it is accepted.
 */
export class SecondFactorVerifier {
  constructor(
    private readonly deps: {
      factors: FactorRepository;
      methods: MethodRegistry;
      guard: SecondFactorGuard;
      deliveredCodes: DeliveredCodeService;
      notifications: NotificationService;
      clock: Clock;
      logger: Logger;
      metrics: CoreMetrics;
      storage: UnitOfWork;
      outbox: WebhookOutbox;
    },
  ) {}

  /** Verifies against the user's active factor of the method. */
  async verify(userId: string, method: FactorKind, proof: Proof, context: ProofContext): Promise<ProofCheck> {
    const found = await this.deps.factors.findActiveToCheck(userId, method);
    if (!found) throw new TesseraError('METHOD_NOT_ACTIVE');
    return this.verifyFactor(found.factor, proof, context, { state: found.lockout });
  }

  /**
   * As verify, for a factor already loaded (an enrollment being confirmed, a known factor);
   * `lastRead` is the owner's lockout row when it was read with the factor (SecondFactorGuard).
   */
  async verifyFactor(
    factor: FactorRecord,
    proof: Proof,
    context: ProofContext,
    lastRead?: { state: LockoutRecord | undefined },
  ): Promise<ProofCheck> {
    const { methods, guard, clock, logger } = this.deps;
    const method = methods.of(factor);
    method.assertWellFormed(factor, proof);
    const userId = factor.userId;
    const verification: Verification = await this.counted(factor.kind, () =>
      guard.attempt(
        userId,
        () => method.verify(factor, proof, { ...context, now: clock.now() }),
        (event) => this.notifyLock(userId, event, 'second_factor_failures'),
        lastRead,
      ),
    );
    if (verification.notice) this.notify(userId, verification.notice);
    if (!verification.ok) {
      if (verification.reason === 'replayed')
        logger.warn({ userId, factorId: factor.id, kind: factor.kind }, 'replayed code refused');
      return { ok: false, reason: verification.reason };
    }
    const { usedStep, backupCodesRemaining, enrolled, userVerified } = verification;
    return {
      ok: true,
      factor,
      ...(usedStep === undefined ? {} : { usedStep }),
      ...(backupCodesRemaining === undefined ? {} : { backupCodesRemaining }),
      ...(enrolled === undefined ? {} : { enrolled }),
      ...(userVerified === undefined ? {} : { userVerified }),
    };
  }

  /**
   * Checks a code sent by SMS or e-mail that is not tied to an enrolled factor (a challenge code
   * sent to the account's address), under the same failure budget.
   */
  async verifySentCode(
    userId: string,
    code: string,
    context: ProofContext & { deliveredCodeId: string },
    /** Password recovery tells the owner about failures in its own words (no password was given). */
    lockNotice: 'second_factor_failures' | 'recovery_failures' = 'second_factor_failures',
  ): Promise<{ ok: true } | { ok: false; reason: RefusalReason }> {
    const { deliveredCodes, guard } = this.deps;
    deliveredCodes.assertWellFormed(code);
    return this.counted('sent_code', () =>
      guard.attempt(
        userId,
        () => deliveredCodes.check(context.deliveredCodeId, userId, context.purposes, code),
        (event) => this.notifyLock(userId, event, lockNotice),
      ),
    );
  }

  /**
   * Every answer of every method passes here, inside or outside the budget, so its outcome is
   * counted once: accepted, refused, refused as a replay, or refused because the account is (or
   * just became) locked or suspended. Anything else thrown (a malformed proof, a database
   * fault) decided nothing and is not counted.
   */
  private async counted<T extends { ok: boolean; reason?: string }>(
    method: FactorKind | 'sent_code',
    attempt: () => Promise<T>,
  ): Promise<T> {
    let outcome: VerificationOutcome;
    try {
      const result = await attempt();
      outcome = result.ok ? 'ok' : result.reason === 'replayed' ? 'replayed' : 'wrong';
      this.deps.metrics.secondFactorVerified(method, outcome);
      return result;
    } catch (error) {
      const code = error instanceof TesseraError ? error.code : undefined;
      if (code === 'SECOND_FACTOR_LOCKED') this.deps.metrics.secondFactorVerified(method, 'locked');
      else if (code === 'SECOND_FACTOR_SUSPENDED') this.deps.metrics.secondFactorVerified(method, 'suspended');
      throw error;
    }
  }

  private notifyLock(
    userId: string,
    event: LockEvent,
    lockNotice: 'second_factor_failures' | 'recovery_failures',
  ): Promise<void> {
    this.deps.metrics.lockoutStarted(event.type);
    const written = this.enqueueLockout(userId, event);
    if (event.type === 'suspended') this.notify(userId, { type: 'second_factor_suspended', failures: event.failures });
    else this.notify(userId, { type: lockNotice, failures: event.failures });
    return written;
  }

  /**
   * The lock is the reservation the guard wrote before the code was checked, in a write of its
   * own on the hot path: the event follows in a durable write of its own once the check has
   * failed. It is not kept if the process dies between the two; the lock itself is.
   */
  private async enqueueLockout(userId: string, event: LockEvent): Promise<void> {
    const { storage, outbox, logger } = this.deps;
    const suspended = event.type === 'suspended';
    await storage
      .transaction((tx) =>
        outbox.enqueue(tx, {
          type: 'lockout.started',
          userId,
          // A timed lock ends by itself at lockedUntil (no event then); a suspension only by an unlock.
          data: {
            suspended,
            failures: event.failures,
            lockedUntil: event.type === 'locked' ? (event.lockedUntil?.toISOString() ?? null) : null,
          },
        }),
      )
      .catch((error: unknown) =>
        logger.warn({ reason: (error as Error).message }, 'the lockout.started webhook event could not be written'),
      );
  }

  private notify(userId: string, event: SecurityEvent): void {
    this.deps.notifications.notifyById(userId, event);
  }
}

/** Turns a refused answer into the error a caller sees. */
export function refusal(check: { ok: false; reason: RefusalReason }): TesseraError {
  if (check.reason === 'expired') return new TesseraError('CODE_EXPIRED');
  if (check.reason === 'exhausted') return new TesseraError('CODE_ATTEMPTS_EXHAUSTED');
  return new TesseraError('CODE_INVALID');
}
