import type { Clock } from '../clock.js';
import { afterFailure, isLocked, type LockoutPolicy } from '../lockout/lockout-policy.js';
import type { LockoutRecord, ThrottleRecord } from '../storage/records.js';
import type { ThrottleRepository } from '../storage/repositories.js';
import { emptyThrottle } from './password-throttle-policy.js';

const MAX_CAS_RETRIES = 100;

/** What a KeyedLock answers: the check's result, or that the key is locked (and until when). */
export type LockedOr<T> = T | { ok: false; locked: Date };

/**
 * A failure budget with the lockout's rules (a few failures, then a lock that doubles up to a
 * cap) under a key of its own, apart from the second factor's lockout: password recovery uses
 * one per account, so that guessing recovery codes never locks the owner's second factor.
 * As there, the try is counted before the check and the count cleared on success.
 */
export class KeyedLock {
  constructor(
    private readonly throttles: ThrottleRepository,
    private readonly policy: LockoutPolicy,
    private readonly clock: Clock,
  ) {}

  /** `onLock` runs, with the failures that led to it, when this very failure starts a lock. */
  async attempt<T extends { ok: boolean }>(
    key: string,
    check: () => Promise<T>,
    onLock?: (failures: number) => void,
  ): Promise<LockedOr<T>> {
    let reserved: ThrottleRecord | undefined;
    for (let i = 0; i < MAX_CAS_RETRIES && !reserved; i++) {
      const now = this.clock.now();
      const state = (await this.throttles.find(key)) ?? emptyThrottle(key);
      const lockout = toLockout(state);
      if (isLocked(lockout, now)) return { ok: false, locked: lockout.lockedUntil ?? now };
      const next = fromLockout(key, state, afterFailure(this.policy, lockout, now));
      if (await this.throttles.compareAndSet(state.version, next)) reserved = next;
    }
    if (!reserved) return { ok: false, locked: this.clock.now() };
    const result = await check();
    if (result.ok) await this.throttles.reset(key);
    else if (isLocked(toLockout(reserved), this.clock.now())) onLock?.(this.policy.maxFailures);
    return result;
  }
}

function toLockout(state: ThrottleRecord): LockoutRecord {
  return {
    userId: state.key,
    failedCount: state.failures,
    lockLevel: state.level,
    lockedUntil: state.blockedUntil,
    version: state.version,
    totalFailures: state.failures,
  };
}

function fromLockout(key: string, state: ThrottleRecord, next: LockoutRecord): ThrottleRecord {
  return {
    key,
    failures: next.failedCount,
    level: next.lockLevel,
    blockedUntil: next.lockedUntil,
    windowStartedAt: state.windowStartedAt,
    version: next.version,
  };
}
