import type { Clock } from '../clock.js';
import { PerKeyQueue } from '../concurrency/per-key-queue.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { Match, Verification } from '../methods/second-factor-method.js';
import type { LockoutRecord } from '../storage/records.js';
import type { LockoutRepository } from '../storage/repositories.js';
import {
  afterFailure,
  afterRefund,
  emptyLockout,
  isLocked,
  isSuspended,
  type LockoutPolicy,
} from './lockout-policy.js';

/**
 * Compare-and-set tries before an attempt waits for the account's lock instead. Without
 * contention the first try wins; under a burst for one account (many requests at once) most
 * tries lose, and waiting in turn costs less than trying again and again.
 */
const OPTIMISTIC_TRIES = 3;

/** What this very failure did to the account, for the owner's notice. */
export type LockEvent =
  | { type: 'locked'; failures: number; lockedUntil: Date | null }
  | { type: 'suspended'; failures: number };

/**
 * Runs a second-factor check under the account's failure budget.
 *
 * The attempt is counted as a failure *before* the code is checked (a reservation), and the
 * count is cleared only if the check succeeds. Counting afterwards would let a burst of
 * concurrent guesses all pass the "locked?" test before the first failure is written; counting
 * first means the sixth of fifty simultaneous guesses already meets the lock.
 *
 * A check refused as `replayed` (a valid code presented a second time: a double-submit) is not a
 * guess: its reserved failure is given back, so the owner cannot lock themself out by it.
 *
 * Once `failureCeiling` consecutive failures have accumulated (across locks), no code is checked
 * any more until an admin unlocks the account (`unlock`).
 */
export interface SecondFactorLockState {
  locked: boolean;
  /** The end of a timed lock; null when there is none (or the account is suspended instead). */
  lockedUntil: string | null;
  suspended: boolean;
}

export class SecondFactorGuard {
  /**
   * This process's writes of one account's row, in turn: a burst of attempts for one account
   * then costs the database one writer at a time instead of a crowd of losing compare-and-sets
   * (and, past them, a queue of connections each waiting for the row lock).
   */
  private readonly writes = new PerKeyQueue();

  constructor(
    private readonly lockouts: LockoutRepository,
    private readonly policy: LockoutPolicy,
    private readonly clock: Clock,
  ) {}

  /**
   * `onLock` runs when this very failure locks or suspends the account (the moment to warn its
   * owner). `lastRead` is the account's lockout row as the caller just read it with something
   * else (undefined state: no row): the first compare-and-set starts from it instead of reading
   * it again. It decides nothing the compare-and-set does not check: a row changed since makes
   * that write lose, and the guard reads again.
   */
  async attempt<T extends { ok: boolean; reason?: string }>(
    userId: string,
    check: () => Promise<T>,
    onLock?: (event: LockEvent) => void | Promise<void>,
    lastRead?: { state: LockoutRecord | undefined },
  ): Promise<T> {
    // A row read before waiting behind other writes of it is stale by the time this one's turn comes.
    const fresh = this.writes.busy(userId) ? undefined : lastRead;
    const { before, reserved } = await this.writes.run(userId, () => this.reserveAttempt(userId, fresh));
    const result = await check();
    if (result.ok) {
      await this.lockouts.reset(userId);
    } else if (result.reason === 'replayed') {
      await this.writes.run(userId, () => this.refund(userId, before, reserved));
    } else if (isSuspended(this.policy, reserved)) {
      await onLock?.({ type: 'suspended', failures: reserved.totalFailures });
      throw suspendedError();
    } else if (isLocked(reserved, this.clock.now())) {
      // This failure was the one that used up the budget: say so now, not on the next try.
      await onLock?.({ type: 'locked', failures: this.policy.maxFailures, lockedUntil: reserved.lockedUntil });
      throw lockedError(reserved.lockedUntil);
    }
    return result;
  }

  /**
   * As attempt, for a proof already checked without a write (`match`, TOTP): a valid one waits for
   * one commit instead of three in turn (reservation, used step, reset).
   *
   * A wrong code is counted exactly as attempt counts it (its reservation is its failure, one
   * commit), and nothing is answered before that commit. A matched code is accepted only by a
   * commit that records its step and, in the same transaction, resets the account's failures if
   * the lockout row is still the one the decision was made on (a compare-and-set on its
   * version, or "still no row"): a failure another request wrote meanwhile (one that may have
   * locked the account) makes that commit lose, and the row is read and decided again. So of a
   * burst of guesses no more are decided than the budget allows, the right one among them too. A
   * code matched but refused as a replay changes nothing, as attempt's reservation and refund of
   * it did; a locked account is told it is locked, whatever the code.
   */
  async attemptMatched(
    userId: string,
    match: Match,
    onLock?: (event: LockEvent) => void,
    lastRead?: { state: LockoutRecord | undefined },
  ): Promise<Verification> {
    if (!match.ok && match.reason !== 'replayed') return this.attempt(userId, async () => match, onLock, lastRead);
    const fresh = this.writes.busy(userId) ? undefined : lastRead;
    const decided = await this.writes.run(userId, () => this.acceptOptimistically(userId, match, fresh));
    if (decided) return decided;
    // Contended: the attempt is reserved in turn, as attempt does, and then spent and reset.
    if (!match.ok) return match;
    return this.attempt(
      userId,
      async (): Promise<Verification> =>
        (await match.spend()) === 'recorded'
          ? { ok: true, usedStep: match.usedStep }
          : { ok: false, reason: 'replayed', ...(match.replayNotice ? { notice: match.replayNotice } : {}) },
      onLock,
    );
  }

  /** The matched attempt against the row as read, a few times; undefined when it kept losing. */
  private async acceptOptimistically(
    userId: string,
    match: Match,
    lastRead: { state: LockoutRecord | undefined } | undefined,
  ): Promise<Verification | undefined> {
    for (let i = 0; i < OPTIMISTIC_TRIES; i++) {
      const read = i === 0 && lastRead ? lastRead.state : await this.lockouts.find(userId);
      this.assertOpen(read);
      if (!match.ok) return match;
      // Always on condition of the row as read (0: none), even one with nothing to clear: a
      // failure committed since (in a burst of guesses, the one that locks) must make this lose.
      const outcome = await match.spend({
        userId,
        expectedVersion: read?.version ?? 0,
        nothingToClear: read === undefined || isClear(read),
      });
      if (outcome === 'recorded') return { ok: true, usedStep: match.usedStep };
      if (outcome === 'replayed') {
        return { ok: false, reason: 'replayed', ...(match.replayNotice ? { notice: match.replayNotice } : {}) };
      }
    }
    return undefined;
  }

  /**
   * What an admin listing shows of a lockout row: whether codes are refused now, until when (a
   * timed lock), and whether only an admin's unlock opens it again (the failure ceiling).
   */
  stateOf(record: LockoutRecord | undefined): SecondFactorLockState {
    if (!record) return { locked: false, lockedUntil: null, suspended: false };
    const suspended = isSuspended(this.policy, record);
    const timed = isLocked(record, this.clock.now());
    return {
      locked: suspended || timed,
      lockedUntil: timed && record.lockedUntil ? record.lockedUntil.toISOString() : null,
      suspended,
    };
  }

  /** Clears the account's failures, locks and suspension (an admin's unlock). */
  async unlock(userId: string): Promise<void> {
    await this.lockouts.reset(userId);
  }

  private async reserveAttempt(
    userId: string,
    lastRead: { state: LockoutRecord | undefined } | undefined,
  ): Promise<{ before: LockoutRecord; reserved: LockoutRecord }> {
    for (let i = 0; i < OPTIMISTIC_TRIES; i++) {
      const read = i === 0 && lastRead ? lastRead.state : await this.lockouts.find(userId);
      const { before, reserved } = this.reserveFrom(userId, read);
      if (await this.lockouts.compareAndSet(before.version, reserved)) return { before, reserved };
    }
    // Contended: every attempt is still decided and counted, one after the other. Giving up here
    // would tell a user "locked" only because others tried at the same moment.
    return this.lockouts.updateSerialized(userId, (current) => {
      const reservation = this.reserveFrom(userId, current);
      return { next: reservation.reserved, result: reservation };
    });
  }

  /** The failure this attempt reserves from the row as read; throws when codes are refused now. */
  private reserveFrom(
    userId: string,
    read: LockoutRecord | undefined,
  ): { before: LockoutRecord; reserved: LockoutRecord } {
    const state = read ?? emptyLockout(userId);
    this.assertOpen(state);
    return { before: state, reserved: afterFailure(this.policy, state, this.clock.now()) };
  }

  /** Throws when the row as read refuses codes now (suspended, or a timed lock running). */
  private assertOpen(state: LockoutRecord | undefined): void {
    if (!state) return;
    if (isSuspended(this.policy, state)) throw suspendedError();
    if (isLocked(state, this.clock.now())) throw lockedError(state.lockedUntil);
  }

  private async refund(userId: string, before: LockoutRecord, reserved: LockoutRecord): Promise<void> {
    for (let i = 0; i < OPTIMISTIC_TRIES; i++) {
      const current = await this.lockouts.find(userId);
      if (!current || wasReset(current)) return;
      if (await this.lockouts.compareAndSet(current.version, afterRefund(current, before, reserved))) return;
    }
    // Contended: the failure is given back all the same, in turn, so a double-submit never counts.
    await this.lockouts.updateSerialized(userId, (current) =>
      !current || wasReset(current)
        ? { result: undefined }
        : { next: afterRefund(current, before, reserved), result: undefined },
    );
  }
}

/** What a reset leaves: no failure, no lock, no suspension. */
function isClear(state: LockoutRecord): boolean {
  return wasReset(state) && state.lockLevel === 0;
}

/** Reset meanwhile (a success elsewhere): there is nothing left to give back. */
function wasReset(current: LockoutRecord): boolean {
  return current.failedCount === 0 && current.totalFailures === 0 && current.lockedUntil === null;
}

function lockedError(lockedUntil: Date | null): TesseraError {
  const until = (lockedUntil ?? new Date()).toISOString();
  return new TesseraError('SECOND_FACTOR_LOCKED', {
    message: `Too many failed second-factor attempts; try again after ${until}.`,
    meta: { lockedUntil: until },
  });
}

function suspendedError(): TesseraError {
  return new TesseraError('SECOND_FACTOR_SUSPENDED');
}
