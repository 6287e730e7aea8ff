import { timingSafeEqual } from 'node:crypto';
import type { TotpParams } from './algorithms.js';
import { hotp } from './hotp.js';

/** T = floor((unixSeconds - T0) / X) with T0 = 0 (RFC 6238 §4.2). */
export function timeStep(unixSeconds: number, period: number): number {
  if (!Number.isSafeInteger(period) || period <= 0) {
    throw new RangeError(`TOTP period must be a positive integer, got ${period}`);
  }
  return Math.floor(unixSeconds / period);
}

/** TOTP = HOTP(K, T) (RFC 6238 §4.2). */
export function totpAt(key: Uint8Array, unixSeconds: number, params: TotpParams): string {
  return hotp(key, timeStep(unixSeconds, params.period), params);
}

/**
 * The time steps in [T - window, T + window] whose code equals `code`, in
 * ascending order. RFC 6238 §5.2 recommends accepting at most one step of
 * clock drift, hence window = 1; the caller uses the returned steps to refuse
 * replays (RFC 6238 §5.2: a code must not be accepted twice).
 */
export function matchingSteps(
  key: Uint8Array,
  code: string,
  unixSeconds: number,
  params: TotpParams,
  window = 1,
): number[] {
  const steps = windowSteps(unixSeconds, params.period, window);
  return stepsWithCode(steps, (step) => Buffer.from(hotp(key, step, params), 'utf8'), code);
}

/** The steps of the window [T - window, T + window] at `unixSeconds`, ascending. */
export function windowSteps(unixSeconds: number, period: number, window: number): number[] {
  if (!Number.isSafeInteger(window) || window < 0) {
    throw new RangeError(`TOTP window must be a non-negative integer, got ${window}`);
  }
  const current = timeStep(unixSeconds, period);
  const steps: number[] = [];
  // A step is negative only near the epoch; it depends on the clock, not on the secret or the code.
  for (let step = Math.max(0, current - window); step <= current + window; step++) steps.push(step);
  return steps;
}

/**
 * Those of `steps` whose code (`expectedAt`) is `code`. Every step is compared
 * in constant time, with no early return, so response time reveals neither
 * which step matched nor how much of the code was right. A wrong code, of any
 * length or content, is not an error: it simply matches nothing.
 */
export function stepsWithCode(
  steps: number[],
  expectedAt: (step: number, index: number) => Uint8Array,
  code: string,
): number[] {
  const given = Buffer.from(code, 'utf8');
  const matches: number[] = [];
  steps.forEach((step, index) => {
    const expected = expectedAt(step, index);
    const sameLength = given.length === expected.length;
    // timingSafeEqual throws on unequal lengths, so a wrong-length code is
    // compared against the expected code itself: same work, and then discarded.
    const equal = timingSafeEqual(sameLength ? given : expected, expected);
    if (equal && sameLength) matches.push(step);
  });
  return matches;
}
