import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PASSWORD_THROTTLE_POLICY,
  delaySeconds,
  emptyThrottle,
  releaseAddressTry,
  reserveAccountTry,
  reserveAddressTry,
} from './password-throttle-policy.js';

const policy = DEFAULT_PASSWORD_THROTTLE_POLICY;
const t0 = new Date('2026-01-01T00:00:00Z');
const later = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe('password throttle policy', () => {
  it('five failures are free; then the wait doubles from 1 s to a 60 s cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 99].map((n) => delaySeconds(policy, n))).toEqual([
      0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60,
    ]);
  });

  it('refuses a try during the wait, and every try after 100 failures in a row', () => {
    let state = emptyThrottle('a');
    for (let i = 0; i < 5; i++) {
      const decision = reserveAccountTry(policy, state, t0);
      if (decision.refused) throw new Error('refused too early');
      state = decision.next;
    }
    expect(reserveAccountTry(policy, state, t0)).toEqual({ refused: true, retryAt: later(1) });
    expect(reserveAccountTry(policy, state, later(1)).refused).toBe(false);
    expect(reserveAccountTry(policy, { ...state, failures: 100, blockedUntil: null }, later(86_400))).toEqual({
      refused: true,
      retryAt: null,
    });
  });

  it('counts an address in one-hour windows and gives back a released try only in its window', () => {
    let state = emptyThrottle('ip');
    for (let i = 0; i < 100; i++) {
      const decision = reserveAddressTry(policy, state, later(i));
      if (decision.refused) throw new Error('refused too early');
      state = decision.next;
    }
    expect(reserveAddressTry(policy, state, later(1800))).toEqual({ refused: true, retryAt: later(3600) });
    const fresh = reserveAddressTry(policy, state, later(3600));
    expect(fresh.refused === false && fresh.next.failures).toBe(1);
    expect(releaseAddressTry(state, state)?.failures).toBe(99);
    expect(releaseAddressTry(state, { ...state, windowStartedAt: later(-5) })).toBeUndefined();
  });
});
