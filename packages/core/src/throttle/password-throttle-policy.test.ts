import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PASSWORD_THROTTLE_POLICY,
  emptyThrottle,
  releaseAddressTry,
  reserveAccountTry,
  reserveAddressTry,
} from './password-throttle-policy.js';

const policy = DEFAULT_PASSWORD_THROTTLE_POLICY;
const t0 = new Date('2026-01-01T00:00:00Z');
const later = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe('password throttle policy', () => {
  it('five failures within a minute block the account for ten minutes, and the block ends', () => {
    let state = emptyThrottle('a');
    for (let i = 0; i < 5; i++) {
      const decision = reserveAccountTry(policy, state, later(i * 10));
      if (decision.refused) throw new Error('refused too early');
      state = decision.next;
    }
    expect(reserveAccountTry(policy, state, later(41))).toEqual({ refused: true, retryAt: later(640) });
    const after = reserveAccountTry(policy, state, later(640));
    expect(after.refused === false && after.next).toMatchObject({ failures: 1, blockedUntil: null });
  });

  it('by default the window is an hour: failures spread over it still block at the fifth', () => {
    let state = emptyThrottle('a');
    for (let i = 0; i < 5; i++) {
      const decision = reserveAccountTry(policy, state, later(i * 600));
      if (decision.refused) throw new Error(`refused try ${i + 1}`);
      state = decision.next;
    }
    expect(reserveAccountTry(policy, state, later(2401))).toEqual({ refused: true, retryAt: later(3000) });
  });

  it('a failure outside the window starts a new one, so slow failures never block', () => {
    const minuteWindow = { ...policy, windowSeconds: 60 };
    let state = emptyThrottle('a');
    for (let i = 0; i < 20; i++) {
      const decision = reserveAccountTry(minuteWindow, state, later(i * 61));
      if (decision.refused) throw new Error(`refused try ${i + 1}`);
      state = decision.next;
    }
    expect(state).toMatchObject({ failures: 1, level: 20, blockedUntil: null });
  });

  it('with a ceiling, refuses every try after that many failures in a row until a reset', () => {
    const strict = { ...policy, maxConsecutiveFailures: 7, windowSeconds: 60 };
    let state = emptyThrottle('a');
    for (let i = 0; i < 7; i++) {
      const decision = reserveAccountTry(strict, state, later(i * 61));
      if (decision.refused) throw new Error('refused too early');
      state = decision.next;
    }
    expect(reserveAccountTry(strict, state, later(86_400))).toEqual({ refused: true, retryAt: null });
    expect(reserveAccountTry(policy, state, later(86_400)).refused).toBe(false);
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
