import type { AuditTrail } from '../audit/audit-trail.js';
import { type Actor, clientIpOf, type UserActor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import type { SignUpMode } from '../config/server-settings.js';
import type { KeyedHasher } from '../crypto/keyed-hash.js';
import type { PasswordHasher } from '../crypto/password-hasher.js';
import { newId } from '../crypto/random.js';
import { TesseraError } from '../errors/tessera-error.js';
import { refusal, type SecondFactorVerifier } from '../factors/second-factor-verifier.js';
import { codeProof } from '../methods/second-factor-method.js';
import type { NotificationService } from '../notifications/notification-service.js';
import { type Role, SUB_ACCOUNT_KINDS, type SubAccountKind, type UserRecord } from '../storage/records.js';
import type { FactorRepository, UserRepository } from '../storage/repositories.js';
import { type PasswordThrottle, passwordAccountKey } from '../throttle/password-throttle.js';
import { assertValidAccountInput, DOMAIN_PATTERN, type NewAccountInput } from './account-rules.js';

/** What makes an account part of cPanel's model; only an admin or the operator sets these. */
export interface CpanelAccountInput {
  /** The primary domain (cPanel's `primary_domain`); top-level accounts only. */
  domain?: string | undefined;
  /** The username of the top-level account that owns this one; needs `subKind`. */
  owner?: string | undefined;
  /** An e-mail account or a team user of `owner`. */
  subKind?: SubAccountKind | undefined;
}

export interface AccountView {
  id: string;
  username: string;
  email: string | null;
  phone: string | null;
  role: Role;
  createdAt: string;
}

export function toAccountView(user: UserRecord): AccountView {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    phone: user.phone,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
  };
}

export class AccountService {
  constructor(
    private readonly deps: {
      users: UserRepository;
      /** Whether an account has a second factor, which a password alone must not get past. */
      factors: Pick<FactorRepository, 'hasActive' | 'findActive'>;
      /** Checks the authenticator code sent along with a password (cPanel's `X-CPANEL-OTP`). */
      verifier: Pick<SecondFactorVerifier, 'verify'>;
      passwords: PasswordHasher;
      clock: Clock;
      authorizer: Authorizer;
      throttle: PasswordThrottle;
      /** Where a wrong password for a known account is recorded. */
      audit: AuditTrail;
      /** Keys the throttle of usernames that have no account. */
      hasher: KeyedHasher;
      notifications: NotificationService;
      /** `TESSERA_SIGNUP`: closed, only an admin or the operator creates accounts. */
      signUp: SignUpMode;
    },
  ) {}

  /**
   * Sign-up by anyone (when `TESSERA_SIGNUP` is open) makes a user; only an admin or the
   * operator makes an admin, or any account while sign-up is closed.
   *
   * Someone signing up (not an admin) with an address that already has an account gets the
   * answer a new account gets, and nothing is created: the address's owner is told by e-mail
   * instead. Otherwise sign-up would tell anyone which addresses have accounts, which password
   * recovery is careful not to. A taken username is still reported: usernames are public handles.
   */
  async create(actor: Actor, input: NewAccountInput & CpanelAccountInput & { role?: Role }): Promise<UserRecord> {
    // Refused before the input is looked at: a closed server says nothing about its accounts.
    if (actor.kind === 'anonymous' && this.deps.signUp === 'closed') throw new TesseraError('SIGN_UP_CLOSED');
    // An admin role, an account without a password, the platform's id and cPanel's domain and
    // sub-accounts are an admin's to give, and while sign-up is closed so is every account.
    const cpanel = input.domain !== undefined || input.owner !== undefined || input.subKind !== undefined;
    const needsAdmin =
      input.role === 'admin' ||
      input.password === undefined ||
      input.externalId !== undefined ||
      cpanel ||
      this.deps.signUp === 'closed';
    if (needsAdmin) await this.deps.authorizer.admin(actor, 'admin.manage');
    const user = await this.newUserRecord(input);
    const outcome = await this.deps.users.create(user);
    if (outcome === 'username_taken') throw new TesseraError('USERNAME_TAKEN');
    if (outcome === 'external_id_taken') throw new TesseraError('EXTERNAL_ID_TAKEN');
    if (outcome === 'email_taken') {
      if (actor.kind !== 'anonymous') throw new TesseraError('EMAIL_TAKEN');
      const owner = user.email === null ? undefined : await this.deps.users.findByEmail(user.email);
      if (owner) this.deps.notifications.notify(owner, { type: 'sign_up_with_your_address' });
    }
    return user;
  }

  /** A checked new account, its password hashed; not stored yet. The caller decides who may. */
  async newUserRecord(input: NewAccountInput & CpanelAccountInput & { role?: Role }): Promise<UserRecord> {
    const owner = await this.ownerFor(input);
    assertValidAccountInput(input, owner ? 'sub_account' : 'top_level');
    return {
      id: newId(),
      username: input.username,
      email: input.email ?? null,
      phone: input.phone ?? null,
      passwordHash: input.password === undefined ? null : await this.deps.passwords.hash(input.password),
      role: input.role ?? 'user',
      issuer: null,
      domain: input.domain?.toLowerCase() ?? null,
      ownerId: owner?.id ?? null,
      subKind: owner ? (input.subKind ?? null) : null,
      createdAt: this.deps.clock.now(),
      externalId: input.externalId ?? null,
      disabledAt: null,
    };
  }

  /**
   * The owner named for a new sub-account, checked: it exists and is itself top-level (cPanel's
   * sub-accounts do not nest), and the sub-account has a kind and no domain of its own.
   */
  private async ownerFor(input: CpanelAccountInput & { role?: Role }): Promise<UserRecord | undefined> {
    const problems: string[] = [];
    if (input.domain !== undefined && !DOMAIN_PATTERN.test(input.domain)) {
      problems.push('domain must be a domain name, like example.com');
    }
    if (input.subKind !== undefined && !SUB_ACCOUNT_KINDS.includes(input.subKind)) {
      problems.push(`kind must be one of ${SUB_ACCOUNT_KINDS.join(', ')}`);
    }
    if (input.owner === undefined) {
      if (input.subKind !== undefined) problems.push('a sub-account kind needs an owner');
      if (problems.length > 0) throw new TesseraError('VALIDATION_FAILED', { message: `${problems.join('; ')}.` });
      return undefined;
    }
    if (input.subKind === undefined) problems.push('a sub-account needs a kind (email or team)');
    if (input.domain !== undefined) problems.push('a sub-account has no domain of its own');
    if (input.role === 'admin') problems.push('a sub-account cannot be an admin');
    if (problems.length > 0) throw new TesseraError('VALIDATION_FAILED', { message: `${problems.join('; ')}.` });
    const owner = await this.deps.users.findByUsername(input.owner);
    if (!owner) throw new TesseraError('VALIDATION_FAILED', { message: `The owner “${input.owner}” does not exist.` });
    if (owner.ownerId !== null) {
      throw new TesseraError('VALIDATION_FAILED', {
        message: `The owner “${input.owner}” is itself a sub-account; sub-accounts do not nest.`,
      });
    }
    return owner;
  }

  /**
   * The guard of every path that deletes an account: an owner cannot go while it owns accounts
   * (its e-mail and team sub-accounts would be left without one). ACCOUNT_OWNS_ACCOUNTS until
   * those are deleted first. The database refuses it too (the owner reference does not cascade).
   */
  async assertDeletable(userId: string): Promise<void> {
    if (await this.deps.users.ownsAccounts(userId)) throw new TesseraError('ACCOUNT_OWNS_ACCOUNTS');
  }

  /**
   * The password step of signing in, by username or e-mail address (top-level usernames never
   * hold an `@`; a sub-account's does, and is tried when no address matches). Unknown user and wrong password look the same, and so do their throttles: an unknown
   * login has a budget of its own, as an account does.
   */
  async checkPassword(login: string, password: string, clientIp: string | null): Promise<UserRecord> {
    // A login with an `@` is an e-mail address, or else a sub-account's username (info@example.com).
    const user = login.includes('@')
      ? ((await this.deps.users.findByEmail(login)) ?? (await this.deps.users.findByUsername(login)))
      : await this.deps.users.findByUsername(login);
    const key = user
      ? passwordAccountKey(user.id)
      : `password:unknown:${this.deps.hasher.digest(`login:${login.toLowerCase()}`)}`;
    const ok = await this.deps.throttle.attempt(key, clientIp, async () => {
      return this.matchesPassword(user, password);
    });
    if (!ok && user) {
      await this.deps.audit.record(
        { action: 'sign_in.password_failed', userId: user.id, details: {} },
        {
          actorKind: 'anonymous',
          actorId: null,
          clientIp,
        },
      );
    }
    if (!ok || !user) throw new TesseraError('INVALID_CREDENTIALS');
    // Only once the password is right: a disabled account is not told apart by a wrong guess.
    assertEnabled(user);
    return user;
  }

  /**
   * The actor of a request that carries a username and password (HTTP Basic, as cPanel clients
   * send), and for an account with an active authenticator (TOTP) its current code (`otp`,
   * cPanel's `X-CPANEL-OTP`). The code is checked as every other code is: under the account's
   * lockout, and single-use, so a script making more than one call per period uses an API token
   * or a session instead. Without a code: SECOND_FACTOR_REQUIRED; a wrong or spent one:
   * CODE_INVALID (or the lockout's error). An account whose second factors do not include an
   * authenticator (SMS, e-mail) has no code to send here and is refused (SECOND_FACTOR_REQUIRED):
   * the password alone would get past its factor; it uses an API token.
   */
  async authenticatePassword(
    username: string,
    password: string,
    clientIp: string | null,
    otp?: string,
  ): Promise<UserActor> {
    const user = await this.checkPassword(username, password, clientIp);
    const actor: UserActor = {
      kind: 'user',
      userId: user.id,
      role: user.role,
      authentication: { method: 'password' },
      clientIp,
    };
    if (!(await this.deps.factors.hasActive(user.id))) return actor;
    if (!(await this.deps.factors.findActive(user.id, 'totp'))) {
      throw new TesseraError('SECOND_FACTOR_REQUIRED', {
        message:
          'The account has two-factor authentication without an authenticator app: a password is not enough here. Use an API token.',
      });
    }
    if (otp === undefined || otp === '') {
      throw new TesseraError('SECOND_FACTOR_REQUIRED', {
        message: 'The account has two-factor authentication: send the current code of its authenticator app.',
        meta: { method: 'totp' },
      });
    }
    const check = await this.deps.verifier.verify(user.id, 'totp', codeProof(otp), {
      purposes: [],
      afterPassword: true,
    });
    if (!check.ok) throw refusal(check);
    return actor;
  }

  /** A password given again to confirm a sensitive change by a signed-in user; throttled as sign-in is. */
  async confirmPassword(actor: Actor, userId: string, password: string): Promise<void> {
    const user = await this.get(userId);
    const ok = await this.deps.throttle.attempt(passwordAccountKey(user.id), clientIpOf(actor), () =>
      this.matchesPassword(user, password),
    );
    if (!ok) throw new TesseraError('INVALID_CREDENTIALS');
  }

  /**
   * Whether the password is the account's. No account, or one made without a password, burns
   * the time of a check and matches nothing, so neither is told apart by timing.
   */
  private async matchesPassword(user: UserRecord | undefined, password: string): Promise<boolean> {
    if (!user?.passwordHash) {
      await this.deps.passwords.verifyDummy(password);
      return false;
    }
    return this.deps.passwords.verify(user.passwordHash, password);
  }

  /** The caller's own account. */
  async me(actor: Actor): Promise<UserRecord> {
    return this.get(await this.deps.authorizer.own(actor, 'own.read_status'));
  }

  /** Any account by username (admins). */
  async find(actor: Actor, username: string): Promise<UserRecord> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    return this.getByUsername(username);
  }

  async get(userId: string): Promise<UserRecord> {
    const user = await this.deps.users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    return user;
  }

  async getByUsername(username: string): Promise<UserRecord> {
    const user = await this.deps.users.findByUsername(username);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    return user;
  }
}

/** A disabled account signs in, verifies and uses its credentials nowhere. */
export function assertEnabled(user: Pick<UserRecord, 'disabledAt'>): void {
  if (user.disabledAt !== null) throw new TesseraError('ACCOUNT_DISABLED');
}
