import { createHash } from 'node:crypto';
import {
  EMAIL_PATTERN,
  type NewAccountInput,
  SUB_ACCOUNT_USERNAME_PATTERN,
  USERNAME_PATTERN,
} from '../accounts/account-rules.js';
import type { AccountService, CpanelAccountInput } from '../accounts/account-service.js';
import type { ApiTokenService } from '../api-tokens/api-token-service.js';
import type { Actor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import type { KeyedHasher } from '../crypto/keyed-hash.js';
import { maskDestination } from '../delivery/delivered-code-service.js';
import { isTesseraError, TesseraError } from '../errors/tessera-error.js';
import { type ChangeContext, changeContextFor, type HistoryService } from '../history/history-service.js';
import type { SecondFactorGuard, SecondFactorLockState } from '../lockout/second-factor-guard.js';
import { normalizePhoneNumber } from '../methods/sms/phone-number.js';
import type { NotificationService } from '../notifications/notification-service.js';
import type { FactorKind, HistoryAction, Role, SubAccountKind, UserRecord } from '../storage/records.js';
import type { Repositories, Storage } from '../storage/repositories.js';

/** An account as an admin sees it: contact details, the platform's id, state and 2FA. */
export interface AdminUserView {
  id: string;
  username: string;
  email: string | null;
  phone: string | null;
  role: Role;
  externalId: string | null;
  /** cPanel's primary domain, or null. */
  domain: string | null;
  /** For an e-mail account or team user: the id of the account that owns it, and which it is. */
  ownerId: string | null;
  subAccountType: SubAccountKind | null;
  /** False for an account made without a password (it cannot sign in with one). */
  hasPassword: boolean;
  disabled: boolean;
  disabledAt: string | null;
  createdAt: string;
  twoFactorEnabled: boolean;
  methods: FactorKind[];
  secondFactorLock: SecondFactorLockState;
}

/** How an admin names an account: the platform's own id, or the username. */
export type UserLookup = { username: string } | { externalId: string };

export interface ContactChange {
  /** A new address, or null to clear it. */
  email?: string | null;
  /** A new E.164 number (spaces and dashes allowed), or null to clear it. */
  phone?: string | null;
}

/** What an admin may change of an account: its contact details, its username and its role. */
export interface AccountChange extends ContactChange {
  /** A new username, of the same kind as the old (a sub-account's stays name@domain). */
  username?: string;
  role?: Role;
}

/**
 * Accounts a platform manages: create (with or without a password, with its own id), look up,
 * change contact details, disable and enable, delete. Every change is recorded in the history
 * with the admin as actor, in the same transaction as the change; the history never holds a
 * username, address or number, so a deleted account's entries keep only a pseudonym.
 */
export class AccountAdminService {
  constructor(
    private readonly deps: {
      storage: Storage;
      accounts: Pick<AccountService, 'newUserRecord' | 'assertDeletable'>;
      apiTokens: Pick<ApiTokenService, 'forgetOwner'>;
      history: Pick<HistoryService, 'record'>;
      authorizer: Authorizer;
      guard: Pick<SecondFactorGuard, 'stateOf'>;
      hasher: KeyedHasher;
      clock: Clock;
      notifications: Pick<NotificationService, 'notify'>;
    },
  ) {}

  async create(actor: Actor, input: NewAccountInput & CpanelAccountInput & { role?: Role }): Promise<AdminUserView> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const user = await this.deps.accounts.newUserRecord({
      ...input,
      ...(input.phone === undefined ? {} : { phone: normalizePhoneNumber(input.phone) }),
    });
    await this.change(actor, user.id, 'create', true, { passwordSet: user.passwordHash !== null }, async (tx) => {
      const outcome = await tx.users.create(user);
      if (outcome === 'username_taken') throw new TesseraError('USERNAME_TAKEN');
      if (outcome === 'email_taken') throw new TesseraError('EMAIL_TAKEN');
      if (outcome === 'external_id_taken') throw new TesseraError('EXTERNAL_ID_TAKEN');
    });
    return this.view(user);
  }

  /**
   * The account a platform knows by its own id, made (without a password, so it never signs in
   * by one) the first time it is named: Twilio Verify's entities are created by their first
   * factor. The username is derived from the id, which may hold characters usernames may not.
   */
  async findOrCreateByExternalId(actor: Actor, externalId: string): Promise<AdminUserView> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const found = await this.deps.storage.users.findByExternalId(externalId);
    if (found) return this.view(found);
    const username = `entity.${createHash('sha256').update(externalId).digest('hex').slice(0, 32)}`;
    try {
      return await this.create(actor, { username, externalId });
    } catch (error) {
      // Made meanwhile by a concurrent call naming the same id: that one is the account.
      if (!isTesseraError(error) || (error.code !== 'EXTERNAL_ID_TAKEN' && error.code !== 'USERNAME_TAKEN'))
        throw error;
      const made = await this.deps.storage.users.findByExternalId(externalId);
      if (!made) throw error;
      return this.view(made);
    }
  }

  async get(actor: Actor, userId: string): Promise<AdminUserView> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    return this.view(await this.user(userId));
  }

  /**
   * A page of accounts as an admin sees them, by username; with `search`, those whose username,
   * e-mail address or externalId contains it (any case).
   */
  async list(
    actor: Actor,
    page: { limit: number; offset: number; search?: string | undefined },
  ): Promise<{ items: AdminUserView[]; total: number }> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    const found = await this.deps.storage.users.listWithFactors(page.limit, page.offset, page.search || undefined);
    return {
      total: found.total,
      items: found.items.map(({ user, activeKinds, lockout }) =>
        this.viewOf(user, activeKinds, this.deps.guard.stateOf(lockout)),
      ),
    };
  }

  async lookup(actor: Actor, by: UserLookup): Promise<AdminUserView> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    const { users } = this.deps.storage;
    const user =
      'externalId' in by ? await users.findByExternalId(by.externalId) : await users.findByUsername(by.username);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    return this.view(user);
  }

  /**
   * New contact details, username or role, checked as at sign-up, in one transaction with its
   * history entry (which names the fields changed, not their values). The address cannot be
   * cleared while the e-mail method is active: its codes go there. The owner hears of a contact
   * change, after the commit, at the address the account had (a phone change too); a new address
   * is told it is now the account's. A new role ends the account's sessions, whose access tokens
   * carry the old one; an admin cannot change their own role (nor so leave the server without one).
   */
  async update(actor: Actor, userId: string, change: AccountChange): Promise<AdminUserView> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const contact = checkedContact(change);
    const before = await this.user(userId);
    const identity = checkedIdentity(before, change);
    const changed = [...Object.keys(contact), ...Object.keys(identity)];
    const given = (['email', 'phone', 'username', 'role'] as const).filter((field) => change[field] !== undefined);
    if (given.length === 0) {
      throw new TesseraError('VALIDATION_FAILED', { message: 'Give one of email, phone, username, role.' });
    }
    // The same username or role as now changes nothing and records nothing.
    if (changed.length === 0) return this.view(before);
    if (identity.role !== undefined) this.refuseOwnAccount(actor, userId, 'change the role of');
    await this.change(actor, userId, 'update', true, { changed }, async (tx) => {
      if (contact.email === null && (await tx.factors.findActive(userId, 'email'))) {
        throw new TesseraError('VALIDATION_FAILED', {
          message: 'The e-mail method is active and its codes go to this address: disable it first.',
        });
      }
      const outcome = await tx.users.updateContact(userId, contact);
      if (outcome === 'not_found') throw new TesseraError('USER_NOT_FOUND');
      if (outcome === 'email_taken') throw new TesseraError('EMAIL_TAKEN');
      const renamed = await tx.users.updateIdentity(userId, identity);
      if (renamed === 'not_found') throw new TesseraError('USER_NOT_FOUND');
      if (renamed === 'username_taken') throw new TesseraError('USERNAME_TAKEN');
      if (identity.role !== undefined) await tx.sessions.revokeAllForUser(userId, this.deps.clock.now());
    });
    // API tokens act in their owner's role, cached for a few seconds: read it again.
    if (identity.role !== undefined) this.deps.apiTokens.forgetOwner(userId);
    const after = await this.user(userId);
    this.noticeContactChange(before, after);
    return this.view(after);
  }

  /** As `update`, for contact details alone. */
  async updateContact(actor: Actor, userId: string, change: ContactChange): Promise<AdminUserView> {
    const { email, phone } = change;
    return this.update(actor, userId, {
      ...(email === undefined ? {} : { email }),
      ...(phone === undefined ? {} : { phone }),
    });
  }

  /**
   * A disabled account signs in nowhere: its password and API tokens are refused, its sessions
   * (and the access tokens of them) end, and its flows in progress (a sign-in waiting for its
   * code, an enrollment) expire, all in one transaction. Its factors and tokens stay for when it
   * is enabled again.
   */
  async disable(actor: Actor, userId: string): Promise<AdminUserView> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    this.refuseOwnAccount(actor, userId, 'disable');
    await this.user(userId);
    await this.change(actor, userId, 'disable', false, {}, async (tx) => {
      const now = this.deps.clock.now();
      await tx.users.setDisabled(userId, now);
      await tx.sessions.revokeAllForUser(userId, now);
      await tx.flows.expireAllForUser(userId, now);
    });
    this.deps.apiTokens.forgetOwner(userId);
    const user = await this.user(userId);
    this.deps.notifications.notify(user, { type: 'account_disabled_by_admin' });
    return this.view(user);
  }

  async enable(actor: Actor, userId: string): Promise<AdminUserView> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    await this.user(userId);
    await this.change(actor, userId, 'enable', true, {}, (tx) => tx.users.setDisabled(userId, null));
    this.deps.apiTokens.forgetOwner(userId);
    const user = await this.user(userId);
    this.deps.notifications.notify(user, { type: 'account_enabled_by_admin' });
    return this.view(user);
  }

  /**
   * Removes the account with its factors, backup codes, API tokens, trusted devices, sessions and
   * refresh tokens, flows and lockout, in one transaction. Its history stays, pseudonymised: the
   * entries about it (and those it made) keep a pseudonym derived from its id under the server
   * key, the same for all of them, instead of the id.
   */
  async delete(actor: Actor, userId: string): Promise<{ pseudonym: string }> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    this.refuseOwnAccount(actor, userId, 'delete');
    await this.user(userId);
    await this.deps.accounts.assertDeletable(userId);
    const pseudonym = `deleted-${this.deps.hasher.digest(`user-pseudonym:${userId}`).slice(0, 22)}`;
    await this.change(actor, userId, 'delete', false, {}, async (tx) => {
      await tx.history.pseudonymise(userId, pseudonym);
      if (!(await tx.users.delete(userId))) throw new TesseraError('USER_NOT_FOUND');
    });
    this.deps.apiTokens.forgetOwner(userId);
    return { pseudonym };
  }

  /** The listing's view of one account, from what the listing already loaded. */
  viewOf(user: UserRecord, methods: FactorKind[], lock: SecondFactorLockState): AdminUserView {
    return {
      id: user.id,
      username: user.username,
      email: user.email,
      phone: user.phone,
      role: user.role,
      externalId: user.externalId,
      domain: user.domain,
      ownerId: user.ownerId,
      subAccountType: user.subKind,
      hasPassword: user.passwordHash !== null,
      disabled: user.disabledAt !== null,
      disabledAt: user.disabledAt?.toISOString() ?? null,
      createdAt: user.createdAt.toISOString(),
      twoFactorEnabled: methods.length > 0,
      methods,
      secondFactorLock: lock,
    };
  }

  private async view(user: UserRecord): Promise<AdminUserView> {
    const { factors, lockouts } = this.deps.storage;
    const [methods, lockout] = await Promise.all([factors.activeKinds(user.id), lockouts.find(user.id)]);
    return this.viewOf(user, methods, this.deps.guard.stateOf(lockout));
  }

  /**
   * The change and its history entry (method `account`, the admin as actor) in one transaction.
   * A delete's entry is written before the delete, so it is pseudonymised with the rest.
   */
  private async change(
    actor: Actor,
    userId: string,
    action: HistoryAction,
    enabled: boolean,
    details: object,
    write: (tx: Repositories) => Promise<unknown>,
  ): Promise<void> {
    const context: ChangeContext = changeContextFor(actor, userId);
    await this.deps.storage.transaction(async (tx) => {
      const entry = { userId, method: 'account', action, enabled, details };
      if (action === 'delete') await this.deps.history.record(entry, context, tx);
      await write(tx);
      if (action !== 'delete') await this.deps.history.record(entry, context, tx);
    });
  }

  /**
   * Someone else changed where the owner's codes go: they hear of it at the address the account
   * had, which they proved or gave, never at only the new one (it may be an attacker's). A new
   * address also gets a notice, so that its owner learns notices now come there; the values are
   * masked, as in the history. Without any address there is no one to tell.
   */
  private noticeContactChange(before: UserRecord, after: UserRecord): void {
    const { notifications } = this.deps;
    // A phone change goes to the old address; to the new one only when there was none before.
    const owner = before.email ? before : after;
    if (before.email !== after.email) {
      notifications.notify(before, {
        type: 'contact_changed_by_admin',
        what: 'e-mail address',
        to: after.email === null ? null : maskDestination('email', after.email),
      });
      if (after.email !== null) notifications.notify(after, { type: 'email_address_set_by_admin' });
    }
    if (before.phone !== after.phone) {
      notifications.notify(owner, {
        type: 'contact_changed_by_admin',
        what: 'phone number',
        to: after.phone === null ? null : maskDestination('sms', after.phone),
      });
    }
  }

  /** An admin who disabled or deleted their own account could lock everyone out of the API. */
  private refuseOwnAccount(actor: Actor, userId: string, what: string): void {
    if (actor.kind === 'user' && actor.userId === userId) {
      throw new TesseraError('FORBIDDEN', { message: `An admin cannot ${what} their own account.` });
    }
  }

  private async user(userId: string): Promise<UserRecord> {
    const user = await this.deps.storage.users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    return user;
  }
}

/** The username and role fields of a change that differ from the account's, checked as at creation. */
function checkedIdentity(user: UserRecord, change: AccountChange): { username?: string; role?: Role } {
  const identity: { username?: string; role?: Role } = {};
  if (change.username !== undefined && change.username !== user.username) {
    const pattern = user.ownerId === null ? USERNAME_PATTERN : SUB_ACCOUNT_USERNAME_PATTERN;
    if (!pattern.test(change.username)) {
      throw new TesseraError('VALIDATION_FAILED', {
        message:
          user.ownerId === null
            ? 'username must be 3-64 letters, digits, ".", "_" or "-".'
            : "a sub-account's username must be name@domain, like info@example.com.",
      });
    }
    identity.username = change.username;
  }
  if (change.role !== undefined && change.role !== user.role) identity.role = change.role;
  return identity;
}

function checkedContact(change: ContactChange): ContactChange {
  const contact: ContactChange = {};
  if (change.email !== undefined) {
    if (change.email !== null && !EMAIL_PATTERN.test(change.email)) {
      throw new TesseraError('VALIDATION_FAILED', { message: 'email is not an e-mail address.' });
    }
    contact.email = change.email;
  }
  if (change.phone !== undefined) contact.phone = change.phone === null ? null : normalizePhoneNumber(change.phone);
  return contact;
}
