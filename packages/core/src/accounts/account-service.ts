import type { Actor, UserActor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import type { PasswordHasher } from '../crypto/password-hasher.js';
import { newId } from '../crypto/random.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { Role, UserRecord } from '../storage/records.js';
import type { UserRepository } from '../storage/repositories.js';
import { assertValidAccountInput, type NewAccountInput } from './account-rules.js';

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
    private readonly users: UserRepository,
    private readonly passwords: PasswordHasher,
    private readonly clock: Clock,
    private readonly authorizer: Authorizer,
  ) {}

  /** Sign-up by anyone makes a user; only an admin or the operator makes an admin. */
  async create(actor: Actor, input: NewAccountInput & { role?: Role }): Promise<UserRecord> {
    if (input.role === 'admin') await this.authorizer.admin(actor, 'admin.manage');
    assertValidAccountInput(input);
    const user: UserRecord = {
      id: newId(),
      username: input.username,
      email: input.email ?? null,
      phone: input.phone ?? null,
      passwordHash: await this.passwords.hash(input.password),
      role: input.role ?? 'user',
      issuer: null,
      createdAt: this.clock.now(),
    };
    const outcome = await this.users.create(user);
    if (outcome === 'username_taken') throw new TesseraError('USERNAME_TAKEN');
    if (outcome === 'email_taken') throw new TesseraError('EMAIL_TAKEN');
    return user;
  }

  /**
   * The password step of signing in, by username or e-mail address (usernames never hold an
   * `@`). Unknown user and wrong password look the same.
   */
  async checkPassword(login: string, password: string): Promise<UserRecord> {
    const user = login.includes('@') ? await this.users.findByEmail(login) : await this.users.findByUsername(login);
    if (!user) {
      await this.passwords.verifyDummy(password);
      throw new TesseraError('INVALID_CREDENTIALS');
    }
    if (!(await this.passwords.verify(user.passwordHash, password))) throw new TesseraError('INVALID_CREDENTIALS');
    return user;
  }

  /** The actor of a request that carries a username and password (HTTP Basic, as cPanel clients send). */
  async authenticatePassword(username: string, password: string, clientIp: string | null): Promise<UserActor> {
    const user = await this.checkPassword(username, password);
    return { kind: 'user', userId: user.id, role: user.role, authentication: { method: 'password' }, clientIp };
  }

  /** A password given again to confirm a sensitive change by a signed-in user. */
  async confirmPassword(userId: string, password: string): Promise<void> {
    const user = await this.get(userId);
    if (!(await this.passwords.verify(user.passwordHash, password))) throw new TesseraError('INVALID_CREDENTIALS');
  }

  /** The caller's own account. */
  async me(actor: Actor): Promise<UserRecord> {
    return this.get(await this.authorizer.own(actor, 'own.read_status'));
  }

  /** Any account by username (admins). */
  async find(actor: Actor, username: string): Promise<UserRecord> {
    await this.authorizer.admin(actor, 'admin.read');
    return this.getByUsername(username);
  }

  async get(userId: string): Promise<UserRecord> {
    const user = await this.users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    return user;
  }

  async getByUsername(username: string): Promise<UserRecord> {
    const user = await this.users.findByUsername(username);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    return user;
  }
}
