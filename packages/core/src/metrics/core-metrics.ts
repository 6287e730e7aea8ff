import type { DeliveryChannel, FactorKind } from '../storage/records.js';

/** How one second-factor answer ended, as counted: a low, fixed set of label values. */
export type VerificationOutcome = 'ok' | 'wrong' | 'replayed' | 'locked' | 'suspended';

/** What a check that met its account's failure budget started. */
export type LockoutKind = 'locked' | 'suspended';

/** Whether the provider took a one-time code's message. */
export type CodeSendOutcome = 'sent' | 'failed';

/** How a password check ended: the password was looked at (`ok`, `wrong`), or a budget refused it first. */
export type PasswordCheckOutcome = 'ok' | 'wrong' | 'throttled';

/** The failure budget that refused a password try: the account's, or the client address's. */
export type PasswordThrottleBudget = 'account' | 'address';

/**
 * What one webhook attempt did: the endpoint took it (`delivered`), it failed and will be tried
 * again (`failed_attempt`), it failed for the last time (`gave_up`), or the endpoint answered 410
 * Gone and was disabled (`disabled`).
 */
export type WebhookAttemptOutcome = 'delivered' | 'failed_attempt' | 'gave_up' | 'disabled';

/**
 * The figures the core reports as it decides them. The core owns this port and knows nothing of
 * how they are kept or exposed (the server backs it with Prometheus counters), so the rules stay
 * free of a metrics library.
 */
export interface CoreMetrics {
  /** One second-factor answer decided; `method` is the factor kind, or `sent_code` for a challenge code. */
  secondFactorVerified(method: FactorKind | 'sent_code', outcome: VerificationOutcome): void;
  /** A failure that locked or suspended an account just now. */
  lockoutStarted(kind: LockoutKind): void;
  /** A one-time code handed to the channel's provider (`provider` is its name: `twilio`, `smtp`…). */
  codeSent(channel: DeliveryChannel, provider: string, outcome: CodeSendOutcome): void;
  /** A password try decided; `throttledBy` names the budget when the outcome is `throttled`. */
  passwordChecked(outcome: PasswordCheckOutcome, throttledBy?: PasswordThrottleBudget): void;
  /** One webhook attempt finished. */
  webhookAttempted(outcome: WebhookAttemptOutcome): void;
  /** The webhook deliveries due when the dispatcher last looked for some (the outbox's backlog). */
  webhookBacklogSeen(due: number): void;
}

/** No metrics kept (the default, and what the CLI uses). */
export const noCoreMetrics: CoreMetrics = {
  secondFactorVerified: () => {},
  lockoutStarted: () => {},
  codeSent: () => {},
  passwordChecked: () => {},
  webhookAttempted: () => {},
  webhookBacklogSeen: () => {},
};
