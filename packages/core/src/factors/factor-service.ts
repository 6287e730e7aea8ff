import type { Clock } from '../clock.js';
import { newId } from '../crypto/random.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { SecondFactorGuard } from '../lockout/second-factor-guard.js';
import type { Logger } from '../logger.js';
import type { TotpEnrollmentDisplay, TotpMethod } from '../methods/totp/totp.method.js';
import { DEFAULT_TOTP_PARAMS, type TotpParams } from '../otp/index.js';
import type { IssuerSettings } from '../settings/issuer-settings.js';
import type { FactorRecord } from '../storage/records.js';
import type { FactorRepository, UserRepository } from '../storage/repositories.js';
import { type FactorView, toFactorView } from './factor-view.js';

/** How long a begun enrollment waits for its confirming code. */
export const ENROLLMENT_TTL_SECONDS = 10 * 60;

export interface TotpEnrollment extends TotpEnrollmentDisplay {
  factor: FactorView;
}

export type CodeCheck = { ok: true; factor: FactorView } | { ok: false };

/**
 * Enrollment, listing, verification and removal of a user's factors. Every code check runs
 * under the account's SecondFactorGuard, and a TOTP code counts only once its time step is
 * recorded by the storage's conditional UPDATE.
 */
export class FactorService {
  constructor(
    private readonly deps: {
      factors: FactorRepository;
      users: UserRepository;
      issuers: IssuerSettings;
      guard: SecondFactorGuard;
      totp: TotpMethod;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  async beginTotp(userId: string, requested: Partial<TotpParams> = {}): Promise<TotpEnrollment> {
    const { factors, users, issuers, totp, clock } = this.deps;
    const user = await users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    if (await factors.findActive(userId, 'totp')) throw new TesseraError('FACTOR_ALREADY_ACTIVE');

    const now = clock.now();
    const id = newId();
    const params: TotpParams = { ...DEFAULT_TOTP_PARAMS, ...requested };
    const start = await totp.beginEnrollment(id, {
      issuer: await issuers.issuerFor(user),
      accountName: user.username,
      params,
    });
    const factor: FactorRecord = {
      id,
      userId,
      kind: 'totp',
      status: 'pending',
      sealedSecret: start.sealedSecret,
      params: start.params,
      lastUsedStep: null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ENROLLMENT_TTL_SECONDS * 1000),
      activatedAt: null,
    };
    await factors.insertPending(factor);
    return { factor: this.view(factor), ...start.display };
  }

  async confirm(userId: string, factorId: string, code: string): Promise<FactorView> {
    const { factors, guard, totp, clock } = this.deps;
    const factor = await this.ownFactor(userId, factorId);
    if (factor.status !== 'pending') throw new TesseraError('FACTOR_NOT_PENDING');
    if (factor.expiresAt !== null && factor.expiresAt <= clock.now()) throw new TesseraError('ENROLLMENT_EXPIRED');
    totp.assertWellFormed(factor, code);

    const result = await guard.attempt(userId, async () => totp.verify(factor, code, clock.now()));
    if (!result.ok) throw new TesseraError('CODE_INVALID');
    if (!(await factors.activate(factor.id, clock.now(), result.step))) {
      throw new TesseraError(
        (await factors.findActive(userId, 'totp')) ? 'FACTOR_ALREADY_ACTIVE' : 'FACTOR_NOT_PENDING',
      );
    }
    this.deps.logger.info({ userId, factorId, kind: factor.kind }, 'factor enabled');
    return this.view({ ...factor, status: 'active', activatedAt: clock.now(), expiresAt: null });
  }

  async list(userId: string): Promise<FactorView[]> {
    const now = this.deps.clock.now();
    const all = await this.deps.factors.listByUser(userId);
    return all
      .filter((f) => f.status === 'active' || (f.expiresAt !== null && f.expiresAt > now))
      .map((f) => this.view(f));
  }

  async hasActiveFactor(userId: string): Promise<boolean> {
    return this.deps.factors.hasActive(userId);
  }

  /**
   * Checks a code against the user's active authenticator. A wrong or replayed code is
   * `{ ok: false }`; a locked account and a malformed code are errors.
   */
  async verify(userId: string, code: string): Promise<CodeCheck> {
    const factor = await this.deps.factors.findActive(userId, 'totp');
    if (!factor) throw new TesseraError('NO_ACTIVE_FACTOR');
    return this.checkActiveFactor(factor, code);
  }

  /** The server-to-server check: a user named by username, one lookup for user and factor. */
  async verifyForUsername(username: string, code: string): Promise<CodeCheck> {
    const found = await this.deps.factors.findActiveByUsername(username, 'totp');
    if (!found) throw new TesseraError('USER_NOT_FOUND');
    if (!found.factor) throw new TesseraError('NO_ACTIVE_FACTOR');
    return this.checkActiveFactor(found.factor, code);
  }

  /** Removes a factor. An active one needs a current code of that factor; a pending one does not. */
  async remove(userId: string, factorId: string, code: string | undefined): Promise<void> {
    const factor = await this.ownFactor(userId, factorId);
    if (factor.status === 'active') {
      if (code === undefined) throw new TesseraError('VALIDATION_FAILED', { message: 'A current code is required.' });
      const check = await this.checkActiveFactor(factor, code);
      if (!check.ok) throw new TesseraError('CODE_INVALID');
    }
    if (!(await this.deps.factors.delete(factor.id))) throw new TesseraError('FACTOR_NOT_FOUND');
    this.deps.logger.info({ userId, factorId, kind: factor.kind }, 'factor removed');
  }

  private async checkActiveFactor(factor: FactorRecord, code: string): Promise<CodeCheck> {
    const { factors, guard, totp, clock, logger } = this.deps;
    totp.assertWellFormed(factor, code);
    return guard.attempt(factor.userId, async (): Promise<CodeCheck> => {
      const verification = totp.verify(factor, code, clock.now());
      const replayed = verification.ok
        ? verification.step !== null && !(await factors.recordUsedStep(factor.id, verification.step))
        : verification.reason === 'replayed';
      if (replayed) logger.warn({ userId: factor.userId, factorId: factor.id }, 'replayed TOTP code refused');
      if (!verification.ok || replayed) return { ok: false };
      return { ok: true, factor: this.view(factor) };
    });
  }

  private async ownFactor(userId: string, factorId: string): Promise<FactorRecord> {
    const factor = await this.deps.factors.findById(factorId);
    // Someone else's factor is "not found": its existence is none of the caller's business.
    if (!factor || factor.userId !== userId) throw new TesseraError('FACTOR_NOT_FOUND');
    return factor;
  }

  private view(factor: FactorRecord): FactorView {
    return toFactorView(factor, this.deps.totp.describe(factor));
  }
}
