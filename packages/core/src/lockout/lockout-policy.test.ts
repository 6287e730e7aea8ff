import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  afterRefund,
  DEFAULT_LOCKOUT_POLICY,
  emptyLockout,
  isLocked,
  isSuspended,
  lockDurationSeconds,
} from './lockout-policy.js';

const policy = DEFAULT_LOCKOUT_POLICY;
const t0 = new Date('2026-01-01T00:00:00Z');

function failTimes(times: number, start = emptyLockout('u'), now = t0) {
  let state = start;
  for (let i = 0; i < times; i++) state = afterFailure(policy, state, now);
  return state;
}

describe('lockout policy', () => {
  it('four failures do not lock; the fifth locks for one minute', () => {
    expect(isLocked(failTimes(4), t0)).toBe(false);
    const locked = failTimes(5);
    expect(isLocked(locked, t0)).toBe(true);
    expect(locked.lockedUntil?.getTime()).toBe(t0.getTime() + 60_000);
    expect(isLocked(locked, new Date(t0.getTime() + 60_000))).toBe(false);
  });

  it('each further lock doubles, capped at one hour', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((level) => lockDurationSeconds(policy, level))).toEqual([
      60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]);
    const second = failTimes(5, { ...failTimes(5), lockedUntil: null });
    expect(second.lockedUntil?.getTime()).toBe(t0.getTime() + 120_000);
  });

  it('every step bumps the version, so concurrent writers conflict', () => {
    expect(failTimes(3).version).toBe(3);
  });

  it('counts failures across locks and suspends at the ceiling of 100 (NIST SP 800-63B §5.2.2)', () => {
    expect(DEFAULT_LOCKOUT_POLICY.failureCeiling).toBe(100);
    let state = emptyLockout('u');
    for (let i = 0; i < 99; i++) state = afterFailure(policy, { ...state, lockedUntil: null }, t0);
    expect(state.totalFailures).toBe(99);
    expect(isSuspended(policy, state)).toBe(false);
    state = afterFailure(policy, { ...state, lockedUntil: null }, t0);
    expect(isSuspended(policy, state)).toBe(true);
  });

  it('a refund restores the state before the reservation, or takes one failure off a state moved on', () => {
    const before = failTimes(4);
    const reserved = afterFailure(policy, before, t0);
    expect(isLocked(reserved, t0)).toBe(true);
    const undone = afterRefund(reserved, before, reserved);
    expect(undone).toEqual({ ...before, version: reserved.version + 1 });
    expect(isLocked(undone, t0)).toBe(false);
    const movedOn = afterFailure(policy, failTimes(2), t0);
    expect(afterRefund(movedOn, before, reserved)).toMatchObject({
      failedCount: 2,
      totalFailures: 2,
      version: movedOn.version + 1,
    });
  });
});
