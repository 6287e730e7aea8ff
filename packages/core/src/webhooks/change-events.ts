import type { ChangeContext } from '../history/history-service.js';
import type { HistoryAction } from '../storage/records.js';
import type { WebhookEventInput } from './events.js';

/**
 * The webhook event a 2FA change of the history reports, if any: the history's action and
 * method, said the way receivers filter on. An export of a TOTP key and the changes of
 * settings are not events of an account's second factors.
 */
export function eventOfChange(
  change: { userId: string; methods: readonly string[]; action: HistoryAction; enabled: boolean },
  context: ChangeContext,
): WebhookEventInput | undefined {
  const { userId, methods, action, enabled } = change;
  const actor = context.actor;
  const method = methods[0];
  if (action === 'reset') return { type: 'admin.reset', userId, data: { methods: [...methods].sort(), actor } };
  if (action === 'unlock') return { type: 'user.unlocked', userId, data: { actor } };
  if (action === 'regenerate') return { type: 'backup_codes.regenerated', userId, data: { actor } };
  if (method === undefined) return undefined;
  if (action === 'enable' || action === 'import')
    return { type: 'factor.added', userId, data: { method, actor, stillEnabled: true } };
  if (action === 'disable') return { type: 'factor.removed', userId, data: { method, actor, stillEnabled: enabled } };
  return undefined;
}
