import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { newId } from '../crypto/random.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Logger } from '../logger.js';
import { type CoreMetrics, noCoreMetrics, type WebhookAttemptOutcome } from '../metrics/core-metrics.js';
import type { ClaimedWebhookDelivery, WebhookDeliveryStatus } from '../storage/records.js';
import type { WebhookRepository } from '../storage/repositories.js';
import { nextAttemptAt } from './retry-schedule.js';
import { webhookSecretSealContext } from './webhook-secret.js';
import { signWebhook } from './webhook-signing.js';
import type { WebhookPostResult, WebhookTransport } from './webhook-transport.js';

export interface WebhookDispatcherSettings {
  /** The longest an endpoint may take to answer one attempt. */
  timeoutMs: number;
  /** How often the loop looks for due deliveries when the last look found none. */
  pollMs: number;
  /** Deliveries taken per look. */
  batchSize: number;
}

export const DEFAULT_WEBHOOK_DISPATCHER_SETTINGS: WebhookDispatcherSettings = {
  timeoutMs: 10_000,
  pollMs: 1_000,
  batchSize: 20,
};

/** How long a lease lasts beyond the attempt's timeout: time to record the outcome. */
export const LEASE_MARGIN_MS = 5_000;

/** What the attempt did to its delivery. */
interface Outcome {
  status: WebhookDeliveryStatus;
  nextAttemptAt: Date;
  deliveredAt: Date | null;
  /** The endpoint answered 410 Gone: it wants no more. */
  gone: boolean;
}

/**
 * Sends the outbox's due deliveries. Every server process runs one (`start`); tests drive it
 * with `runOnce`. A delivery is taken under a lease (a compare-and-set in the database) longer
 * than one attempt can last, so two processes, on one node or several, never send one delivery
 * at the same time; one that dies mid-attempt leaves a lease that runs out, and the delivery is
 * sent again (receivers drop repeats by `webhook-id`).
 */
export class WebhookDispatcher {
  /** This process's name on the leases it takes. */
  private readonly owner = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly deps: {
      webhooks: WebhookRepository;
      transport: WebhookTransport;
      secretBox: SecretBox;
      clock: Clock;
      logger: Logger;
      settings: WebhookDispatcherSettings;
      /** Where each attempt's outcome is counted. @default noCoreMetrics */
      metrics?: Pick<CoreMetrics, 'webhookAttempted' | 'webhookBacklogSeen'>;
      /** In [0, 1): the retry jitter. @default Math.random */
      random?: () => number;
    },
  ) {}

  /** Takes the due deliveries (one batch) and sends them; resolves to how many were attempted. */
  async runOnce(): Promise<number> {
    const { webhooks, clock, settings } = this.deps;
    const now = clock.now();
    // The lease outlasts the attempt's timeout with room to record its outcome; a process that
    // dies holding it delays those deliveries by this long, no more.
    const leaseUntil = new Date(now.getTime() + settings.timeoutMs + LEASE_MARGIN_MS);
    // The backlog is counted here, at each look, rather than when the metrics are scraped: a
    // scrape must answer even while the database pool is exhausted. A look that finds nothing
    // due claims nothing, so an idle dispatcher costs one count a poll.
    const due = await webhooks.countDue(now);
    (this.deps.metrics ?? noCoreMetrics).webhookBacklogSeen(due);
    if (due === 0) return 0;
    const claimed = await webhooks.claimDue(now, leaseUntil, this.owner, settings.batchSize);
    // Each claimed delivery is of a different account or endpoint (claimDue takes only the first
    // pending one of each): sending them at once keeps each account's order.
    await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
    return claimed.length;
  }

  /** Runs `runOnce` in a loop: at once again after a full batch, else after `pollMs`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops the loop, waiting for the attempts in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const run = this.runOnce().then(
        (count) => count,
        (error: unknown) => {
          // The database may be down for a while: the deliveries stay in the outbox meanwhile.
          this.deps.logger.warn({ reason: (error as Error).message }, 'webhook dispatch failed; trying again');
          return 0;
        },
      );
      this.running = run;
      void run.then((count) => this.schedule(count >= this.deps.settings.batchSize ? 0 : this.deps.settings.pollMs));
    }, delayMs);
    this.timer.unref();
  }

  private async attempt(claimed: ClaimedWebhookDelivery): Promise<void> {
    const { clock, transport, secretBox, settings, webhooks, logger } = this.deps;
    const { delivery } = claimed;
    const attemptedAt = clock.now();
    const secrets = claimed.secrets.map((secret) =>
      secretBox.open(secret.sealedSecret, webhookSecretSealContext(secret.id)).toString('utf8'),
    );
    const headers = signWebhook(secrets, delivery.eventId, attemptedAt, claimed.payload);
    const result = await transport.post(
      claimed.url,
      { ...headers, 'content-type': 'application/json', 'user-agent': 'Tessera-Webhooks/1' },
      claimed.payload,
      settings.timeoutMs,
    );
    const outcome = this.outcomeOf(result, delivery.attemptCount + 1);
    const kept = await webhooks.finishAttempt(
      delivery.id,
      this.owner,
      {
        id: newId(),
        deliveryId: delivery.id,
        attemptedAt,
        statusCode: result.kind === 'answered' ? result.status : null,
        durationMs: result.durationMs,
        error: result.kind === 'failed' ? result.error : null,
      },
      outcome,
    );
    if (!kept) logger.warn({ delivery: delivery.id }, 'a webhook attempt outlasted its lease');
    (this.deps.metrics ?? noCoreMetrics).webhookAttempted(attemptOutcomeOf(outcome));
    if (outcome.gone) {
      await webhooks.updateEndpoint(
        delivery.endpointId,
        { enabled: false, disabledReason: 'the endpoint answered 410 Gone' },
        clock.now(),
      );
      logger.info({ endpoint: delivery.endpointId }, 'webhook endpoint answered 410 Gone: disabled');
    }
  }

  private outcomeOf(result: WebhookPostResult, attempts: number): Outcome {
    const now = this.deps.clock.now();
    if (result.kind === 'answered' && result.status >= 200 && result.status < 300)
      return { status: 'delivered', nextAttemptAt: now, deliveredAt: now, gone: false };
    if (result.kind === 'answered' && result.status === 410)
      return { status: 'failed', nextAttemptAt: now, deliveredAt: null, gone: true };
    const next = nextAttemptAt(attempts, now, this.deps.random ?? Math.random);
    return next
      ? { status: 'pending', nextAttemptAt: next, deliveredAt: null, gone: false }
      : { status: 'failed', nextAttemptAt: now, deliveredAt: null, gone: false };
  }
}

/** How an attempt's outcome is counted (`tessera_webhook_deliveries_total{outcome}`). */
function attemptOutcomeOf(outcome: Outcome): WebhookAttemptOutcome {
  if (outcome.gone) return 'disabled';
  if (outcome.status === 'delivered') return 'delivered';
  return outcome.status === 'pending' ? 'failed_attempt' : 'gave_up';
}
