import type { Actor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import type { PasswordHasher } from '../crypto/password-hasher.js';
import type { TrustedDeviceService } from '../devices/trusted-device-service.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { NotificationService } from '../notifications/notification-service.js';
import type { FlowRepository, SessionRepository, UserRepository } from '../storage/repositories.js';
import type { SuccessTokenService } from '../success-tokens/success-token-service.js';
import type { PasswordThrottle } from '../throttle/password-throttle.js';
import { isValidPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './account-rules.js';

/**
 * Password change (signed in, with a success token for `change_password`) and reset (after an
 * unauthorized challenge, with one for `reset_password`). Either ends what the old password may
 * have let someone else keep: remembered devices, pending flows and sessions (refresh-token
 * families; their access tokens die with them, as each request checks its family). A change
 * keeps the session that made it; a reset keeps none. Either starts the password's failure
 * budget afresh.
 */
export class PasswordService {
  constructor(
    private readonly deps: {
      users: UserRepository;
      passwords: PasswordHasher;
      successTokens: SuccessTokenService;
      devices: TrustedDeviceService;
      notifications: NotificationService;
      authorizer: Authorizer;
      sessions: SessionRepository;
      flows: FlowRepository;
      throttle: PasswordThrottle;
      clock: Clock;
    },
  ) {}

  async change(actor: Actor, newPassword: string, successToken: string): Promise<void> {
    const userId = await this.deps.authorizer.own(actor, 'own.manage');
    assertPassword(newPassword);
    await this.deps.successTokens.consumeFor(userId, successToken, 'change_password', null);
    const keep =
      actor.kind === 'user' && actor.authentication.method === 'session' ? actor.authentication.sessionId : undefined;
    await this.set(userId, newPassword, keep);
  }

  /** For someone not signed in who passed password recovery: the success token says whose. */
  async reset(_actor: Actor, successToken: string, newPassword: string): Promise<void> {
    assertPassword(newPassword);
    const userId = await this.deps.successTokens.consume(successToken, 'reset_password', null);
    await this.set(userId, newPassword, undefined);
  }

  private async set(userId: string, newPassword: string, keepSessionId: string | undefined): Promise<void> {
    const { users, passwords, devices, notifications, sessions, flows, throttle, clock } = this.deps;
    if (!(await users.updatePasswordHash(userId, await passwords.hash(newPassword)))) {
      throw new TesseraError('USER_NOT_FOUND');
    }
    const now = clock.now();
    await sessions.revokeAllForUser(userId, now, keepSessionId);
    await devices.revokeAll(userId);
    await flows.expireAllForUser(userId, now);
    await throttle.clearAccount(userId);
    const user = await users.findById(userId);
    if (user) notifications.notify(user, { type: 'password_changed' });
  }
}

function assertPassword(password: string): void {
  if (!isValidPassword(password)) {
    throw new TesseraError('VALIDATION_FAILED', {
      message: `The password must be ${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters.`,
    });
  }
}
