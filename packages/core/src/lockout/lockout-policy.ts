import type { LockoutRecord } from '../storage/records.js';

/**
 * How many second-factor failures an account may have before its second factor is locked,
 * and for how long. One budget per account, shared by every method and every API shape.
 * docs/security.md works out how many guesses a day these numbers allow.
 */
export interface LockoutPolicy {
  /** Consecutive failures that trigger a lock. @default 5 */
  maxFailures: number;
  /** The first lock lasts this long; each further lock doubles it. @default 60 */
  baseLockSeconds: number;
  /** Locks never last longer than this. @default 3600 */
  maxLockSeconds: number;
  /**
   * Consecutive failures (across locks, since the last success) after which code checks stop
   * altogether until an admin unlocks the account (NIST SP 800-63B §5.2.2: at most 100).
   * @default 100
   */
  failureCeiling: number;
}

export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = {
  maxFailures: 5,
  baseLockSeconds: 60,
  maxLockSeconds: 3600,
  failureCeiling: 100,
};

export function emptyLockout(userId: string): LockoutRecord {
  return { userId, failedCount: 0, lockLevel: 0, lockedUntil: null, totalFailures: 0, version: 0 };
}

export function isLocked(state: LockoutRecord, now: Date): boolean {
  return state.lockedUntil !== null && state.lockedUntil.getTime() > now.getTime();
}

/** The ceiling is reached: no code is checked until an admin unlocks the account. */
export function isSuspended(policy: LockoutPolicy, state: LockoutRecord): boolean {
  return state.totalFailures >= policy.failureCeiling;
}

export function lockDurationSeconds(policy: LockoutPolicy, lockLevel: number): number {
  return Math.min(policy.baseLockSeconds * 2 ** lockLevel, policy.maxLockSeconds);
}

/**
 * The state after one more failed attempt. The failure that reaches the limit starts a lock
 * and clears the count, so after the lock the account gets `maxFailures` tries again, each
 * round locked twice as long as the one before, up to the cap. `totalFailures` is not cleared
 * by a lock, only by a success or an admin's unlock: it is what the ceiling counts.
 */
export function afterFailure(policy: LockoutPolicy, state: LockoutRecord, now: Date): LockoutRecord {
  const failedCount = state.failedCount + 1;
  const totalFailures = state.totalFailures + 1;
  if (failedCount < policy.maxFailures) {
    return { ...state, failedCount, totalFailures, version: state.version + 1 };
  }
  const seconds = lockDurationSeconds(policy, state.lockLevel);
  return {
    ...state,
    failedCount: 0,
    lockLevel: state.lockLevel + 1,
    lockedUntil: new Date(now.getTime() + seconds * 1000),
    totalFailures,
    version: state.version + 1,
  };
}

/**
 * Gives back one reserved failure that turned out not to be a guess (a replayed valid code).
 * `before` is the state the reservation was made from and `reserved` the one it wrote: if nothing
 * happened since, the state goes back to `before` (undoing a lock the reservation started);
 * otherwise one failure is taken off whatever is there now.
 */
export function afterRefund(current: LockoutRecord, before: LockoutRecord, reserved: LockoutRecord): LockoutRecord {
  if (current.version === reserved.version) return { ...before, version: current.version + 1 };
  return {
    ...current,
    failedCount: Math.max(0, current.failedCount - 1),
    totalFailures: Math.max(0, current.totalFailures - 1),
    version: current.version + 1,
  };
}
