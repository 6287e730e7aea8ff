import type { Clock } from '../clock.js';
import { newId } from '../crypto/random.js';
import type { Repositories } from '../storage/repositories.js';
import type { WebhookEventInput, WebhookPayload } from './events.js';

/** The repositories an event is written through: those of the unit of work of its change. */
export type WebhookOutboxWriter = Pick<Repositories, 'webhooks'>;

/**
 * The one place events enter the webhook outbox. `enqueue` is called with the repositories of
 * the transaction that writes the change the event reports, so the event is kept exactly when
 * the change is: a change rolled back sends nothing, and a change committed is sent even if the
 * process dies the next instant (a dispatcher finds it in the table). It only writes rows; the
 * sending happens later, in the dispatcher, never in the request.
 */
export class WebhookOutbox {
  constructor(private readonly deps: { clock: Clock }) {}

  async enqueue(trx: WebhookOutboxWriter, event: WebhookEventInput): Promise<void> {
    const createdAt = this.deps.clock.now();
    const payload: WebhookPayload = {
      type: event.type,
      timestamp: createdAt.toISOString(),
      data: { userId: event.userId, ...event.data },
    };
    await trx.webhooks.enqueue({
      // The Standard Webhooks message id: the same for every attempt, so a receiver can drop a repeat.
      id: `msg_${newId().replaceAll('-', '')}`,
      type: event.type,
      userId: event.userId,
      payload: JSON.stringify(payload),
      createdAt,
    });
  }
}
