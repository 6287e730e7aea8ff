import type { ChangeContext, HistoryService } from '../history/history-service.js';
import type { NotificationService, SecurityEvent } from '../notifications/notification-service.js';
import type { HistoryAction } from '../storage/records.js';
import type { UserRepository } from '../storage/repositories.js';

/** A change made by the account's owner, from an unknown address (CLI, tests). */
export const SELF_UNKNOWN_IP = (userId: string): ChangeContext => ({ actor: 'self', actorId: userId, clientIp: null });

/**
 * Every 2FA change leaves two traces: an entry in the change history, and an e-mail to the
 * account's owner. Recording is part of the change; the e-mail is sent in the background.
 */
export class FactorChanges {
  constructor(
    private readonly deps: { history: HistoryService; notifications: NotificationService; users: UserRepository },
  ) {}

  async record(
    userId: string,
    method: string,
    action: HistoryAction,
    enabled: boolean,
    context: ChangeContext,
    details?: object,
  ): Promise<void> {
    await this.deps.history.record({ userId, method, action, enabled, details }, context);
    await this.notify(userId, noticeFor(method, action, enabled));
  }

  /** One act that changed several methods (an admin's reset): an entry for each, one notice. */
  async recordAll(
    userId: string,
    methods: readonly string[],
    action: HistoryAction,
    enabled: boolean,
    context: ChangeContext,
  ): Promise<void> {
    for (const method of methods) await this.deps.history.record({ userId, method, action, enabled }, context);
    const first = methods[0];
    if (first !== undefined) await this.notify(userId, noticeFor(first, action, enabled));
  }

  private async notify(userId: string, event: SecurityEvent | undefined): Promise<void> {
    if (!event) return;
    const user = await this.deps.users.findById(userId);
    if (user) this.deps.notifications.notify(user, event);
  }
}

function noticeFor(method: string, action: HistoryAction, enabled: boolean): SecurityEvent | undefined {
  if (action === 'regenerate') return { type: 'backup_codes_regenerated' };
  if (action === 'reset') return { type: 'factors_reset_by_admin' };
  if (action === 'enable' || action === 'import') return { type: 'factor_enabled', method };
  if (action === 'export') return { type: 'totp_key_exported' };
  if (action === 'disable') return enabled ? undefined : { type: 'factor_disabled', method };
  return undefined;
}
