/**
 * Property: a TOTP code is accepted at most once. Verification records the accepted time step
 * with one conditional UPDATE; a code for that step or an earlier one is refused, even when
 * fifty requests race with the same code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json } from '../support/harness.js';
import { createTotpUser, verifyCode } from '../support/totp-user.js';

let h: Harness;
beforeAll(async () => {
  // A lockout limit out of reach, so every racer gets a real verification, not a 429.
  h = await createHarness({ lockout: { maxFailures: 1000 } });
});
afterAll(async () => h.close());

describe('a TOTP code is accepted at most once', () => {
  it('the same code twice: the second is refused', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const code = user.codeAt(h.clock.now());
    expect(json(await verifyCode(h.app, user.accessToken, code))).toEqual({ valid: true });
    expect(json(await verifyCode(h.app, user.accessToken, code))).toEqual({ valid: false });
    expect(h.log.text).toContain('replayed code refused');
  });

  it('a code of an earlier step than the last accepted one is refused', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const previousStepCode = user.codeAt(new Date(h.clock.now().getTime() - 30_000));
    expect(json(await verifyCode(h.app, user.accessToken, user.codeAt(h.clock.now())))).toEqual({ valid: true });
    // Still inside the ±1 window, but older than the recorded step.
    expect(json(await verifyCode(h.app, user.accessToken, previousStepCode))).toEqual({ valid: false });
  });

  it('50 concurrent verifications of one code: exactly one succeeds', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const code = user.codeAt(h.clock.now());
    const responses = await Promise.all(Array.from({ length: 50 }, () => verifyCode(h.app, user.accessToken, code)));
    const bodies = responses.map((r) => json<{ valid?: boolean }>(r));
    expect(responses.every((r) => r.statusCode === 200)).toBe(true);
    expect(bodies.filter((b) => b.valid === true)).toHaveLength(1);
    expect(bodies.filter((b) => b.valid === false)).toHaveLength(49);
  });

  it('50 concurrent sign-in completions with one code yield exactly one token pair', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const flows = await Promise.all(
      Array.from({ length: 50 }, async () =>
        json<{ flowId: string }>(
          await h.app.inject({
            method: 'POST',
            url: '/api/v1/auth/sign-in',
            payload: { username: user.username, password: user.password },
          }),
        ),
      ),
    );
    const code = user.codeAt(h.clock.now());
    const responses = await Promise.all(
      flows.map(({ flowId }) =>
        h.app.inject({ method: 'POST', url: `/api/v1/auth/sign-in/${flowId}/second-factor`, payload: { code } }),
      ),
    );
    expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(responses.filter((r) => r.statusCode === 422)).toHaveLength(49);
  });
});
