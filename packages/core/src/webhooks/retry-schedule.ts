/**
 * How long a delivery waits after each failed attempt before the next: eight attempts over
 * about 28 hours, then the delivery is given up (an admin can still send it again by hand).
 * The spacing is the one Standard Webhooks' reference senders use.
 */
export const WEBHOOK_RETRY_DELAYS_SECONDS: readonly number[] = [
  5,
  5 * 60,
  30 * 60,
  2 * 3600,
  5 * 3600,
  10 * 3600,
  10 * 3600,
];

/** Each wait is moved by up to this fraction either way, so that endpoints down together do not all get their retries at one instant. */
export const WEBHOOK_RETRY_JITTER = 0.1;

/**
 * When the attempt after `failedAttempts` failures is due, or undefined when there is none left.
 * `random` is in [0, 1) (Math.random in production).
 */
export function nextAttemptAt(failedAttempts: number, now: Date, random: () => number): Date | undefined {
  const delay = WEBHOOK_RETRY_DELAYS_SECONDS[failedAttempts - 1];
  if (delay === undefined) return undefined;
  const jitter = 1 + WEBHOOK_RETRY_JITTER * (2 * random() - 1);
  return new Date(now.getTime() + Math.round(delay * 1000 * jitter));
}
