import type { ThrottleRecord } from '../storage/records.js';

/**
 * How fast passwords may be guessed, one mechanism for every door (native sign-in, the dialects'
 * sign-ins, HTTP Basic, a password given again). Per account: `failuresPerWindow` failures within
 * `windowSeconds` of the first failure of a window block the account's passwords for
 * `blockSeconds`. B2Core documents 5 a minute, then 10 minutes; the window is an hour by default,
 * which keeps that rule (5 within a minute are 5 within the hour) and also stops guesses spread
 * out just under it: a one-minute window would let 4 a minute, 240 an hour, through, where an
 * hour lets at most 5 per block, about 30 an hour. A block always ends, so someone
 * without the password can hold the owner back at most `blockSeconds` at a time; an optional
 * ceiling (`maxConsecutiveFailures`, 0 = none) stops checking after that many failures in a row
 * until the password is reset. Per client address: failures across all accounts in an hour.
 * docs/security.md works out what an attacker gets.
 */
export interface PasswordThrottlePolicy {
  /** Failures of one account within a window that block it. @default 5 */
  failuresPerWindow: number;
  /** Length of the counting window, from its first failure. @default 3600 */
  windowSeconds: number;
  /** How long a block lasts. @default 600 */
  blockSeconds: number;
  /** Consecutive failures after which no password is checked until a reset; 0 for no ceiling. @default 0 */
  maxConsecutiveFailures: number;
  /** Failed passwords from one client address, across accounts, per hour. @default 100 */
  failuresPerAddressPerHour: number;
}

export const DEFAULT_PASSWORD_THROTTLE_POLICY: PasswordThrottlePolicy = {
  failuresPerWindow: 5,
  windowSeconds: 3600,
  blockSeconds: 600,
  maxConsecutiveFailures: 0,
  failuresPerAddressPerHour: 100,
};

const HOUR_MS = 3_600_000;

/** A try refused before the password is looked at; `retryAt` null means "not until a reset". */
export type ThrottleDecision = { refused: true; retryAt: Date | null } | { refused: false; next: ThrottleRecord };

export function emptyThrottle(key: string): ThrottleRecord {
  return { key, failures: 0, level: 0, blockedUntil: null, windowStartedAt: null, version: 0 };
}

/**
 * One more try for an account, counted as a failure before the password is checked (a success
 * resets it), so that concurrent tries cannot all slip past the check of a state none has
 * written yet. `failures` counts the current window, `level` the failures in a row (for the
 * optional ceiling). The try that reaches the window's limit is still checked; the block starts
 * with it.
 */
export function reserveAccountTry(policy: PasswordThrottlePolicy, state: ThrottleRecord, now: Date): ThrottleDecision {
  if (policy.maxConsecutiveFailures > 0 && state.level >= policy.maxConsecutiveFailures) {
    return { refused: true, retryAt: null };
  }
  if (state.blockedUntil !== null && state.blockedUntil.getTime() > now.getTime()) {
    return { refused: true, retryAt: state.blockedUntil };
  }
  const start = state.windowStartedAt;
  const newWindow =
    start === null || state.blockedUntil !== null || now.getTime() - start.getTime() >= policy.windowSeconds * 1000;
  const failures = (newWindow ? 0 : state.failures) + 1;
  return {
    refused: false,
    next: {
      ...state,
      failures,
      level: state.level + 1,
      windowStartedAt: newWindow ? now : start,
      blockedUntil: failures >= policy.failuresPerWindow ? new Date(now.getTime() + policy.blockSeconds * 1000) : null,
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
