import type { Clock } from '../clock.js';
import { TesseraError } from '../errors/tessera-error.js';
import { type CoreMetrics, noCoreMetrics, type PasswordThrottleBudget } from '../metrics/core-metrics.js';
import type { ThrottleRecord } from '../storage/records.js';
import type { ThrottleRepository } from '../storage/repositories.js';
import {
  emptyThrottle,
  type PasswordThrottlePolicy,
  releaseAddressTry,
  reserveAccountTry,
  reserveAddressTry,
  type ThrottleDecision,
} from './password-throttle-policy.js';

/** Enough for any real contention; past it something is wrong and we fail closed. */
const MAX_CAS_RETRIES = 100;

/** The throttle key of an account's password failures. */
export function passwordAccountKey(userId: string): string {
  return `password:account:${userId}`;
}

function addressKey(clientIp: string): string {
  return `password:address:${clientIp}`;
}

/**
 * Runs a password check under the account's and the client address's failure budgets, kept in
 * the database so that every process shares them. A refused try is answered before the
 * password is looked at, so the answer says nothing about whether it was right.
 */
export class PasswordThrottle {
  constructor(
    private readonly throttles: ThrottleRepository,
    private readonly policy: PasswordThrottlePolicy,
    private readonly clock: Clock,
    /** Where each try's outcome is counted (ok, wrong, or throttled by which budget). */
    private readonly metrics: CoreMetrics = noCoreMetrics,
  ) {}

  /**
   * `accountKey` names the account tried (an unknown username gets a key of its own, so that a
   * throttled answer does not tell existing accounts apart). `clientIp` null (the command line)
   * has no address budget. Returns what `check` returned.
   */
  async attempt(accountKey: string, clientIp: string | null, check: () => Promise<boolean>): Promise<boolean> {
    const address = clientIp === null ? undefined : addressKey(clientIp);
    const addressReserved = address
      ? await this.reserve(address, 'address', (state, now) => reserveAddressTry(this.policy, state, now))
      : undefined;
    try {
      await this.reserve(accountKey, 'account', (state, now) => reserveAccountTry(this.policy, state, now));
    } catch (error) {
      // The password was not checked: the address has not spent a try on it.
      if (address && addressReserved) await this.release(address, addressReserved);
      throw error;
    }
    const ok = await check();
    this.metrics.passwordChecked(ok ? 'ok' : 'wrong');
    if (ok) {
      await this.throttles.reset(accountKey);
      if (address && addressReserved) await this.release(address, addressReserved);
    }
    return ok;
  }

  private async reserve(
    key: string,
    budget: PasswordThrottleBudget,
    decide: (state: ThrottleRecord, now: Date) => ThrottleDecision,
  ): Promise<ThrottleRecord> {
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const now = this.clock.now();
      const state = (await this.throttles.find(key)) ?? emptyThrottle(key);
      const decision = decide(state, now);
      if (decision.refused) {
        this.metrics.passwordChecked('throttled', budget);
        throw throttledError(decision.retryAt);
      }
      if (await this.throttles.compareAndSet(state.version, decision.next)) return decision.next;
    }
    throw new TesseraError('PASSWORD_THROTTLED', { detail: 'throttle compare-and-set kept losing' });
  }

  private async release(key: string, reserved: ThrottleRecord): Promise<void> {
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const state = await this.throttles.find(key);
      const next = state && releaseAddressTry(state, reserved);
      if (!state || !next) return;
      if (await this.throttles.compareAndSet(state.version, next)) return;
    }
  }
}

function throttledError(retryAt: Date | null): TesseraError {
  if (retryAt === null) {
    return new TesseraError('PASSWORD_THROTTLED', {
      message: 'Too many failed password attempts in a row; reset the password to sign in again.',
    });
  }
  const until = retryAt.toISOString();
  return new TesseraError('PASSWORD_THROTTLED', {
    message: `Too many failed password attempts; try again after ${until}.`,
    meta: { retryAt: until },
  });
}
