import type { Clock } from '../clock.js';
import { newId } from '../crypto/random.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { ChangeContext } from '../history/history-service.js';
import type { Logger } from '../logger.js';
import type { TotpEnrollmentDisplay, TotpMethod } from '../methods/totp/totp.method.js';
import { DEFAULT_TOTP_PARAMS, type TotpParams } from '../otp/index.js';
import type { PolicyService } from '../policy/policy-service.js';
import type { IssuerSettings } from '../settings/issuer-settings.js';
import type { FactorRecord } from '../storage/records.js';
import type { FactorRepository, UserRepository } from '../storage/repositories.js';
import type { FactorChanges } from './factor-changes.js';
import { type FactorView, toFactorView } from './factor-view.js';
import { refusal, type SecondFactorVerifier } from './second-factor-verifier.js';

/** How long a begun enrollment waits for its confirming code. */
export const ENROLLMENT_TTL_SECONDS = 10 * 60;

export interface TotpEnrollment extends TotpEnrollmentDisplay {
  factor: FactorView;
}

export type CodeCheck = { ok: true; factor: FactorView } | { ok: false };

/**
 * Enrollment, listing, verification and removal of a user's factors. Every code check goes
 * through the SecondFactorVerifier (one lockout for every method), and every change is
 * recorded in the history with a notice to the owner.
 */
export class FactorService {
  constructor(
    private readonly deps: {
      factors: FactorRepository;
      users: UserRepository;
      issuers: IssuerSettings;
      policy: PolicyService;
      verifier: SecondFactorVerifier;
      changes: FactorChanges;
      totp: TotpMethod;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  async beginTotp(userId: string, requested: Partial<TotpParams> = {}): Promise<TotpEnrollment> {
    const { factors, users, issuers, totp, clock, policy } = this.deps;
    await policy.assertMethodAllowed('totp');
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

  /** Confirms a pending TOTP enrollment with a code from the app. */
  async confirm(userId: string, factorId: string, code: string, context: ChangeContext): Promise<FactorView> {
    const factor = await this.ownPending(userId, factorId);
    const check = await this.deps.verifier.verifyFactor(factor, { method: factor.kind, code }, []);
    if (!check.ok) throw refusal(check);
    return this.activate(factor, check.factor?.lastUsedStep ?? null, context);
  }

  /** pending → active, recorded in the history. Used by every method's enrollment. */
  async activate(factor: FactorRecord, usedStep: number | null, context: ChangeContext): Promise<FactorView> {
    const { factors, clock, changes, logger } = this.deps;
    if (!(await factors.activate(factor.id, clock.now(), usedStep))) {
      throw new TesseraError(
        (await factors.findActive(factor.userId, factor.kind)) ? 'FACTOR_ALREADY_ACTIVE' : 'FACTOR_NOT_PENDING',
      );
    }
    logger.info({ userId: factor.userId, factorId: factor.id, kind: factor.kind }, 'factor enabled');
    await changes.record(factor.userId, factor.kind, 'enable', true, context);
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
    return this.checkTotp(factor, code);
  }

  /** The server-to-server check: a user named by username, one lookup for user and factor. */
  async verifyForUsername(username: string, code: string): Promise<CodeCheck> {
    const found = await this.deps.factors.findActiveByUsername(username, 'totp');
    if (!found) throw new TesseraError('USER_NOT_FOUND');
    if (!found.factor) throw new TesseraError('NO_ACTIVE_FACTOR');
    return this.checkTotp(found.factor, code);
  }

  /** Removes a factor. An active TOTP factor needs a current code of it; a pending one does not. */
  async remove(userId: string, factorId: string, code: string | undefined, context: ChangeContext): Promise<void> {
    const factor = await this.own(userId, factorId);
    if (factor.status === 'active') {
      if (code === undefined) throw new TesseraError('VALIDATION_FAILED', { message: 'A current code is required.' });
      if (factor.kind !== 'totp') {
        throw new TesseraError('VALIDATION_FAILED', {
          message: 'Disable this method through a disable procedure (/api/v1/me/2fa/disable).',
        });
      }
      const check = await this.checkTotp(factor, code);
      if (!check.ok) throw new TesseraError('CODE_INVALID');
    }
    await this.delete(factor, context);
  }

  /** Deletes a factor the caller has already proven the right to remove. */
  async delete(factor: FactorRecord, context: ChangeContext): Promise<void> {
    if (!(await this.deps.factors.delete(factor.id))) throw new TesseraError('FACTOR_NOT_FOUND');
    this.deps.logger.info({ userId: factor.userId, factorId: factor.id, kind: factor.kind }, 'factor removed');
    if (factor.status === 'active') {
      await this.deps.changes.record(factor.userId, factor.kind, 'disable', false, context);
    }
  }

  async own(userId: string, factorId: string): Promise<FactorRecord> {
    const factor = await this.deps.factors.findById(factorId);
    // Someone else's factor is "not found": its existence is none of the caller's business.
    if (!factor || factor.userId !== userId) throw new TesseraError('FACTOR_NOT_FOUND');
    return factor;
  }

  view(factor: FactorRecord): FactorView {
    return toFactorView(factor, describeFactor(this.deps.totp, factor));
  }

  private async ownPending(userId: string, factorId: string): Promise<FactorRecord> {
    const factor = await this.own(userId, factorId);
    if (factor.status !== 'pending') throw new TesseraError('FACTOR_NOT_PENDING');
    if (factor.expiresAt !== null && factor.expiresAt <= this.deps.clock.now()) {
      throw new TesseraError('ENROLLMENT_EXPIRED');
    }
    return factor;
  }

  private async checkTotp(factor: FactorRecord, code: string): Promise<CodeCheck> {
    const check = await this.deps.verifier.verifyFactor(factor, { method: 'totp', code }, []);
    return check.ok ? { ok: true, factor: this.view(factor) } : { ok: false };
  }
}

/** Non-secret facts per method: TOTP parameters, a masked phone, the backup-code set size. */
function describeFactor(totp: TotpMethod, factor: FactorRecord): Record<string, string | number> {
  if (factor.kind === 'totp') return totp.describe(factor);
  const params = JSON.parse(factor.params) as Record<string, unknown>;
  const details: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string' || typeof value === 'number') details[key] = value;
  }
  return details;
}
