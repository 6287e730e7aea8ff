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
 *
 * Every step in the window is computed and compared in constant time, with no
 * early return, so response time reveals neither which step matched nor how
 * much of the code was right. A wrong code, of any length or content, is not
 * an error: it simply matches nothing.
 */
export function matchingSteps(
  key: Uint8Array,
  code: string,
  unixSeconds: number,
  params: TotpParams,
  window = 1,
): number[] {
  if (!Number.isSafeInteger(window) || window < 0) {
    throw new RangeError(`TOTP window must be a non-negative integer, got ${window}`);
  }
  const current = timeStep(unixSeconds, params.period);
  const given = Buffer.from(code, 'utf8');
  const matches: number[] = [];
  for (let step = current - window; step <= current + window; step++) {
    if (step < 0) continue; // only near the epoch; depends on the clock, not on the secret or the code
    const expected = Buffer.from(hotp(key, step, params), 'utf8');
    const sameLength = given.length === expected.length;
    // timingSafeEqual throws on unequal lengths, so a wrong-length code is
    // compared against the expected code itself: same work, and then discarded.
    const equal = timingSafeEqual(sameLength ? given : expected, expected);
    if (equal && sameLength) matches.push(step);
  }
  return matches;
}
