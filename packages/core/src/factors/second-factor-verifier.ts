import type { Clock } from '../clock.js';
import type { DeliveredCodeService } from '../delivery/delivered-code-service.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { SecondFactorGuard } from '../lockout/second-factor-guard.js';
import type { Logger } from '../logger.js';
import type { BackupCodeService } from '../methods/backup-codes/backup-code-service.js';
import type { TotpMethod } from '../methods/totp/totp.method.js';
import type { NotificationService } from '../notifications/notification-service.js';
import type { FactorKind, FactorRecord } from '../storage/records.js';
import type { FactorRepository } from '../storage/repositories.js';

/** A second-factor answer: which method, the code, and for SMS/e-mail which sent code it answers. */
export interface SecondFactorProof {
  method: FactorKind;
  code: string;
  deliveredCodeId?: string;
}

export type ProofCheck =
  | { ok: true; method: FactorKind; factor?: FactorRecord; backupCodesRemaining?: number }
  | { ok: false; reason: 'wrong_code' | 'replayed' | 'expired' | 'exhausted' | 'used' };

/**
 * Checks one second-factor answer of any method under the account's failure budget: the same
 * lockout counts TOTP, SMS, e-mail and backup-code failures alike, whichever API they came
 * through. Side effects that make a code single-use (the TOTP step, the backup code, the sent
 * code) happen inside the guarded check, so a code is spent only when it is accepted.
 */
export class SecondFactorVerifier {
  constructor(
    private readonly deps: {
      factors: FactorRepository;
      guard: SecondFactorGuard;
      totp: TotpMethod;
      backupCodes: BackupCodeService;
      deliveredCodes: DeliveredCodeService;
      notifications: NotificationService;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /** Throws CODE_MALFORMED for an answer that cannot be right, before any attempt is counted. */
  assertWellFormed(proof: SecondFactorProof, factor?: FactorRecord): void {
    if (proof.method === 'totp' && factor) this.deps.totp.assertWellFormed(factor, proof.code);
    else if (proof.method === 'backup_codes') this.deps.backupCodes.assertWellFormed(proof.code);
    else if (proof.method === 'sms' || proof.method === 'email') this.deps.deliveredCodes.assertWellFormed(proof.code);
  }

  /**
   * Verifies against the user's active factor of the proof's method. `purposes` names which sent
   * codes count (a code sent to enable SMS cannot sign in).
   */
  async verify(userId: string, proof: SecondFactorProof, purposes: readonly string[]): Promise<ProofCheck> {
    const factor = await this.deps.factors.findActive(userId, proof.method);
    if (!factor) throw new TesseraError('METHOD_NOT_ACTIVE');
    return this.verifyFactor(factor, proof, purposes);
  }

  /** As verify, for a factor already loaded (an enrollment being confirmed, a known factor). */
  async verifyFactor(factor: FactorRecord, proof: SecondFactorProof, purposes: readonly string[]): Promise<ProofCheck> {
    this.assertWellFormed(proof, factor);
    if ((proof.method === 'sms' || proof.method === 'email') && !proof.deliveredCodeId) {
      throw new TesseraError('METHOD_REQUIRED', { message: 'Ask for a code to be sent first.' });
    }
    const userId = factor.userId;
    const result = await this.deps.guard.attempt(
      userId,
      () => this.check(factor, proof, purposes),
      (failures) => this.notify(userId, { type: 'second_factor_failures', failures }),
    );
    if (!result.ok && result.reason === 'replayed') {
      this.deps.logger.warn({ userId, factorId: factor.id }, 'replayed TOTP code refused');
      this.notify(userId, { type: 'replayed_code_refused' });
    }
    if (result.ok && result.backupCodesRemaining === 0) this.notify(userId, { type: 'last_backup_code_used' });
    return result;
  }

  /**
   * Checks a code sent by SMS or e-mail that is not tied to an enrolled factor (a challenge
   * code sent to the account's address), under the same failure budget.
   */
  async verifyDeliveredCode(
    userId: string,
    method: 'sms' | 'email',
    code: string,
    deliveredCodeId: string,
    purposes: readonly string[],
    /** Password recovery tells the owner about failures in its own words (no password was given). */
    noticeAs: 'second_factor' | 'recovery' = 'second_factor',
  ): Promise<ProofCheck> {
    this.deps.deliveredCodes.assertWellFormed(code);
    return this.deps.guard.attempt(
      userId,
      async (): Promise<ProofCheck> => {
        const check = await this.deps.deliveredCodes.check(deliveredCodeId, userId, purposes, code);
        return check.ok ? { ok: true, method } : { ok: false, reason: check.reason };
      },
      (failures) =>
        this.notify(
          userId,
          noticeAs === 'recovery'
            ? { type: 'recovery_failures', failures }
            : { type: 'second_factor_failures', failures },
        ),
    );
  }

  private async check(
    factor: FactorRecord,
    proof: SecondFactorProof,
    purposes: readonly string[],
  ): Promise<ProofCheck> {
    const { factors, totp, backupCodes, deliveredCodes, clock } = this.deps;
    switch (proof.method) {
      case 'totp': {
        const verification = totp.verify(factor, proof.code, clock.now());
        if (!verification.ok) return { ok: false, reason: verification.reason };
        if (verification.step !== null && factor.status === 'active') {
          if (!(await factors.recordUsedStep(factor.id, verification.step))) return { ok: false, reason: 'replayed' };
        }
        return { ok: true, method: 'totp', factor: { ...factor, lastUsedStep: verification.step } };
      }
      case 'backup_codes': {
        const use = await backupCodes.use(factor.userId, proof.code);
        if (!use.ok) return { ok: false, reason: 'wrong_code' };
        return { ok: true, method: 'backup_codes', factor, backupCodesRemaining: use.remaining };
      }
      case 'sms':
      case 'email': {
        const check = await deliveredCodes.check(proof.deliveredCodeId ?? '', factor.userId, purposes, proof.code);
        if (!check.ok) return { ok: false, reason: check.reason };
        return { ok: true, method: proof.method, factor };
      }
    }
  }

  private notify(userId: string, event: Parameters<NotificationService['notifyById']>[1]): void {
    this.deps.notifications.notifyById(userId, event);
  }
}

/** Turns a refused answer into the error a caller sees. */
export function refusal(check: Extract<ProofCheck, { ok: false }>): TesseraError {
  if (check.reason === 'expired') return new TesseraError('CODE_EXPIRED');
  if (check.reason === 'exhausted') return new TesseraError('CODE_ATTEMPTS_EXHAUSTED');
  return new TesseraError('CODE_INVALID');
}
