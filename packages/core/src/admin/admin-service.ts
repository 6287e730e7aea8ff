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
import type { FactorKind, FactorRecord, SubAccountKind, UserRecord, UserTwoFactorSummary } from '../storage/records.js';
import type { Repositories, Storage } from '../storage/repositories.js';

export interface UserTwoFactorState {
  id: string;
  username: string;
  email: string | null;
  role: string;
  /** The primary domain, or null; sub-accounts have none. */
  domain: string | null;
  /** For a sub-account, its owner and whether it is an e-mail account or a team user; null otherwise. */
  ownerId: string | null;
  subAccountType: SubAccountKind | null;
  twoFactorEnabled: boolean;
  methods: FactorKind[];
  externalId: string | null;
  disabled: boolean;
  secondFactorLock: SecondFactorLockState;
}

/**
 * The authenticator keys of a top-level account and of its sub-accounts, by username: WHM's
 * `get_tfa_config_for_user` and `set_tfa_config_for_user`. An account without an authenticator
 * has no entry (`primary` undefined).
 */
export interface TotpConfig {
  primary: string | undefined;
  email: Record<string, string>;
  team: Record<string, string>;
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
    /** Only accounts whose username, e-mail address or externalId contains this (any case). */
    search?: string,
  ): Promise<{ items: UserTwoFactorState[]; total: number }> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    const page = await this.deps.storage.users.listWithFactors(limit, offset, search || undefined);
    return { total: page.total, items: page.items.map((item) => this.twoFactorState(item)) };
  }

  /**
   * Up to `limit` top-level accounts the caller controls, after the username `after` (keyset
   * paging, so listing 100,000 accounts never loads them at once nor gets slower page by page).
   * Sub-accounts are left out (cPanel lists its accounts, not their mailboxes). Someone who is not an admin
   * controls only their own account.
   */
  async listControlledTopLevel(actor: Actor, after: string | null, limit: number): Promise<UserTwoFactorState[]> {
    if (actor.kind === 'user' && actor.role !== 'admin') {
      const own = await this.ownState(actor);
      return after === null && limit > 0 ? [own] : [];
    }
    await this.deps.authorizer.admin(actor, 'admin.read');
    return (await this.deps.storage.users.listTopLevelWithFactors(after, limit)).map((item) =>
      this.twoFactorState(item),
    );
  }

  /**
   * A sub-account of the caller's by username (UAPI `get_team_user_configuration`): the caller
   * must own it, and it must be of `kind`. Anything else, another owner's included, is
   * USER_NOT_FOUND, so a caller learns nothing of accounts that are not theirs. With it, the
   * issuer its authenticator shows.
   */
  async ownSubAccount(
    actor: Actor,
    username: string,
    kind: SubAccountKind,
  ): Promise<UserTwoFactorState & { issuer: string }> {
    const ownerId = await this.deps.authorizer.own(actor, 'own.read_status');
    const user = await this.deps.storage.users.findByUsername(username);
    if (!user || user.ownerId !== ownerId || user.subKind !== kind) throw new TesseraError('USER_NOT_FOUND');
    const state = this.twoFactorState({ user, activeKinds: await this.deps.storage.factors.activeKinds(user.id) });
    return { ...state, issuer: await this.deps.issuers.issuerFor(user) };
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

  /**
   * Removes one factor of another account, pending or active (Twilio Verify's factor delete):
   * an active one is recorded as disabled by an admin (history, `factor.removed` webhook), and
   * the owner is told.
   */
  async removeFactor(actor: Actor, userId: string, factorId: string): Promise<void> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const { storage, changes } = this.deps;
    const factor = await storage.factors.findById(factorId);
    if (!factor || factor.userId !== userId) throw new TesseraError('FACTOR_NOT_FOUND');
    const context = changeContextFor(actor, userId);
    // The removal and its record (history, webhook event) commit together; the owner is told after.
    const notify = await storage.transaction(async (tx) => {
      if (!(await tx.factors.delete(factor.id))) throw new TesseraError('FACTOR_NOT_FOUND');
      if (factor.status !== 'active') return undefined;
      return changes.recordIn(tx, { userId, method: factor.kind, action: 'disable', enabled: false }, context);
    });
    await notify?.();
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
    await this.user(userId);
    const context = changeContextFor(actor, userId);
    const { removed, notify } = await this.deps.storage.transaction(async (tx) => {
      const removed = await this.resetIn(tx, userId);
      const notify = await this.deps.changes.recordAllIn(
        tx,
        { userId, methods: removed, action: 'reset', enabled: false },
        context,
      );
      return { removed, notify };
    });
    await notify();
    return removed;
  }

  /** The writes of a reset, inside the caller's unit of work; returns the kinds removed. */
  private async resetIn(tx: Repositories, userId: string): Promise<FactorKind[]> {
    const removed = await tx.factors.deleteAllForUser(userId);
    await tx.backupCodes.deleteAll(userId);
    const now = this.deps.clock.now();
    await tx.trustedDevices.revokeAllForUser(userId, now);
    await tx.sessions.revokeAllForUser(userId, now);
    await tx.flows.expireAllForUser(userId, now);
    // A reset starts the account afresh: no failures, lock or suspension carried over.
    await tx.lockouts.reset(userId);
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
    const secret = base32Key(secretBox, factor);
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
   * The authenticator keys of a top-level account and of its e-mail and team sub-accounts, for
   * migration (WHM's `get_tfa_config_for_user`). Each key read is recorded in its account's
   * history as an export, and its account's owner is told, as `exportTotp` does.
   */
  async exportTotpConfig(actor: Actor, userId: string): Promise<TotpConfig> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const { storage, secretBox, changes } = this.deps;
    const owner = await this.user(userId);
    const config: TotpConfig = { primary: undefined, email: {}, team: {} };
    for (const account of [owner, ...(await storage.users.listOwnedBy(owner.id))]) {
      const factor = await storage.factors.findActive(account.id, 'totp');
      if (!factor) continue;
      const secret = base32Key(secretBox, factor);
      if (account.subKind === null) config.primary = secret;
      else config[account.subKind][account.username] = secret;
      await changes.record(account.id, 'totp', 'export', true, changeContextFor(actor, account.id));
    }
    return config;
  }

  /**
   * Replaces the authenticator keys of a top-level account and its sub-accounts without a code
   * (WHM's `set_tfa_config_for_user`), in one transaction: every old key of the family is purged,
   * then the keys given are installed. Without a `primary` key the owner's 2FA is reset (as
   * `resetTwoFactor` does); a sub-account not named loses its authenticator. Each named
   * sub-account must be one of this owner's, of that kind (VALIDATION_FAILED with `subAccount`
   * and `subAccountKind` in meta otherwise), and each key at least 80 bits; nothing is written
   * unless all of them are. Each account's change is recorded, and its owner told, after commit.
   */
  async replaceTotpConfig(actor: Actor, userId: string, config: TotpConfig): Promise<void> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const { storage, clock } = this.deps;
    const owner = await this.user(userId);
    if (owner.ownerId !== null) {
      throw new TesseraError('VALIDATION_FAILED', { message: 'A sub-account has no sub-accounts of its own.' });
    }
    const subAccounts = await storage.users.listOwnedBy(owner.id);
    const keys = new Map<string, Uint8Array>();
    try {
      for (const kind of ['email', 'team'] as const) {
        for (const [username, secret] of Object.entries(config[kind])) {
          const account = subAccounts.find((sub) => sub.username === username && sub.subKind === kind);
          if (!account) {
            throw new TesseraError('VALIDATION_FAILED', {
              message: `“${username}” is not ${kind === 'email' ? 'an e-mail account' : 'a team user'} of “${owner.username}”.`,
              meta: { subAccount: username, subAccountKind: kind },
            });
          }
          keys.set(account.id, importableKey(secret));
        }
      }
      if (config.primary !== undefined) keys.set(owner.id, importableKey(config.primary));
      const now = clock.now();
      const notices = await storage.transaction((tx) =>
        this.writeTotpConfigIn(tx, actor, [owner, ...subAccounts], keys, now),
      );
      for (const notify of notices) await notify();
    } finally {
      for (const key of keys.values()) key.fill(0);
    }
  }

  /**
   * The writes of replaceTotpConfig, in its unit of work: `accounts` is the owner, then its
   * sub-accounts; `keys` the new key of each account that gets one. Returns the notices to send
   * once committed.
   */
  private async writeTotpConfigIn(
    tx: Repositories,
    actor: Actor,
    accounts: readonly UserRecord[],
    keys: ReadonlyMap<string, Uint8Array>,
    now: Date,
  ): Promise<(() => Promise<void>)[]> {
    const { changes } = this.deps;
    const notices: (() => Promise<void>)[] = [];
    const [owner] = accounts;
    for (const account of accounts) {
      const key = keys.get(account.id);
      const context = changeContextFor(actor, account.id);
      if (account === owner && key === undefined) {
        const removed = await this.resetIn(tx, account.id);
        const change = { userId: account.id, methods: removed, action: 'reset' as const, enabled: false };
        notices.push(await changes.recordAllIn(tx, change, context));
        continue;
      }
      const current = await tx.factors.findActive(account.id, 'totp');
      if (current) await tx.factors.delete(current.id);
      if (key === undefined) {
        if (!current) continue;
        const enabled = (await tx.factors.activeKinds(account.id)).length > 0;
        const change = { userId: account.id, method: 'totp', action: 'disable' as const, enabled };
        notices.push(await changes.recordIn(tx, change, context));
        continue;
      }
      const outcome = await tx.factors.insertActive(this.importedTotp(account.id, key, DEFAULT_TOTP_PARAMS, now));
      if (outcome === 'already_active') throw new TesseraError('FACTOR_ALREADY_ACTIVE');
      const change = { userId: account.id, method: 'totp', action: 'import' as const, enabled: true };
      notices.push(await changes.recordIn(tx, change, context));
    }
    return notices;
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
    const { storage, clock, changes } = this.deps;
    await this.user(userId);
    const context = changeContextFor(actor, userId);
    const key = importableKey(input.secret);
    const params: TotpParams = {
      algorithm: input.algorithm ?? DEFAULT_TOTP_PARAMS.algorithm,
      digits: input.digits ?? DEFAULT_TOTP_PARAMS.digits,
      period: input.period ?? DEFAULT_TOTP_PARAMS.period,
    };
    const factor = this.importedTotp(userId, key, params, clock.now());
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
      domain: user.domain,
      ownerId: user.ownerId,
      subAccountType: user.subKind,
      twoFactorEnabled: activeKinds.length > 0,
      methods: activeKinds,
      externalId: user.externalId,
      disabled: user.disabledAt !== null,
      secondFactorLock: this.deps.guard.stateOf(lockout),
    };
  }

  /** An active authenticator factor holding an imported key (sealed here; the caller wipes `key`). */
  private importedTotp(userId: string, key: Uint8Array, params: TotpParams, now: Date): FactorRecord {
    const id = newId();
    return {
      id,
      userId,
      kind: 'totp',
      status: 'active',
      details: { sealedSecret: sealTotpKey(this.deps.secretBox, id, key), ...params, lastUsedStep: null },
      createdAt: now,
      expiresAt: null,
      activatedAt: now,
    };
  }

  private async user(userId: string): Promise<UserRecord> {
    const user = await this.deps.storage.users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    return user;
  }
}

/** A factor's key in base32, the plain key wiped once encoded. */
function base32Key(secretBox: SecretBox, factor: Parameters<typeof openTotpKey>[1]): string {
  const key = openTotpKey(secretBox, factor);
  const secret = encodeBase32(key);
  key.fill(0);
  return secret;
}

/** A key brought from another system: valid base32 of at least 80 bits (cPanel issues 80). */
export function importableKey(secret: string): Uint8Array {
  const key = decodeSecret(secret);
  if (key.length < 10) {
    key.fill(0);
    throw new TesseraError('VALIDATION_FAILED', {
      message: 'The secret must be at least 80 bits (16 base32 characters).',
    });
  }
  return key;
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
