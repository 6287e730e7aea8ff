import type { ChangeContext, HistoryService } from '../history/history-service.js';
import type { NotificationService, SecurityEvent } from '../notifications/notification-service.js';
import type { HistoryAction } from '../storage/records.js';
import type { Repositories, UnitOfWork, UserRepository } from '../storage/repositories.js';
import { eventOfChange } from '../webhooks/change-events.js';
import type { WebhookOutbox } from '../webhooks/webhook-outbox.js';

/** The repositories of a unit of work a change is recorded through: its history and the webhook outbox. */
export type ChangeRecorder = Pick<Repositories, 'history' | 'webhooks'>;

/**
 * Every 2FA change leaves three traces: an entry in the change history, its webhook event in
 * the outbox (both in the change's transaction), and an e-mail to the account's owner.
 * Recording is part of the change; the e-mail is sent in the background.
 */
export class FactorChanges {
  constructor(
    private readonly deps: {
      history: HistoryService;
      notifications: NotificationService;
      users: UserRepository;
      storage: UnitOfWork;
      outbox: WebhookOutbox;
    },
  ) {}

  async record(
    userId: string,
    method: string,
    action: HistoryAction,
    enabled: boolean,
    context: ChangeContext,
    details?: object,
  ): Promise<void> {
    await this.deps.storage.transaction(async (tx) => {
      await this.deps.history.record({ userId, method, action, enabled, details }, context, tx.history);
      await this.enqueue(tx, { userId, methods: [method], action, enabled }, context);
    });
    await this.notify(userId, noticeFor(method, action, enabled));
  }

  /**
   * As record, in two steps: the entry and the event inside a unit of work (`tx` is its
   * repositories), the notice only once that work has committed. Returns what sends the notice.
   */
  async recordIn(
    tx: ChangeRecorder,
    change: { userId: string; method: string; action: HistoryAction; enabled: boolean },
    context: ChangeContext,
  ): Promise<() => Promise<void>> {
    await this.deps.history.record(change, context, tx.history);
    await this.enqueue(tx, { ...change, methods: [change.method] }, context);
    return () => this.notify(change.userId, noticeFor(change.method, change.action, change.enabled));
  }

  /**
   * One act that changed several methods (an admin's reset), inside a unit of work: an entry for
   * each, and one notice sent by the returned function once the work has committed.
   */
  async recordAllIn(
    tx: ChangeRecorder,
    change: { userId: string; methods: readonly string[]; action: HistoryAction; enabled: boolean },
    context: ChangeContext,
  ): Promise<() => Promise<void>> {
    const { userId, methods, action, enabled } = change;
    // In one order whatever the caller's: each entry is counted under a lock of its kind until
    // the commit (storage's history_counts), and two resets must not take them in opposite orders.
    for (const method of [...methods].sort())
      await this.deps.history.record({ userId, method, action, enabled }, context, tx.history);
    await this.enqueue(tx, { userId, methods, action, enabled }, context);
    const first = methods[0];
    return async () => {
      if (first !== undefined) await this.notify(userId, noticeFor(first, action, enabled));
    };
  }

  private async enqueue(
    tx: ChangeRecorder,
    change: { userId: string; methods: readonly string[]; action: HistoryAction; enabled: boolean },
    context: ChangeContext,
  ): Promise<void> {
    const event = eventOfChange(change, context);
    if (event) await this.deps.outbox.enqueue(tx, event);
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
  if (action === 'unlock') return { type: 'second_factor_unlocked' };
  if (action === 'disable') return enabled ? undefined : { type: 'factor_disabled', method };
  return undefined;
}
