import type { FactorKind } from '../storage/records.js';

/** How one second-factor answer ended, as counted: a low, fixed set of label values. */
export type VerificationOutcome = 'ok' | 'wrong' | 'replayed' | 'locked' | 'suspended';

/** What a check that met its account's failure budget started. */
export type LockoutKind = 'locked' | 'suspended';

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
}

/** No metrics kept (the default, and what the CLI uses). */
export const noCoreMetrics: CoreMetrics = {
  secondFactorVerified: () => {},
  lockoutStarted: () => {},
};
