import type { ErrorCode } from '@tessera/contract';
import type { Actor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import { newId } from '../crypto/random.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { isTesseraError, TesseraError } from '../errors/tessera-error.js';
import { alreadyActive } from '../factors/already-active.js';
import type { FactorChanges } from '../factors/factor-changes.js';
import { changeContextFor } from '../history/history-service.js';
import type { SecondFactorGuard, SecondFactorLockState } from '../lockout/second-factor-guard.js';
import { openTotpKey, sealTotpKey, totpParams } from '../methods/totp/totp.method.js';
import {
  buildOtpauthUri,
  DEFAULT_TOTP_PARAMS,
  decodeBase32,
  encodeBase32,
  OtpFormatError,
  type TotpParams,
} from '../otp/index.js';
import type { IssuerSettings } from '../settings/issuer-settings.js';
import type { FactorKind, UserRecord, UserTwoFactorSummary } from '../storage/records.js';
import type { Storage } from '../storage/repositories.js';

export interface UserTwoFactorState {
  id: string;
  username: string;
  email: string | null;
  role: string;
  twoFactorEnabled: boolean;
  methods: FactorKind[];
  externalId: string | null;
  disabled: boolean;
  secondFactorLock: SecondFactorLockState;
}

export interface TotpExport extends TotpParams {
  secret: string;
  otpauthUri: string;
}

/** What a reset of several users did: each user's removed methods, or why it failed. */
export interface BulkResetOutcome {
  reset: { userId: string; removed: FactorKind[] }[];
  failed: { userId: string; code: ErrorCode; message: string }[];
}

/** Operations an admin performs on other users' 2FA. Each change is recorded as the admin's. */
export class AdminService {
  constructor(
    private readonly deps: {
      storage: Storage;
      changes: FactorChanges;
      issuers: IssuerSettings;
      authorizer: Authorizer;
      secretBox: SecretBox;
      clock: Clock;
      guard: SecondFactorGuard;
    },
  ) {}

  async listUsers(
    actor: Actor,
    limit: number,
    offset: number,
  ): Promise<{ items: UserTwoFactorState[]; total: number }> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    const page = await this.deps.storage.users.listWithFactors(limit, offset);
    return { total: page.total, items: page.items.map((item) => this.twoFactorState(item)) };
  }

  /**
   * The accounts the caller controls (WHM's `get_user_configs`): every account for an admin or
   * the command line, only their own for anyone else.
   */
  async listControlled(
    actor: Actor,
    limit: number,
    offset: number,
  ): Promise<{ items: UserTwoFactorState[]; total: number }> {
    if (actor.kind === 'user' && actor.role !== 'admin') {
      const own = await this.ownState(actor);
      return { total: 1, items: offset === 0 && limit > 0 ? [own] : [] };
    }
    return this.listUsers(actor, limit, offset);
  }

  /**
   * One account the caller controls, by username. Anyone else's, to someone who is not an admin,
   * is FORBIDDEN whether or not it exists; an admin asking for no such account gets USER_NOT_FOUND.
   */
  async controlledAccount(actor: Actor, username: string): Promise<UserTwoFactorState> {
    if (actor.kind === 'user' && actor.role !== 'admin') {
      const own = await this.ownState(actor);
      if (own.username !== username) throw new TesseraError('FORBIDDEN', { message: 'Not your account.' });
      return own;
    }
    await this.deps.authorizer.admin(actor, 'admin.read');
    const user = await this.deps.storage.users.findByUsername(username);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    return await this.stateOf(user);
  }

  private async ownState(actor: Actor): Promise<UserTwoFactorState> {
    const userId = await this.deps.authorizer.own(actor, 'own.read_status');
    const user = await this.user(userId);
    return await this.stateOf(user);
  }

  /**
   * Removes every factor of the user (an admin's "reset 2FA"), the devices that skip the second
   * factor, the user's sessions (their access tokens die with them) and pending flows, in one
   * transaction, with history and one notice.
   */
  async resetTwoFactor(actor: Actor, userId: string): Promise<FactorKind[]> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    return this.reset(actor, userId);
  }

  /** Resets several users (WHM); one user's failure does not stop the others and is reported. */
  async resetMany(actor: Actor, userIds: readonly string[]): Promise<BulkResetOutcome> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const outcome: BulkResetOutcome = { reset: [], failed: [] };
    for (const userId of new Set(userIds)) {
      try {
        outcome.reset.push({ userId, removed: await this.reset(actor, userId) });
      } catch (error) {
        if (!isTesseraError(error)) throw error;
        outcome.failed.push({ userId, code: error.code, message: error.message });
      }
    }
    return outcome;
  }

  private async reset(actor: Actor, userId: string): Promise<FactorKind[]> {
    const { storage, changes, clock } = this.deps;
    await this.user(userId);
    const context = changeContextFor(actor, userId);
    const { removed, notify } = await storage.transaction(async (tx) => {
      const removed = await tx.factors.deleteAllForUser(userId);
      await tx.backupCodes.deleteAll(userId);
      const now = clock.now();
      await tx.trustedDevices.revokeAllForUser(userId, now);
      await tx.sessions.revokeAllForUser(userId, now);
      await tx.flows.expireAllForUser(userId, now);
      // A reset starts the account afresh: no failures, lock or suspension carried over.
      await tx.lockouts.reset(userId);
      const notify = await changes.recordAllIn(
        tx.history,
        { userId, methods: removed, action: 'reset', enabled: false },
        context,
      );
      return { removed, notify };
    });
    await notify();
    return removed;
  }

  /**
   * Clears the user's second-factor failures, lock and suspension (the failure ceiling stops
   * code checks until this is done). Recorded in the history; the owner is told.
   */
  async unlockSecondFactor(actor: Actor, userId: string): Promise<void> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const { storage, changes, guard } = this.deps;
    await this.user(userId);
    const context = changeContextFor(actor, userId);
    await guard.unlock(userId);
    await changes.record(userId, 'second_factor', 'unlock', await storage.factors.hasActive(userId), context);
  }

  /** The user's TOTP key for migration to another system. Recorded in the history every time. */
  async exportTotp(actor: Actor, userId: string): Promise<TotpExport> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const { storage, secretBox, issuers, changes } = this.deps;
    const user = await this.user(userId);
    const context = changeContextFor(actor, userId);
    const factor = await storage.factors.findActive(userId, 'totp');
    if (!factor) throw new TesseraError('METHOD_NOT_ACTIVE');
    const key = openTotpKey(secretBox, factor);
    const secret = encodeBase32(key);
    key.fill(0);
    const params = totpParams(factor);
    await changes.record(userId, 'totp', 'export', true, context);
    return {
      secret,
      otpauthUri: buildOtpauthUri({
        issuer: await issuers.issuerFor(user),
        accountName: user.username,
        secret,
        ...params,
      }),
      ...params,
    };
  }

  /**
   * Installs a TOTP key brought from another system as the user's active authenticator. With
   * `replace`, an authenticator the user already has is removed in the same transaction (WHM's
   * `set_tfa_config_for_user` replaces); without it, one already active is FACTOR_ALREADY_ACTIVE.
   */
  async importTotp(
    actor: Actor,
    userId: string,
    input: { secret: string; replace?: boolean } & Partial<TotpParams>,
  ): Promise<void> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const { storage, secretBox, clock, changes } = this.deps;
    await this.user(userId);
    const context = changeContextFor(actor, userId);
    const key = decodeSecret(input.secret);
    if (key.length < 10) {
      throw new TesseraError('VALIDATION_FAILED', {
        message: 'The secret must be at least 80 bits (16 base32 characters).',
      });
    }
    const params: TotpParams = {
      algorithm: input.algorithm ?? DEFAULT_TOTP_PARAMS.algorithm,
      digits: input.digits ?? DEFAULT_TOTP_PARAMS.digits,
      period: input.period ?? DEFAULT_TOTP_PARAMS.period,
    };
    const now = clock.now();
    const id = newId();
    const factor = {
      id,
      userId,
      kind: 'totp' as const,
      status: 'active' as const,
      details: { sealedSecret: sealTotpKey(secretBox, id, key), ...params, lastUsedStep: null },
      createdAt: now,
      expiresAt: null,
      activatedAt: now,
    };
    key.fill(0);
    const outcome = input.replace
      ? await storage.transaction(async (tx) => {
          const current = await tx.factors.findActive(userId, 'totp');
          if (current) await tx.factors.delete(current.id);
          return tx.factors.insertActive(factor);
        })
      : await storage.factors.insertActive(factor);
    if (outcome === 'already_active') throw alreadyActive('totp');
    await changes.record(userId, 'totp', 'import', true, context);
  }

  private async stateOf(user: UserRecord): Promise<UserTwoFactorState> {
    const { factors, lockouts } = this.deps.storage;
    const [activeKinds, lockout] = await Promise.all([factors.activeKinds(user.id), lockouts.find(user.id)]);
    return this.twoFactorState({ user, activeKinds, lockout });
  }

  private twoFactorState({ user, activeKinds, lockout }: UserTwoFactorSummary): UserTwoFactorState {
    return {
      id: user.id,
      username: user.username,
      email: user.email,
      role: user.role,
      twoFactorEnabled: activeKinds.length > 0,
      methods: activeKinds,
      externalId: user.externalId,
      disabled: user.disabledAt !== null,
      secondFactorLock: this.deps.guard.stateOf(lockout),
    };
  }

  private async user(userId: string): Promise<UserRecord> {
    const user = await this.deps.storage.users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    return user;
  }
}

/** A malformed key is the caller's mistake (400), not a server failure. */
function decodeSecret(secret: string): Uint8Array {
  try {
    return decodeBase32(secret);
  } catch (error) {
    if (error instanceof OtpFormatError) {
      throw new TesseraError('VALIDATION_FAILED', {
        message: `The secret is not valid base32: ${error.message}.`,
        cause: error,
      });
    }
    throw error;
  }
}
