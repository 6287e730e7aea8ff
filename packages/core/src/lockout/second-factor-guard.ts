import type { Clock } from '../clock.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { LockoutRecord } from '../storage/records.js';
import type { LockoutRepository } from '../storage/repositories.js';
import { afterFailure, emptyLockout, isLocked, type LockoutPolicy } from './lockout-policy.js';

/** Enough for any real contention; past it something is wrong and we fail closed. */
const MAX_CAS_RETRIES = 100;

/**
 * Runs a second-factor check under the account's failure budget.
 *
 * The attempt is counted as a failure *before* the code is checked (a reservation), and the
 * count is cleared only if the check succeeds. Counting afterwards would let a burst of
 * concurrent guesses all pass the "locked?" test before the first failure is written; counting
 * first means the sixth of fifty simultaneous guesses already meets the lock.
 */
export class SecondFactorGuard {
  constructor(
    private readonly lockouts: LockoutRepository,
    private readonly policy: LockoutPolicy,
    private readonly clock: Clock,
  ) {}

  /** `onLock` runs when this very failure locks the account (the moment to warn its owner). */
  async attempt<T extends { ok: boolean }>(
    userId: string,
    check: () => Promise<T>,
    onLock?: (failures: number) => void,
  ): Promise<T> {
    const reserved = await this.reserveAttempt(userId);
    const result = await check();
    if (result.ok) {
      await this.lockouts.reset(userId);
    } else if (isLocked(reserved, this.clock.now())) {
      // This failure was the one that used up the budget: say so now, not on the next try.
      onLock?.(this.policy.maxFailures);
      throw lockedError(reserved.lockedUntil);
    }
    return result;
  }

  private async reserveAttempt(userId: string): Promise<LockoutRecord> {
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const now = this.clock.now();
      const state = (await this.lockouts.find(userId)) ?? emptyLockout(userId);
      if (isLocked(state, now)) throw lockedError(state.lockedUntil);
      const next = afterFailure(this.policy, state, now);
      if (await this.lockouts.compareAndSet(state.version, next)) return next;
    }
    throw new TesseraError('SECOND_FACTOR_LOCKED', { detail: 'lockout compare-and-set kept losing' });
  }
}

function lockedError(lockedUntil: Date | null): TesseraError {
  const until = (lockedUntil ?? new Date()).toISOString();
  return new TesseraError('SECOND_FACTOR_LOCKED', {
    message: `Too many failed second-factor attempts; try again after ${until}.`,
    meta: { lockedUntil: until },
  });
}
