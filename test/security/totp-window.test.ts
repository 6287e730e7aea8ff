/**
 * Property: codes from one step either side of now are accepted (clock drift, RFC 6238 §5.2);
 * codes from two steps away are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json } from '../support/harness.js';
import { createTotpUser, verifyCode } from '../support/totp-user.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ lockout: { maxFailures: 1000 } });
});
afterAll(async () => h.close());

describe('the verification window is ±1 step', () => {
  it.each([
    [-1, true],
    [0, true],
    [1, true],
    [-2, false],
    [2, false],
    [-3, false],
    [3, false],
  ])('a code from %i step(s) away: accepted = %s', async (steps, accepted) => {
    const user = await createTotpUser(h.app, h.clock);
    // Step well past the confirming code, so "−1" is not the spent step.
    h.clock.advanceSeconds(120);
    const code = user.codeAt(new Date(h.clock.now().getTime() + steps * 30_000));
    expect(json(await verifyCode(h.app, user.accessToken, code))).toEqual({ valid: accepted });
  });
});
