import type { Actor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { MethodRegistry } from '../methods/method-registry.js';
import { codeProof } from '../methods/second-factor-method.js';
import type { PolicyService, Requirement } from '../policy/policy-service.js';
import type { IssuerSettings } from '../settings/issuer-settings.js';
import type { FactorKind, FactorRecord, LockoutRecord } from '../storage/records.js';
import type { BackupCodeRepository, FactorRepository, UserRepository } from '../storage/repositories.js';
import { type FactorView, toFactorView } from './factor-view.js';
import type { SecondFactorVerifier } from './second-factor-verifier.js';

export type CodeCheck = { ok: true; factor: FactorView } | { ok: false };

/** Where an account stands: its active methods, backup codes left, the policy, and its issuer name. */
export interface TwoFactorStatus {
  methods: FactorKind[];
  backupCodesRemaining: number;
  requirement: Requirement;
  /** What authenticator apps call the account's service (a backup-code file is named after it). */
  issuer: string;
}

/**
 * Reading a user's factors and checking codes against them. Turning methods on and off is the
 * EnableFlow's and DisableFlow's; every code check goes through the SecondFactorVerifier (one
 * lockout for every method).
 */
/** How a platform names one of its users to Tessera: by username, or by its own id. */
export type UserKey = { username: string } | { externalId: string };

export class FactorService {
  constructor(
    private readonly deps: {
      factors: FactorRepository;
      backupCodes: BackupCodeRepository;
      methods: MethodRegistry;
      verifier: SecondFactorVerifier;
      policy: PolicyService;
      authorizer: Authorizer;
      issuers: Pick<IssuerSettings, 'issuerFor'>;
      users: Pick<UserRepository, 'findById'>;
      clock: Clock;
    },
  ) {}

  /** The caller's factors: active ones and enrollments still waiting. */
  async list(actor: Actor): Promise<FactorView[]> {
    return this.listOf(await this.deps.authorizer.own(actor, 'own.read_status'));
  }

  /** Another user's factors (admins). */
  async listFor(actor: Actor, userId: string): Promise<FactorView[]> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    return this.listOf(userId);
  }

  async status(actor: Actor): Promise<TwoFactorStatus> {
    const userId = await this.deps.authorizer.own(actor, 'own.read_status');
    const methods = await this.deps.factors.activeKinds(userId);
    const backupCodesRemaining = methods.includes('backup_codes')
      ? await this.deps.backupCodes.countRemaining(userId)
      : 0;
    const user = await this.deps.users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    const [requirement, issuer] = await Promise.all([
      this.deps.policy.requirementOf(userId),
      this.deps.issuers.issuerFor(user),
    ]);
    return { methods, backupCodesRemaining, requirement, issuer };
  }

  /**
   * Checks a code of the caller's authenticator app. A wrong or replayed code is `{ ok: false }`;
   * a locked account and a malformed code are errors.
   */
  async verify(actor: Actor, code: string): Promise<CodeCheck> {
    const userId = await this.deps.authorizer.own(actor, 'own.verify');
    const found = await this.deps.factors.findActiveToCheck(userId, 'totp');
    if (!found) throw new TesseraError('NO_ACTIVE_FACTOR');
    return this.check(found.factor, code, { state: found.lockout });
  }

  /**
   * The server-to-server check: a user named by username or by the platform's id (`externalId`),
   * one lookup for user and factor.
   */
  async verifyForUser(actor: Actor, user: UserKey, code: string): Promise<CodeCheck> {
    await this.deps.authorizer.admin(actor, 'admin.verify');
    const found =
      'externalId' in user
        ? await this.deps.factors.findActiveByExternalId(user.externalId, 'totp')
        : await this.deps.factors.findActiveByUsername(user.username, 'totp');
    if (!found) throw new TesseraError('USER_NOT_FOUND');
    if (found.disabled) throw new TesseraError('ACCOUNT_DISABLED');
    if (!found.factor) throw new TesseraError('NO_ACTIVE_FACTOR');
    return this.check(found.factor, code, { state: found.lockout });
  }

  /**
   * The server-to-server check of one named factor (Twilio Verify's challenges name theirs): the
   * account's active TOTP factor must be that one, or it is FACTOR_NOT_FOUND and no code is spent.
   */
  async verifyFactorOf(actor: Actor, externalId: string, factorId: string, code: string): Promise<CodeCheck> {
    await this.deps.authorizer.admin(actor, 'admin.verify');
    const found = await this.deps.factors.findActiveByExternalId(externalId, 'totp');
    if (!found) throw new TesseraError('USER_NOT_FOUND');
    if (found.disabled) throw new TesseraError('ACCOUNT_DISABLED');
    if (!found.factor || found.factor.id !== factorId) throw new TesseraError('FACTOR_NOT_FOUND');
    return this.check(found.factor, code, { state: found.lockout });
  }

  view(factor: FactorRecord): FactorView {
    return toFactorView(factor, this.deps.methods.of(factor).describe(factor));
  }

  private async listOf(userId: string): Promise<FactorView[]> {
    const now = this.deps.clock.now();
    const all = await this.deps.factors.listByUser(userId);
    return all
      .filter((f) => f.status === 'active' || (f.expiresAt !== null && f.expiresAt > now))
      .map((f) => this.view(f));
  }

  private async check(
    factor: FactorRecord,
    code: string,
    lastRead?: { state: LockoutRecord | undefined },
  ): Promise<CodeCheck> {
    const check = await this.deps.verifier.verifyFactor(factor, codeProof(code), { purposes: [] }, lastRead);
    return check.ok ? { ok: true, factor: this.view(factor) } : { ok: false };
  }
}
