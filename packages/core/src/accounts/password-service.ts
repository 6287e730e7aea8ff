import { type AuditContext, auditContextOf } from '../audit/audit-context.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { SecurityEvent } from '../audit/events.js';
import type { Actor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import type { PasswordHasher } from '../crypto/password-hasher.js';
import { TesseraError } from '../errors/tessera-error.js';
import { changeContextFor, type HistoryService } from '../history/history-service.js';
import type { NotificationService } from '../notifications/notification-service.js';
import type { Repositories, Storage } from '../storage/repositories.js';
import type { SuccessTokenService } from '../success-tokens/success-token-service.js';
import { passwordAccountKey } from '../throttle/password-throttle.js';
import { isValidPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './account-rules.js';
import type { Reauthentication, ReauthenticationProof } from './reauthentication.js';

/**
 * Password change (signed in, confirmed by a success token for `change_password` or by the
 * current password and, with 2FA, a current code: see Reauthentication) and reset (after an
 * unauthorized challenge, with a success token for `reset_password`). Either ends what the old password may
 * have let someone else keep: remembered devices, pending flows and sessions (refresh-token
 * families; their access tokens die with them, as each request checks its family). A change
 * keeps the session that made it; a reset keeps none. Either starts the password's failure
 * budget afresh. The new password and all of that are one unit of work.
 */
export class PasswordService {
  constructor(
    private readonly deps: {
      storage: Storage;
      passwords: PasswordHasher;
      successTokens: SuccessTokenService;
      notifications: NotificationService;
      reauthentication: Reauthentication;
      authorizer: Authorizer;
      history: Pick<HistoryService, 'record'>;
      clock: Clock;
      audit: AuditTrail;
    },
  ) {}

  /**
   * An account without an e-mail address (or without any second factor) can always use its
   * current password here: a success token needs a challenge, and a challenge needs a factor or
   * an address to send a code to.
   */
  async change(actor: Actor, newPassword: string, proof: ReauthenticationProof): Promise<void> {
    const userId = await this.deps.authorizer.own(actor, 'own.manage');
    assertPassword(newPassword);
    await this.deps.reauthentication.confirm(actor, userId, 'change_password', proof);
    const keep =
      actor.kind === 'user' && actor.authentication.method === 'session' ? actor.authentication.sessionId : undefined;
    await this.set(
      userId,
      newPassword,
      keep,
      { action: 'password.changed', userId, details: {} },
      auditContextOf(actor),
    );
  }

  /** For someone not signed in who passed password recovery: the success token says whose. */
  async reset(actor: Actor, successToken: string, newPassword: string): Promise<void> {
    assertPassword(newPassword);
    const userId = await this.deps.successTokens.consume(successToken, 'reset_password', null);
    const by = { ...auditContextOf(actor), actorKind: 'user' as const, actorId: userId };
    await this.set(
      userId,
      newPassword,
      undefined,
      { action: 'password.reset', userId, details: { by: 'recovery' } },
      by,
    );
  }

  /**
   * An admin's new password for another account (one made without a password gets its first):
   * as a reset, it ends every session, remembered device and pending flow of the account; the
   * history records it (method `account`, action `update`, `changed: ["password"]`) in the same
   * transaction, and the owner is told. An admin's own password goes through `change`, which
   * asks for the current one.
   */
  async setByAdmin(actor: Actor, userId: string, newPassword: string): Promise<void> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    if (actor.kind === 'user' && actor.userId === userId) {
      throw new TesseraError('FORBIDDEN', {
        message: 'An admin changes their own password with POST /me/password, which asks for the current one.',
      });
    }
    assertPassword(newPassword);
    if (!(await this.deps.storage.users.findById(userId))) throw new TesseraError('USER_NOT_FOUND');
    await this.set(
      userId,
      newPassword,
      undefined,
      { action: 'password.reset', userId, details: { by: 'admin' } },
      auditContextOf(actor),
      async (tx) => {
        const entry = { userId, method: 'account', action: 'update' as const, enabled: true };
        await this.deps.history.record(
          { ...entry, details: { changed: ['password'] } },
          changeContextFor(actor, userId),
          tx,
        );
      },
      true,
    );
  }

  /** The password, the sessions and devices it ends, and its audit entry, in one transaction. */
  private async set(
    userId: string,
    newPassword: string,
    keepSessionId: string | undefined,
    event: SecurityEvent,
    by: AuditContext,
    alsoWrite?: (tx: Repositories) => Promise<void>,
    byAdmin = false,
  ): Promise<void> {
    const { storage, passwords, notifications, clock } = this.deps;
    const passwordHash = await passwords.hash(newPassword);
    const result = await storage.transaction(async (tx) => {
      if (!(await tx.users.updatePasswordHash(userId, passwordHash))) throw new TesseraError('USER_NOT_FOUND');
      await alsoWrite?.(tx);
      const now = clock.now();
      // Counted among the sessions still usable, not every old one never signed out: the notice
      // tells the owner how many were live.
      const live = await tx.sessions.listActive(userId, now);
      await tx.sessions.revokeAllForUser(userId, now, keepSessionId);
      const sessionsEnded = live.filter((session) => session.id !== keepSessionId).length;
      const devicesForgotten = await tx.trustedDevices.revokeAllForUser(userId, now);
      await tx.flows.expireAllForUser(userId, now);
      await tx.throttles.reset(passwordAccountKey(userId));
      await this.deps.audit.record(event, by, tx.audit);
      return { user: await tx.users.findById(userId), sessionsEnded, devicesForgotten };
    });
    if (result.user) {
      notifications.notify(result.user, {
        type: 'password_changed',
        sessionsEnded: result.sessionsEnded,
        devicesForgotten: result.devicesForgotten,
        keptCurrentSession: keepSessionId !== undefined,
        ...(byAdmin ? { byAdmin } : {}),
      });
    }
  }
}

function assertPassword(password: string): void {
  if (!isValidPassword(password)) {
    throw new TesseraError('VALIDATION_FAILED', {
      message: `The password must be ${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters.`,
    });
  }
}
