import type { ThrottleRecord } from '../storage/records.js';

/**
 * How fast passwords may be guessed. Per account: a few free failures, then each further try
 * waits a little longer (never a long lock, so the owner is not shut out), and after
 * `maxConsecutiveFailures` in a row no password is checked until the password is reset
 * (NIST SP 800-63B §5.2.2). Per client address: failures across all accounts in an hour.
 * docs/security.md works out what an attacker gets.
 */
export interface PasswordThrottlePolicy {
  /** Consecutive failures of one account before tries are spaced out. @default 5 */
  freeFailures: number;
  /** The wait after the first failure past the free ones; each further failure doubles it. @default 1 */
  baseDelaySeconds: number;
  /** The longest wait between two tries. @default 60 */
  maxDelaySeconds: number;
  /** Consecutive failures of one account after which no password is checked until a reset. @default 100 */
  maxConsecutiveFailures: number;
  /** Failed passwords from one client address, across accounts, per hour. @default 100 */
  failuresPerAddressPerHour: number;
}

export const DEFAULT_PASSWORD_THROTTLE_POLICY: PasswordThrottlePolicy = {
  freeFailures: 5,
  baseDelaySeconds: 1,
  maxDelaySeconds: 60,
  maxConsecutiveFailures: 100,
  failuresPerAddressPerHour: 100,
};

const HOUR_MS = 3_600_000;

/** A try refused before the password is looked at; `retryAt` null means "not until a reset". */
export type ThrottleDecision = { refused: true; retryAt: Date | null } | { refused: false; next: ThrottleRecord };

export function emptyThrottle(key: string): ThrottleRecord {
  return { key, failures: 0, level: 0, blockedUntil: null, windowStartedAt: null, version: 0 };
}

/** The wait imposed after the `failures`-th consecutive failure (0 while failures are free). */
export function delaySeconds(policy: PasswordThrottlePolicy, failures: number): number {
  const past = failures - policy.freeFailures;
  if (past < 0) return 0;
  return Math.min(policy.baseDelaySeconds * 2 ** past, policy.maxDelaySeconds);
}

/**
 * One more try for an account, counted as a failure before the password is checked (a success
 * resets it), so that concurrent tries cannot all slip past the check of a state none has
 * written yet.
 */
export function reserveAccountTry(policy: PasswordThrottlePolicy, state: ThrottleRecord, now: Date): ThrottleDecision {
  if (state.failures >= policy.maxConsecutiveFailures) return { refused: true, retryAt: null };
  if (state.blockedUntil !== null && state.blockedUntil.getTime() > now.getTime()) {
    return { refused: true, retryAt: state.blockedUntil };
  }
  const failures = state.failures + 1;
  const wait = delaySeconds(policy, failures);
  return {
    refused: false,
    next: {
      ...state,
      failures,
      blockedUntil: wait > 0 ? new Date(now.getTime() + wait * 1000) : null,
      version: state.version + 1,
    },
  };
}

/** One more try from a client address, in fixed one-hour windows. */
export function reserveAddressTry(policy: PasswordThrottlePolicy, state: ThrottleRecord, now: Date): ThrottleDecision {
  const start = state.windowStartedAt;
  const current =
    start === null || now.getTime() - start.getTime() >= HOUR_MS
      ? { ...state, failures: 0, windowStartedAt: now }
      : state;
  const windowStart = current.windowStartedAt ?? now;
  if (current.failures >= policy.failuresPerAddressPerHour) {
    return { refused: true, retryAt: new Date(windowStart.getTime() + HOUR_MS) };
  }
  return { refused: false, next: { ...current, failures: current.failures + 1, version: state.version + 1 } };
}

/** Gives back a reserved address try whose password was right; undefined when nothing to give back. */
export function releaseAddressTry(state: ThrottleRecord, reserved: ThrottleRecord): ThrottleRecord | undefined {
  const sameWindow = state.windowStartedAt?.getTime() === reserved.windowStartedAt?.getTime();
  if (!sameWindow || state.failures === 0) return undefined;
  return { ...state, failures: state.failures - 1, version: state.version + 1 };
}
