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
}

export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = {
  maxFailures: 5,
  baseLockSeconds: 60,
  maxLockSeconds: 3600,
};

export function emptyLockout(userId: string): LockoutRecord {
  return { userId, failedCount: 0, lockLevel: 0, lockedUntil: null, version: 0 };
}

export function isLocked(state: LockoutRecord, now: Date): boolean {
  return state.lockedUntil !== null && state.lockedUntil.getTime() > now.getTime();
}

export function lockDurationSeconds(policy: LockoutPolicy, lockLevel: number): number {
  return Math.min(policy.baseLockSeconds * 2 ** lockLevel, policy.maxLockSeconds);
}

/**
 * The state after one more failed attempt. The failure that reaches the limit starts a lock
 * and clears the count, so after the lock the account gets `maxFailures` tries again, each
 * round locked twice as long as the one before, up to the cap.
 */
export function afterFailure(policy: LockoutPolicy, state: LockoutRecord, now: Date): LockoutRecord {
  const failedCount = state.failedCount + 1;
  if (failedCount < policy.maxFailures) {
    return { ...state, failedCount, version: state.version + 1 };
  }
  const seconds = lockDurationSeconds(policy, state.lockLevel);
  return {
    ...state,
    failedCount: 0,
    lockLevel: state.lockLevel + 1,
    lockedUntil: new Date(now.getTime() + seconds * 1000),
    version: state.version + 1,
  };
}
